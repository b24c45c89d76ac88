/*
 * Native tests of the SDK itself: checksums against RFC 1071's example and against the
 * independent test library, the request decoder, option parsing, formatting, the encoder.
 */
#include "../xdperf_plugin.h"
#include "xd_testlib.h"

/* The SDK expects every plugin to define these; the SDK test has no plugin. */
int generate_impl(const uint8_t *req, size_t n, xd_writer *out, char *err, size_t errlen)
{
	(void)req, (void)n, (void)out, (void)err, (void)errlen;
	return 1;
}
int describe_impl(xd_writer *out)
{
	(void)out;
	return 0;
}
static const char *const COLOURS[] = {"red", "green", 0};
static const xd_option_spec OPTS[] = {
	{"n", XD_OPT_INT, 0, -5, 5, "1", "a number"},
	{"on", XD_OPT_BOOL, 0, 0, 0, "false", "a switch"},
	{"colour", XD_OPT_ENUM, COLOURS, 0, 0, "green", "a \"colour\"\n"},
	{"ports", XD_OPT_PORT_RANGE, 0, 0, 0, "10-20", "ports"},
	{"name", XD_OPT_STRING, 0, 0, 0, "x", "free text"},
};
const xd_plugin_info xd_plugin = {"sdk", "0.0.1", "SDK test", "Apache-2.0", OPTS, 5};

static void test_checksums(void)
{
	t_case = "checksums";
	/* RFC 1071 section 3: the sum of 0001 f203 f4f5 f6f7 is ddf2 */
	const uint8_t rfc[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	CHECK(xd_csum_finish(xd_csum_add(0, rfc, 8)) == (uint16_t)~0xddf2, "RFC 1071 example");
	/* odd length: the last byte is padded with zero */
	const uint8_t odd[] = {0x12, 0x34, 0x56};
	CHECK(xd_csum_finish(xd_csum_add(0, odd, 3)) == (uint16_t)~(0x1234 + 0x5600), "odd length");
	/* a known IPv4 header (Wikipedia's example): checksum b861 */
	uint8_t ip[20] = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
			  0x00, 0x00, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
	CHECK(xd_csum_ipv4_header(ip) == 0xb861, "IPv4 header checksum %04x", xd_csum_ipv4_header(ip));
	/* builders + SDK checksums agree with the test library's verification */
	uint8_t f[200];
	uint8_t s4[4] = {10, 0, 0, 1}, d4[4] = {10, 0, 0, 2};
	size_t l4 = xd_ipv4(f, XD_PROTO_UDP, 64, 7, false, s4, d4, 8 + 31);
	CHECK(t_ipv4_header_ok(f), "xd_ipv4 fills a valid checksum");
	xd_udp(f + l4, 1234, 5678, 8 + 31);
	for (int i = 0; i < 31; i++)
		f[l4 + 8 + i] = (uint8_t)(i * 7);
	xd_be16(f + l4 + 6, xd_csum_l4(f, XD_PROTO_UDP, f + l4, 39));
	CHECK(t_l4_ok(f, 17, f + l4, 39), "UDP over IPv4, odd length");
	uint8_t s6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1}, d6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	l4 = xd_ipv6(f, XD_PROTO_TCP, 64, 0x12345, s6, d6, 20 + 12 + 5);
	CHECK(f[1] == 0x01 && f[2] == 0x23 && f[3] == 0x45, "flow label");
	uint8_t opts[12];
	xd_tcpopt_timestamps(opts, 99, 0);
	xd_tcp(f + l4, 1, 2, 3, 4, XD_TCP_SYN, 1000, opts, 12);
	xd_memset(f + l4 + 32, 0xab, 5);
	xd_be16(f + l4 + 16, xd_csum_l4(f, XD_PROTO_TCP, f + l4, 37));
	CHECK(t_l4_ok(f, 6, f + l4, 37), "TCP over IPv6");
}

static void test_request(void)
{
	static xd_request req;
	char err[256];
	t_req r;
	t_req_init(&r);
	r.size = 512;
	r.stream = 0x1234;
	t_src(&r, "10.0.0.1");
	t_dst(&r, "fd00::1");
	t_dst(&r, "10.0.0.2");
	t_opt(&r, "n", "-5");
	t_opt(&r, "", "");
	size_t n;
	uint8_t *p = t_req_encode(&r, &n);
	t_case = "request decode";
	int rc = xd_request_decode(p, n, &req, err, sizeof err);
	CHECK(rc == 0, "%s", err);
	CHECK(req.abi_major == 1 && req.mtu == 1500 && req.cpus == 2 && req.frame_size == 512 &&
		      req.stream_base == 0x1234,
	      "header fields");
	CHECK(memcmp(req.src_mac, r.smac, 6) == 0 && memcmp(req.dst_mac, r.dmac, 6) == 0, "MACs");
	CHECK(req.ns == 1 && req.nd == 2 && req.src[0].family == 4 && req.dst[0].family == 6 && req.dst[1].family == 4,
	      "address families");
	CHECK(memcmp(req.dst[0].b, r.dst[0].b, 16) == 0 && memcmp(req.dst[1].b, r.dst[1].b, 4) == 0, "address bytes");
	CHECK(req.nopts == 2 && xd_equals(req.opts[0].name, req.opts[0].name_len, "n") &&
		      xd_equals(req.opts[0].value, req.opts[0].value_len, "-5") && req.opts[1].name_len == 0,
	      "options");
	CHECK(xd_pick_family(&req, false) == 4 && xd_pick_family(&req, true) == 6, "family choice");
	free(p);

	/* 256 options are fine, 257 are not */
	t_req_init(&r);
	for (int i = 0; i < 257; i++)
		t_opt(&r, "n", "1");
	p = t_req_encode(&r, &n);
	rc = xd_request_decode(p, n, &req, err, sizeof err);
	CHECK(rc != 0 && strstr(err, "257 options"), "257 options: %s", err);
	free(p);
	r.no = 256;
	p = t_req_encode(&r, &n);
	CHECK(xd_request_decode(p, n, &req, err, sizeof err) == 0, "256 options: %s", err);
	free(p);
}

static void test_options(void)
{
	static xd_request req;
	xd_option_value v[5];
	char err[256];
	t_req r;
	t_req_init(&r);
	t_opt(&r, "colour", "red");
	t_opt(&r, "ports", "8080");
	t_opt(&r, "name", "hello");
	size_t n;
	uint8_t *p = t_req_encode(&r, &n);
	t_case = "options";
	CHECK(xd_request_decode(p, n, &req, err, sizeof err) == 0, "%s", err);
	CHECK(xd_options_resolve(&xd_plugin, &req, v, err, sizeof err) == 0, "%s", err);
	CHECK(!v[0].given && v[0].i == 1 && !v[1].b && v[2].given && v[2].e == 0, "defaults and enum");
	CHECK(v[3].lo == 8080 && v[3].hi == 8080, "single port");
	CHECK(v[4].slen == 5 && !memcmp(v[4].s, "hello", 5), "string");
	free(p);

	int64_t i;
	bool b;
	uint16_t lo, hi;
	CHECK(xd_parse_int("-42", 3, &i) && i == -42, "int");
	CHECK(!xd_parse_int("", 0, &i) && !xd_parse_int("4x", 2, &i) && !xd_parse_int("-", 1, &i), "bad ints");
	CHECK(!xd_parse_int("1234567890123456789", 19, &i), "too long an int");
	CHECK(xd_parse_bool("true", 4, &b) && b && !xd_parse_bool("True", 4, &b), "bool");
	CHECK(xd_parse_port_range("0-65535", 7, &lo, &hi) && lo == 0 && hi == 65535, "full range");
	CHECK(xd_parse_port_range("+5-+6", 5, &lo, &hi) && lo == 5 && hi == 6, "signs, as the host accepts them");
	CHECK(!xd_parse_port_range("5--6", 4, &lo, &hi) && !xd_parse_port_range("-5", 2, &lo, &hi) &&
		      !xd_parse_port_range("1-2-3", 5, &lo, &hi) && !xd_parse_port_range("", 0, &lo, &hi),
	      "bad ranges");

	xd_writer w;
	uint8_t buf[4096];
	xd_writer_init(&w, buf, sizeof buf - 1);
	CHECK(xd_describe_json(&w, &xd_plugin, false), "describe fits");
	buf[w.len] = 0;
	CHECK(t_json_ok((char *)buf), "describe is JSON:\n%s", buf);
	CHECK(strstr((char *)buf, "\"help\": \"a \\\"colour\\\"\\n\"") != NULL, "escaping");
	CHECK(strstr((char *)buf, "\"min\": -5, \"max\": 5") != NULL, "int bounds");
	CHECK(strstr((char *)buf, "\"type\": \"port-range\"") != NULL, "port-range type");
	xd_writer_init(&w, buf, 10);
	CHECK(!xd_describe_json(&w, &xd_plugin, false) && w.failed && w.len <= 10, "overflow is reported");
}

static void test_format(void)
{
	char b[64];
	t_case = "format";
	xd_fmt(b, sizeof b, "%s=%d/%u/%D/%U/%x/%.*s/%%", "a", -3, 4000000000u, (int64_t)-9000000000LL,
	       (uint64_t)18446744073709551615ULL, 255u, 2, "xyz");
	CHECK(!strcmp(b, "a=-3/4000000000/-9000000000/18446744073709551615/ff/xy/%"), "got %s", b);
	size_t n = xd_fmt(b, 4, "%s", "abcdef");
	CHECK(n == 6 && !strcmp(b, "abc"), "truncation: %s", b);
}

static void test_encoder(void)
{
	static xd_template t;
	static uint8_t buf[8192];
	static const uint64_t list[3] = {7, 9, 8};
	xd_writer w;
	t_case = "encoder";
	xd_template_init(&t);
	uint8_t mac[6] = {1, 2, 3, 4, 5, 6}, s[4] = {1, 1, 1, 1}, d[4] = {2, 2, 2, 2};
	size_t at = xd_eth(t.frame, mac, mac, XD_ETH_IPV4);
	at += xd_ipv4(t.frame + at, XD_PROTO_UDP, 64, 0, true, s, d, 8 + 20);
	at += xd_udp(t.frame + at, 1, 2, 28);
	t.mh_offset = (uint16_t)at;
	at += xd_mh(t.frame + at, 3);
	t.len = (uint16_t)(at + 2);
	t.stream_id = 3;
	t.weight = 5;
	t.flows = 4;
	CHECK(xd_add_field(&t, 34, 2, XD_OP_INC, XD_PER_FLOW, 1, 4, 1), "field");
	CHECK(xd_add_list(&t, 36, 1, XD_PER_PACKET, list, 3), "list");
	CHECK(!xd_add_list(&t, 37, 1, XD_PER_PACKET, list, 0), "empty list refused");
	CHECK(xd_add_csum(&t, XD_CSUM_IPV4, 14, 99) && xd_add_csum(&t, XD_CSUM_UDP, 14, 34), "checksums");
	xd_fill_checksums(&t);
	xd_writer_init(&w, buf, sizeof buf);
	xd_set_begin(&w, 1);
	CHECK(xd_template_encode(&w, &t), "encode");
	t_set set;
	char why[256] = "";
	CHECK(t_decode_set(buf, w.len, &set, why, sizeof why) == 0, "decode: %s", why);
	if (set.t) {
		const t_tpl *x = &set.t[0];
		CHECK(x->len == t.len && x->stream == 3 && x->weight == 5 && x->flows == 4 && x->mh == 42, "header");
		CHECK(x->nf == 2 && x->f[1].op == 4 && x->f[1].nl == 3 && x->f[1].list[1] == 9 && x->f[1].min == 7 &&
			      x->f[1].max == 9,
		      "list rule");
		CHECK(x->nc == 2 && x->c[0].l4 == 0 && x->c[1].kind == 2, "checksum rules");
		CHECK(t_validate(&set, 1500, why, sizeof why) == 0, "valid: %s", why);
		CHECK(t_check_checksums(x, why, sizeof why) == 0, "%s", why);
	}
	t_set_free(&set);
	CHECK(xd_flow_random(5, 5, 0, 123) == 5 && xd_flow_random(0, UINT64_MAX, 0, 0) == t_splitmix(0x9E3779B97F4A7C15ULL),
	      "flow random");
}

int main(void)
{
	test_checksums();
	test_request();
	test_options();
	test_format();
	test_encoder();
	return t_summary("c-sdk");
}
