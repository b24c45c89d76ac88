/*
 * xdperf C plugin SDK: a freestanding toolkit for template ABI 1.0 plugins (docs/abi.md).
 *
 * Everything here is plain C with no libc, so the same code compiles to WebAssembly
 * (clang --target=wasm32-unknown-unknown -nostdlib) and natively (gcc) for tests.
 * A plugin implements generate_impl() and describe_impl(); xd_wasm.c turns them into the
 * Extism exports, and nothing else touches the Extism host functions.
 *
 * Copyright the xdperf authors. Licensed under the Apache License, Version 2.0.
 */
#ifndef XDPERF_PLUGIN_H
#define XDPERF_PLUGIN_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- The ABI this SDK speaks ---------------------------------------------------------- */

#define XD_ABI_MAJOR 1
#define XD_ABI_MINOR 0
#define XD_ABI_VERSION ((XD_ABI_MAJOR << 16) | XD_ABI_MINOR)

#define XD_MAX_ADDRS 16
#define XD_MAX_OPTIONS 256
#define XD_MAX_TEMPLATES 1024
#define XD_MAX_FIELDS 8
#define XD_MAX_CSUMS 4
#define XD_MAX_LIST 256
#define XD_MIN_FRAME 14
#define XD_MAX_FRAME 1514

#define XD_MH_SIZE 18
#define XD_MH_MAGIC 0x58DF
#define XD_MH_VERSION 1

enum xd_field_op { XD_OP_INC = 1, XD_OP_DEC = 2, XD_OP_RANDOM = 3, XD_OP_LIST = 4 };
/* per packet of the template, per flow of the template, per packet of the template's stream (a counter
 * that all templates with the same stream id share: docs/abi.md) */
enum xd_field_scope { XD_PER_PACKET = 0, XD_PER_FLOW = 1, XD_PER_STREAM = 2 };
enum xd_csum_kind {
	XD_CSUM_IPV4 = 1,
	XD_CSUM_UDP = 2,
	XD_CSUM_TCP = 3,
	XD_CSUM_ICMP = 4,
	XD_CSUM_ICMPV6 = 5,
};

/* ---- The two functions a plugin implements -------------------------------------------- */

struct xd_writer;

/* Decodes the run request in req, writes a template set to out. Returns 0, or non-zero
 * with a one-sentence message in err. */
int generate_impl(const uint8_t *req, size_t req_len, struct xd_writer *out, char *err, size_t errlen);
/* Writes the plugin's description (UTF-8 JSON) to out. Returns 0. */
int describe_impl(struct xd_writer *out);

struct xd_plugin_info_s;
/* The plugin's identity and options, defined by the plugin: describe_impl, manifest.json and
 * the option checks all come from it. */
extern const struct xd_plugin_info_s xd_plugin;

/* ---- Memory and text without libc ----------------------------------------------------- */

void *xd_memcpy(void *dst, const void *src, size_t n);
void *xd_memmove(void *dst, const void *src, size_t n);
void *xd_memset(void *dst, int c, size_t n);
int xd_memcmp(const void *a, const void *b, size_t n);
size_t xd_strlen(const char *s);
/* True when the n bytes at s spell the NUL-terminated word. */
bool xd_equals(const char *s, size_t n, const char *word);

/* snprintf's little sibling, always NUL-terminated. Conversions: %s, %d (int), %u
 * (unsigned), %D (int64_t), %U (uint64_t), %x (unsigned, hex), %.*s (int length, char *),
 * %%. Returns the length it wanted to write. */
size_t xd_fmt(char *buf, size_t cap, const char *fmt, ...);
size_t xd_vfmt(char *buf, size_t cap, const char *fmt, va_list ap);

/* ---- Byte writer ---------------------------------------------------------------------- */

typedef struct xd_writer {
	uint8_t *buf;
	size_t len;
	size_t cap;
	bool failed; /* a write did not fit and grow() could not make room */
	/* Optional: makes room for at least `need` bytes in total; returns false when it cannot. */
	bool (*grow)(struct xd_writer *w, size_t need);
} xd_writer;

void xd_writer_init(xd_writer *w, uint8_t *buf, size_t cap);
bool xd_put(xd_writer *w, const void *p, size_t n);
bool xd_put_u8(xd_writer *w, uint8_t v);
bool xd_put_u16le(xd_writer *w, uint16_t v);
bool xd_put_u32le(xd_writer *w, uint32_t v);
bool xd_put_u64le(xd_writer *w, uint64_t v);
bool xd_put_text(xd_writer *w, const char *s);            /* raw bytes, no length */
bool xd_put_json_string(xd_writer *w, const char *s);     /* quoted and escaped */
bool xd_put_dec(xd_writer *w, int64_t v);                 /* decimal text */

/* ---- Run request (docs/abi.md, "Run request") ----------------------------------------- */

typedef struct {
	uint8_t family; /* 4 or 6 */
	uint8_t b[16];  /* network order; IPv4 uses the first 4 */
} xd_addr;

typedef struct {
	const char *name; /* not NUL-terminated: points into the request */
	uint16_t name_len;
	const char *value;
	uint16_t value_len;
} xd_kv;

typedef struct {
	uint16_t abi_major, abi_minor;
	uint16_t mtu;
	uint16_t cpus;
	uint8_t src_mac[6], dst_mac[6];
	uint16_t frame_size; /* 0: not given */
	uint16_t stream_base;
	uint8_t ns, nd;
	xd_addr src[XD_MAX_ADDRS], dst[XD_MAX_ADDRS];
	uint16_t nopts;
	xd_kv opts[XD_MAX_OPTIONS];
} xd_request;

/* Decodes and checks a run request; the options keep pointing into p. */
int xd_request_decode(const uint8_t *p, size_t n, xd_request *r, char *err, size_t errlen);

/* ---- Options and the description ------------------------------------------------------ */

enum xd_option_type {
	XD_OPT_INT,
	XD_OPT_BOOL,
	XD_OPT_STRING,
	XD_OPT_ENUM,
	XD_OPT_MAC,
	XD_OPT_IP,
	XD_OPT_CIDR,
	XD_OPT_PORT_RANGE,
};

typedef struct {
	const char *name;
	enum xd_option_type type;
	const char *const *values; /* XD_OPT_ENUM: NULL-terminated */
	int64_t min, max;          /* XD_OPT_INT */
	const char *def;           /* default, in the option's own syntax */
	const char *help;
} xd_option_spec;

typedef struct {
	bool given;    /* the request carried it (else: the default) */
	int64_t i;     /* int */
	bool b;        /* bool */
	int e;         /* enum: index into values */
	uint16_t lo, hi; /* port-range */
	const char *s; /* string, mac, ip, cidr: raw text, not NUL-terminated */
	uint16_t slen;
} xd_option_value;

typedef struct xd_plugin_info_s {
	const char *id;
	const char *version;
	const char *description;
	const char *license;
	const xd_option_spec *options;
	int noptions;
} xd_plugin_info;

/* Fills out[i] for options[i]: from the request when it has the option, else from the
 * default. Refuses unknown names, repeated names and values that do not parse or fit. */
int xd_options_resolve(const xd_plugin_info *info, const xd_request *r, xd_option_value *out,
		       char *err, size_t errlen);
/* The description JSON of docs/abi.md; with manifest, also "kind": "wasm" (manifest.json). */
bool xd_describe_json(xd_writer *w, const xd_plugin_info *info, bool manifest);

bool xd_parse_int(const char *s, size_t n, int64_t *out);
bool xd_parse_bool(const char *s, size_t n, bool *out);
bool xd_parse_port_range(const char *s, size_t n, uint16_t *lo, uint16_t *hi);

/* ---- Template set (docs/abi.md, "Template set") --------------------------------------- */

typedef struct {
	uint16_t offset;
	uint8_t width; /* 1, 2, 4, 8 */
	uint8_t op;    /* enum xd_field_op */
	uint8_t scope; /* enum xd_field_scope */
	uint16_t nl;   /* list count */
	uint64_t min, max, step;
	const uint64_t *list;
} xd_field_rule;

typedef struct {
	uint8_t kind; /* enum xd_csum_kind */
	uint16_t ip_offset;
	uint16_t l4_offset;
} xd_csum_rule;

typedef struct {
	uint8_t frame[XD_MAX_FRAME];
	uint16_t len;
	uint16_t stream_id;
	uint32_t weight;
	uint32_t flows;
	uint16_t mh_offset; /* 0: none */
	uint8_t nf, nc;
	xd_field_rule fields[XD_MAX_FIELDS];
	xd_csum_rule csums[XD_MAX_CSUMS];
} xd_template;

/* Empty template: weight 1, flows 1, no rules. */
void xd_template_init(xd_template *t);
/* Appends a rule; false when the template already holds the maximum. */
bool xd_add_field(xd_template *t, uint16_t offset, uint8_t width, uint8_t op, uint8_t scope,
		  uint64_t min, uint64_t max, uint64_t step);
bool xd_add_list(xd_template *t, uint16_t offset, uint8_t width, uint8_t scope,
		 const uint64_t *values, uint16_t n);
bool xd_add_csum(xd_template *t, uint8_t kind, uint16_t ip_offset, uint16_t l4_offset);
/* Writes every checksum the rules name into the frame, as the host would compute it. */
void xd_fill_checksums(xd_template *t);
/* Writes v big-endian over width bytes at p. */
void xd_store_be(uint8_t *p, uint8_t width, uint64_t v);

/* The set header; then call xd_template_encode nt times. */
bool xd_set_begin(xd_writer *w, uint16_t nt);
bool xd_template_encode(xd_writer *w, const xd_template *t);

/* What xdp_tx computes for a per-flow random rule with index i at flow f (docs/abi.md). */
uint64_t xd_splitmix64(uint64_t z);
uint64_t xd_flow_random(uint64_t min, uint64_t max, uint32_t rule_index, uint64_t flow);

/* ---- Packet builders: each writes at p, returns the bytes written ---------------------- */

#define XD_ETH_LEN 14
#define XD_IPV4_LEN 20
#define XD_IPV6_LEN 40
#define XD_UDP_LEN 8
#define XD_TCP_LEN 20
#define XD_ICMP_LEN 8

#define XD_ETH_IPV4 0x0800
#define XD_ETH_IPV6 0x86DD
#define XD_PROTO_ICMP 1
#define XD_PROTO_TCP 6
#define XD_PROTO_UDP 17
#define XD_PROTO_ICMPV6 58

#define XD_TCP_FIN 0x01
#define XD_TCP_SYN 0x02
#define XD_TCP_RST 0x04
#define XD_TCP_PSH 0x08
#define XD_TCP_ACK 0x10

void xd_be16(uint8_t *p, uint16_t v);
void xd_be32(uint8_t *p, uint32_t v);
uint16_t xd_get_be16(const uint8_t *p);

size_t xd_eth(uint8_t *p, const uint8_t dst[6], const uint8_t src[6], uint16_t ethertype);
/* IPv4 header without options, its checksum filled in. payload_len: bytes after it. */
size_t xd_ipv4(uint8_t *p, uint8_t proto, uint8_t ttl, uint16_t id, bool dont_fragment,
	       const uint8_t src[4], const uint8_t dst[4], uint16_t payload_len);
size_t xd_ipv6(uint8_t *p, uint8_t next_header, uint8_t hop_limit, uint32_t flow_label,
	       const uint8_t src[16], const uint8_t dst[16], uint16_t payload_len);
/* ICMP/ICMPv6 header: type, code, checksum 0, then the 4 bytes `rest` (echo: id, seq). */
size_t xd_icmp(uint8_t *p, uint8_t type, uint8_t code, uint32_t rest);
/* UDP header, checksum 0. */
size_t xd_udp(uint8_t *p, uint16_t sport, uint16_t dport, uint16_t length);
/* TCP header with opt_len (multiple of 4, at most 40) option bytes copied from opts. */
size_t xd_tcp(uint8_t *p, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
	      uint8_t flags, uint16_t window, const uint8_t *opts, size_t opt_len);
/* TCP options; each returns its length. */
size_t xd_tcpopt_mss(uint8_t *p, uint16_t mss);                       /* 4 */
size_t xd_tcpopt_timestamps(uint8_t *p, uint32_t tsval, uint32_t tsecr); /* NOP NOP TS: 12 */
/* Measurement header for the template: magic, stream id, version; the rest 0. */
size_t xd_mh(uint8_t *p, uint16_t stream_id);

/* ---- Internet checksum (RFC 1071) ----------------------------------------------------- */

/* Adds n bytes as big-endian 16-bit words (an odd last byte is padded with 0). */
uint64_t xd_csum_add(uint64_t sum, const uint8_t *p, size_t n);
/* Folds to 16 bits and complements: the value to store. */
uint16_t xd_csum_finish(uint64_t sum);
uint16_t xd_csum_ipv4_header(const uint8_t *ip);
/* The sum of the pseudo-header for the IP header at ip (version from its first nibble). */
uint64_t xd_csum_pseudo(const uint8_t *ip, uint8_t proto, uint32_t l4_len);
/* Checksum of the l4_len bytes at l4 (its checksum field taken as it is, normally 0), with
 * the pseudo-header of ip when ip is not NULL. */
uint16_t xd_csum_l4(const uint8_t *ip, uint8_t proto, const uint8_t *l4, size_t l4_len);

/* ---- Addresses ------------------------------------------------------------------------ */

/* Collects the request's addresses of one family: returns their count. */
int xd_addrs_of_family(const xd_addr *in, int n, uint8_t family, const xd_addr **out);
/* Picks the family of a run: 6 when forced, or when no destination is IPv4 but some
 * address is IPv6; else 4. */
uint8_t xd_pick_family(const xd_request *r, bool force_ipv6);

/* The addresses a plugin sends between. The host lists the run's own source and destination
 * first and then other addresses of the same interfaces, so by default a plugin uses the
 * first of each (of the picked family); with all, every source with every destination. */
typedef struct {
	uint8_t family;
	int ns, nd; /* templates: ns * nd */
	const xd_addr *src[XD_MAX_ADDRS], *dst[XD_MAX_ADDRS];
} xd_addr_pairs;

int xd_address_pairs(const xd_request *r, bool force_ipv6, bool all, xd_addr_pairs *out, char *err,
		     size_t errlen);

#endif
