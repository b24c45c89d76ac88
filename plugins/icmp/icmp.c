/*
 * xdperf plugin "icmp": ICMP and ICMPv6 echo requests, destination unreachable and time
 * exceeded messages, as template ABI 1.0 template sets. Plain C: the wasm exports come
 * from c-sdk/xd_wasm.c, the native tests call generate_impl directly.
 *
 * Copyright the xdperf authors. Licensed under the Apache License, Version 2.0.
 */
#include "xdperf_plugin.h"

enum { TYPE_ECHO, TYPE_UNREACHABLE, TYPE_TIME_EXCEEDED };
static const char *const TYPES[] = {"echo", "unreachable", "time-exceeded", 0};

enum { OPT_TYPE, OPT_PAYLOAD, OPT_FLOWS, OPT_IPV6, OPT_IDENT, OPT_ADDRESSES, NOPT };
static const char *const ADDRESSES[] = {"first", "all", 0};

static const xd_option_spec OPTIONS[NOPT] = {
	[OPT_TYPE] = {"type", XD_OPT_ENUM, TYPES, 0, 0, "echo",
		      "message: echo request, destination (port) unreachable, or time exceeded"},
	[OPT_PAYLOAD] = {"payload", XD_OPT_INT, 0, 0, 1472, "56",
			 "payload bytes: after the echo header, or of the UDP datagram an error quotes "
			 "(a frame size given to the run takes precedence)"},
	[OPT_FLOWS] = {"flows", XD_OPT_INT, 0, 1, 65536, "1",
		       "flows: echo identifiers ident, ident+1, ...; for errors, distinct quoted UDP source "
		       "ports (at most 256)"},
	[OPT_IPV6] = {"ipv6", XD_OPT_BOOL, 0, 0, 0, "false", "send ICMPv6 even when the run has IPv4 addresses"},
	[OPT_IDENT] = {"ident", XD_OPT_INT, 0, 0, 65535, "1", "echo identifier of the first flow"},
	[OPT_ADDRESSES] = {"addresses", XD_OPT_ENUM, ADDRESSES, 0, 0, "first",
			   "first: the run's source and destination; all: every source address with every "
			   "destination address, one template each"},
};

const xd_plugin_info xd_plugin = {
	.id = "icmp",
	.version = "1.0.0",
	.description = "ICMP and ICMPv6 echo requests, destination unreachable, time exceeded",
	.license = "Apache-2.0",
	.options = OPTIONS,
	.noptions = NOPT,
};

/* The UDP datagram an error message quotes: from the run's destination (which "sent" it)
 * to its source, traceroute's first port, one source port per flow. */
#define QUOTED_SPORT 49152
#define QUOTED_DPORT 33434
#define MAX_ERROR_FLOWS XD_MAX_LIST

static xd_request req;
static xd_template tpl;
static uint64_t quoted_udp[MAX_ERROR_FLOWS];

int describe_impl(xd_writer *out)
{
	xd_describe_json(out, &xd_plugin, false);
	return 0;
}

static size_t ip_len(uint8_t fam)
{
	return fam == 4 ? XD_IPV4_LEN : XD_IPV6_LEN;
}

/* Bytes of a frame without payload. */
static size_t header_bytes(uint8_t fam, int type)
{
	size_t n = XD_ETH_LEN + ip_len(fam) + XD_ICMP_LEN;
	if (type != TYPE_ECHO)
		n += ip_len(fam) + XD_UDP_LEN; /* the quoted packet's headers */
	return n;
}

/* Writes the outer Ethernet and IP headers; returns the L4 offset. */
static size_t outer_headers(uint8_t fam, const uint8_t *src, const uint8_t *dst, uint16_t l4_len)
{
	uint8_t *f = tpl.frame;
	size_t at = xd_eth(f, req.dst_mac, req.src_mac, fam == 4 ? XD_ETH_IPV4 : XD_ETH_IPV6);
	if (fam == 4)
		at += xd_ipv4(f + at, XD_PROTO_ICMP, 64, 0, true, src, dst, l4_len);
	else
		at += xd_ipv6(f + at, XD_PROTO_ICMPV6, 64, 0, src, dst, l4_len);
	return at;
}

static void fill_pattern(uint8_t *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		p[i] = (uint8_t)i;
}

static void add_icmp_checksums(uint8_t fam, size_t l4)
{
	if (fam == 4) {
		xd_add_csum(&tpl, XD_CSUM_IPV4, XD_ETH_LEN, 0);
		xd_add_csum(&tpl, XD_CSUM_ICMP, XD_ETH_LEN, (uint16_t)l4);
	} else {
		xd_add_csum(&tpl, XD_CSUM_ICMPV6, XD_ETH_LEN, (uint16_t)l4);
	}
}

static void build_echo(uint8_t fam, const uint8_t *src, const uint8_t *dst, size_t payload, uint16_t ident,
		       uint32_t flows)
{
	uint8_t *f = tpl.frame;
	size_t l4 = outer_headers(fam, src, dst, (uint16_t)(XD_ICMP_LEN + payload));
	size_t data = l4 + xd_icmp(f + l4, fam == 4 ? 8 : 128, 0, (uint32_t)ident << 16);
	size_t filled = 0;
	if (payload >= XD_MH_SIZE) {
		tpl.mh_offset = (uint16_t)data;
		filled = xd_mh(f + data, tpl.stream_id);
	}
	fill_pattern(f + data, filled, payload);
	tpl.flows = flows;
	/* identifier per flow, sequence per packet: what ping -c N from `flows` processes looks like */
	xd_add_field(&tpl, (uint16_t)(l4 + 4), 2, XD_OP_INC, XD_PER_FLOW, ident, ident + flows - 1, 1);
	xd_add_field(&tpl, (uint16_t)(l4 + 6), 2, XD_OP_INC, XD_PER_PACKET, 0, 0xffff, 1);
	add_icmp_checksums(fam, l4);
}

static void build_error(uint8_t fam, int type, const uint8_t *src, const uint8_t *dst, size_t payload,
			uint32_t flows)
{
	uint8_t *f = tpl.frame;
	size_t quoted_len = ip_len(fam) + XD_UDP_LEN + payload;
	size_t l4 = outer_headers(fam, src, dst, (uint16_t)(XD_ICMP_LEN + quoted_len));
	uint8_t icmp_type, code;
	if (fam == 4) {
		icmp_type = type == TYPE_UNREACHABLE ? 3 : 11; /* code 3: port unreachable; 0: TTL exceeded */
		code = type == TYPE_UNREACHABLE ? 3 : 0;
	} else {
		icmp_type = type == TYPE_UNREACHABLE ? 1 : 3; /* code 4: port unreachable; 0: hop limit */
		code = type == TYPE_UNREACHABLE ? 4 : 0;
	}
	size_t qip = l4 + xd_icmp(f + l4, icmp_type, code, 0);
	uint8_t ttl = type == TYPE_TIME_EXCEEDED ? 1 : 64; /* as the original arrived */
	uint16_t udp_len = (uint16_t)(XD_UDP_LEN + payload);
	size_t qudp;
	if (fam == 4)
		qudp = qip + xd_ipv4(f + qip, XD_PROTO_UDP, ttl, 0, false, dst, src, udp_len);
	else
		qudp = qip + xd_ipv6(f + qip, XD_PROTO_UDP, ttl, 0, dst, src, udp_len);
	fill_pattern(f + qudp + XD_UDP_LEN, 0, payload);

	/* One quoted UDP header per flow, each with its own correct checksum: a list rule
	 * writes all 8 bytes, so the quoted datagram stays valid whatever the flow. */
	for (uint32_t i = 0; i < flows; i++) {
		uint16_t sport = (uint16_t)(QUOTED_SPORT + i);
		xd_udp(f + qudp, sport, QUOTED_DPORT, udp_len);
		uint16_t sum = xd_csum_l4(f + qip, XD_PROTO_UDP, f + qudp, udp_len);
		if (sum == 0)
			sum = 0xffff;
		quoted_udp[i] = (uint64_t)sport << 48 | (uint64_t)QUOTED_DPORT << 32 | (uint64_t)udp_len << 16 | sum;
	}
	xd_store_be(f + qudp, 8, quoted_udp[0]);
	tpl.flows = flows;
	xd_add_list(&tpl, (uint16_t)qudp, 8, XD_PER_FLOW, quoted_udp, (uint16_t)flows);
	add_icmp_checksums(fam, l4);
}

int generate_impl(const uint8_t *in, size_t in_len, xd_writer *out, char *err, size_t errlen)
{
	xd_option_value o[NOPT];
	if (xd_request_decode(in, in_len, &req, err, errlen) || xd_options_resolve(&xd_plugin, &req, o, err, errlen))
		return 1;
	int type = o[OPT_TYPE].e;
	uint32_t flows = (uint32_t)o[OPT_FLOWS].i;
	uint16_t ident = (uint16_t)o[OPT_IDENT].i;
	if (type == TYPE_ECHO && ident + (uint64_t)flows - 1 > 0xffff) {
		xd_fmt(err, errlen, "options ident=%u and flows=%u run past identifier 65535", ident, flows);
		return 1;
	}
	if (type != TYPE_ECHO && flows > MAX_ERROR_FLOWS) {
		xd_fmt(err, errlen, "option flows: %u is more than the %d quoted flows type=%s supports", flows,
		       MAX_ERROR_FLOWS, TYPES[type]);
		return 1;
	}

	xd_addr_pairs pairs;
	if (xd_address_pairs(&req, o[OPT_IPV6].b, o[OPT_ADDRESSES].e == 1, &pairs, err, errlen))
		return 1;
	uint8_t fam = pairs.family;
	int ns = pairs.ns, nd = pairs.nd;

	size_t hdr = header_bytes(fam, type);
	size_t payload = (size_t)o[OPT_PAYLOAD].i;
	if (req.frame_size) {
		if (req.frame_size < hdr) {
			xd_fmt(err, errlen, "frame size %u is smaller than the %u bytes of headers of an %s %s",
			       req.frame_size, (unsigned)hdr, fam == 4 ? "ICMP" : "ICMPv6", TYPES[type]);
			return 1;
		}
		payload = req.frame_size - hdr;
	}
	size_t len = hdr + payload;
	if (len > XD_MAX_FRAME) {
		xd_fmt(err, errlen, "a %u-byte %s %s frame is longer than %d bytes: lower payload", (unsigned)len,
		       fam == 4 ? "ICMP" : "ICMPv6", TYPES[type], XD_MAX_FRAME);
		return 1;
	}
	if (req.mtu && len > (size_t)req.mtu + XD_ETH_LEN) {
		xd_fmt(err, errlen, "a %u-byte frame does not fit the sending interface's MTU of %u", (unsigned)len,
		       req.mtu);
		return 1;
	}

	xd_set_begin(out, (uint16_t)(ns * nd));
	for (int s = 0; s < ns; s++) {
		for (int d = 0; d < nd; d++) {
			xd_template_init(&tpl);
			tpl.len = (uint16_t)len;
			tpl.stream_id = req.stream_base;
			if (type == TYPE_ECHO)
				build_echo(fam, pairs.src[s]->b, pairs.dst[d]->b, payload, ident, flows);
			else
				build_error(fam, type, pairs.src[s]->b, pairs.dst[d]->b, payload, flows);
			xd_fill_checksums(&tpl);
			xd_template_encode(out, &tpl);
		}
	}
	if (out->failed) {
		xd_fmt(err, errlen, "out of memory while writing %d templates", ns * nd);
		return 1;
	}
	return 0;
}
