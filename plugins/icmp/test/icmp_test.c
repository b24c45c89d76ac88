/*
 * Native tests of the icmp plugin: requests for IPv4 and IPv6 through generate_impl, the
 * output decoded and checked independently (c-sdk/test/xd_testlib.h), and refusals.
 *
 * Usage: icmp_test [--dump DIR] [--manifest] plugins/icmp/manifest.json
 */
#include "../../c-sdk/test/xd_testrun.h"

#define ETH 14
#define L4_V4 (ETH + 20)
#define L4_V6 (ETH + 40)

static const uint8_t V4_SRC[4] = {198, 18, 0, 1};
static const uint8_t V4_DST[4] = {198, 18, 0, 2};

static void base_v4(t_req *r)
{
	t_req_init(r);
	t_src(r, "198.18.0.1");
	t_dst(r, "198.18.0.2");
}

static void base_v6(t_req *r)
{
	t_req_init(r);
	t_src(r, "2001:db8::1");
	t_dst(r, "2001:db8::2");
}

/* Ethernet header of every template: MACs from the request, the right ethertype. */
static void check_eth(const t_tpl *t, const t_req *r, uint16_t ethertype)
{
	CHECK(memcmp(t->frame, r->dmac, 6) == 0, "destination MAC");
	CHECK(memcmp(t->frame + 6, r->smac, 6) == 0, "source MAC");
	CHECK(t_be16(t->frame + 12) == ethertype, "ethertype %04x", t_be16(t->frame + 12));
}

static void check_pattern(const t_tpl *t, int from, int to, int base)
{
	bool ok = true;
	for (int i = from; i < to; i++)
		ok &= t->frame[i] == (uint8_t)(i - base);
	CHECK(ok, "payload pattern in %d..%d", from, to);
}

static void test_echo_v4_defaults(void)
{
	t_req r;
	base_v4(&r);
	t_case = "echo v4 defaults";
	t_result res = t_generate(&r);
	CHECK(res.rc == 0, "refused: %s", res.err);
	if (!res.set_ok)
		goto out;
	CHECK(res.set.nt == 1, "%u templates", res.set.nt);
	const t_tpl *t = &res.set.t[0];
	check_eth(t, &r, 0x0800);
	const uint8_t *ip = t->frame + ETH, *icmp = t->frame + L4_V4;
	CHECK(t->len == 14 + 20 + 8 + 56, "len %u", t->len);
	CHECK(ip[0] == 0x45 && ip[9] == 1 && ip[8] == 64, "IPv4 header %02x proto %u ttl %u", ip[0], ip[9], ip[8]);
	CHECK(memcmp(ip + 12, V4_SRC, 4) == 0 && memcmp(ip + 16, V4_DST, 4) == 0, "IPv4 addresses");
	CHECK(icmp[0] == 8 && icmp[1] == 0, "ICMP type %u code %u", icmp[0], icmp[1]);
	CHECK(t_be16(icmp + 4) == 1 && t_be16(icmp + 6) == 0, "identifier %u sequence %u", t_be16(icmp + 4),
	      t_be16(icmp + 6));
	CHECK(t->stream == 7 && t->weight == 1 && t->flows == 1, "stream %u weight %u flows %u", t->stream, t->weight,
	      t->flows);
	CHECK(t->mh == L4_V4 + 8, "measurement header at %u", t->mh);
	t_check_mh(t, 7);
	check_pattern(t, t->mh + 18, t->len, L4_V4 + 8);
	CHECK(t->nc == 2 && t->c[0].kind == 1 && t->c[0].ip == ETH && t->c[1].kind == 4 && t->c[1].ip == ETH &&
		      t->c[1].l4 == L4_V4,
	      "checksum rules");
	int id = t_field_at(t, L4_V4 + 4), seq = t_field_at(t, L4_V4 + 6);
	CHECK(t->nf == 2 && id >= 0 && seq >= 0, "field rules: %u", t->nf);
	if (id >= 0 && seq >= 0) {
		const t_field *fi = &t->f[id], *fs = &t->f[seq];
		CHECK(fi->width == 2 && fi->op == 1 && fi->scope == 1 && fi->min == 1 && fi->max == 1 && fi->step == 1,
		      "identifier rule");
		CHECK(fs->width == 2 && fs->op == 1 && fs->scope == 0 && fs->min == 0 && fs->max == 0xffff && fs->step == 1,
		      "sequence rule");
	}
out:
	t_result_free(&res);
}

static void test_echo_v4_flows(void)
{
	t_req r;
	base_v4(&r);
	t_opt(&r, "flows", "100");
	t_opt(&r, "ident", "500");
	t_opt(&r, "payload", "100");
	t_case = "echo v4 flows";
	t_result res = t_generate(&r);
	CHECK(res.rc == 0, "refused: %s", res.err);
	if (!res.set_ok)
		goto out;
	const t_tpl *t = &res.set.t[0];
	CHECK(t->len == 42 + 100 && t->flows == 100, "len %u flows %u", t->len, t->flows);
	const uint64_t js[] = {0, 3, 99, 100, 70000};
	for (size_t k = 0; k < sizeof js / sizeof js[0]; k++) {
		t_tpl p;
		t_packet(t, js[k], &p);
		uint16_t want_id = (uint16_t)(500 + js[k] % 100), want_seq = (uint16_t)(js[k] % 65536);
		CHECK(t_be16(p.frame + L4_V4 + 4) == want_id, "packet %llu identifier %u, want %u",
		      (unsigned long long)js[k], t_be16(p.frame + L4_V4 + 4), want_id);
		CHECK(t_be16(p.frame + L4_V4 + 6) == want_seq, "packet %llu sequence %u", (unsigned long long)js[k],
		      t_be16(p.frame + L4_V4 + 6));
	}
out:
	t_result_free(&res);
}

static void test_echo_v6(void)
{
	t_req r;
	base_v6(&r);
	r.stream = 300;
	t_case = "echo v6";
	t_result res = t_generate(&r);
	CHECK(res.rc == 0, "refused: %s", res.err);
	if (!res.set_ok)
		goto out;
	const t_tpl *t = &res.set.t[0];
	check_eth(t, &r, 0x86DD);
	const uint8_t *ip = t->frame + ETH, *icmp = t->frame + L4_V6;
	CHECK(t->len == 14 + 40 + 8 + 56, "len %u", t->len);
	CHECK(ip[0] >> 4 == 6 && ip[6] == 58 && ip[7] == 64, "IPv6 header: next %u hops %u", ip[6], ip[7]);
	CHECK(memcmp(ip + 8, r.src[0].b, 16) == 0 && memcmp(ip + 24, r.dst[0].b, 16) == 0, "IPv6 addresses");
	CHECK(icmp[0] == 128 && icmp[1] == 0, "ICMPv6 type %u", icmp[0]);
	CHECK(t->nc == 1 && t->c[0].kind == 5 && t->c[0].ip == ETH && t->c[0].l4 == L4_V6, "checksum rules");
	CHECK(t->mh == L4_V6 + 8, "measurement header at %u", t->mh);
	t_check_mh(t, 300);
	CHECK(t_field_at(t, L4_V6 + 4) >= 0 && t_field_at(t, L4_V6 + 6) >= 0, "identifier and sequence rules");
out:
	t_result_free(&res);
}

static void test_family_choice(void)
{
	t_req r;
	t_req_init(&r);
	t_src(&r, "198.18.0.1");
	t_src(&r, "2001:db8::1");
	t_dst(&r, "198.18.0.2");
	t_dst(&r, "2001:db8::2");
	t_case = "mixed addresses, IPv4 by default";
	t_result res = t_generate(&r);
	CHECK(res.rc == 0 && res.set_ok && res.set.nt == 1 && t_be16(res.set.t[0].frame + 12) == 0x0800,
	      "expected one IPv4 template: %s", res.err);
	t_result_free(&res);

	t_opt(&r, "ipv6", "true");
	t_case = "mixed addresses, ipv6=true";
	res = t_generate(&r);
	CHECK(res.rc == 0 && res.set_ok && res.set.nt == 1 && t_be16(res.set.t[0].frame + 12) == 0x86DD,
	      "expected one IPv6 template: %s", res.err);
	t_result_free(&res);

	t_req_init(&r);
	t_src(&r, "198.18.0.1");
	t_src(&r, "2001:db8::1");
	t_dst(&r, "2001:db8::2");
	t_case = "IPv6 destination only";
	res = t_generate(&r);
	CHECK(res.rc == 0 && res.set_ok && res.set.nt == 1 && t_be16(res.set.t[0].frame + 12) == 0x86DD,
	      "expected one IPv6 template: %s", res.err);
	t_result_free(&res);
}

static void test_address_pairs(void)
{
	t_req r;
	t_req_init(&r);
	t_src(&r, "10.0.0.1");
	t_src(&r, "10.0.0.2");
	t_dst(&r, "10.1.0.1");
	t_dst(&r, "10.1.0.2");
	t_dst(&r, "10.1.0.3");
	t_case = "2 sources, 3 destinations: the first of each by default";
	t_result res = t_generate(&r);
	CHECK(res.rc == 0 && res.set_ok && res.set.nt == 1, "templates: %u (%s)", res.set.nt, res.err);
	if (res.set_ok)
		CHECK(res.set.t[0].frame[ETH + 15] == 1 && res.set.t[0].frame[ETH + 19] == 1, "first addresses");
	t_result_free(&res);

	t_opt(&r, "addresses", "all");
	t_case = "2 sources x 3 destinations";
	res = t_generate(&r);
	CHECK(res.rc == 0 && res.set_ok && res.set.nt == 6, "templates: %u (%s)", res.set.nt, res.err);
	if (res.set_ok && res.set.nt == 6)
		for (int i = 0; i < 6; i++) {
			const uint8_t *ip = res.set.t[i].frame + ETH;
			CHECK(ip[15] == 1 + i / 3 && ip[19] == 1 + i % 3, "template %d: %u -> %u", i, ip[15], ip[19]);
		}
	t_result_free(&res);
}

static void test_sizes(void)
{
	t_req r;
	base_v4(&r);
	r.size = 200;
	t_case = "frame size 200";
	t_result res = t_generate(&r);
	CHECK(res.rc == 0 && res.set_ok && res.set.t[0].len == 200, "len %u (%s)", res.set_ok ? res.set.t[0].len : 0,
	      res.err);
	t_result_free(&res);

	base_v4(&r);
	t_opt(&r, "payload", "10");
	t_case = "payload 10: no room for the measurement header";
	res = t_generate(&r);
	CHECK(res.rc == 0 && res.set_ok && res.set.t[0].len == 52 && res.set.t[0].mh == 0, "len or header (%s)", res.err);
	if (res.set_ok)
		check_pattern(&res.set.t[0], L4_V4 + 8, 52, L4_V4 + 8);
	t_result_free(&res);

	base_v6(&r);
	t_opt(&r, "payload", "0");
	t_case = "payload 0 over IPv6";
	res = t_generate(&r);
	CHECK(res.rc == 0 && res.set_ok && res.set.t[0].len == 62 && res.set.t[0].mh == 0, "len or header (%s)", res.err);
	t_result_free(&res);

	base_v4(&r);
	r.mtu = 9000;
	t_opt(&r, "payload", "1472");
	t_case = "largest IPv4 echo";
	res = t_generate(&r);
	CHECK(res.rc == 0 && res.set_ok && res.set.t[0].len == 1514, "len (%s)", res.err);
	t_result_free(&res);
}

/* Error messages: outer ICMP header, the quoted packet, one valid quoted UDP header per flow. */
static void check_error(const t_tpl *t, const t_req *r, int fam, int type, int code, int ttl, uint32_t flows,
			int payload)
{
	int l4 = fam == 4 ? L4_V4 : L4_V6, iplen = fam == 4 ? 20 : 40;
	int qip = l4 + 8, qudp = qip + iplen;
	CHECK(t->len == l4 + 8 + iplen + 8 + payload, "len %u", t->len);
	CHECK(t->frame[l4] == type && t->frame[l4 + 1] == code, "type %u code %u", t->frame[l4], t->frame[l4 + 1]);
	CHECK(t_be32(t->frame + l4 + 4) == 0, "unused word not 0");
	CHECK(t->mh == 0, "measurement header in an error message");
	CHECK(t->flows == flows, "flows %u", t->flows);
	const uint8_t *q = t->frame + qip;
	if (fam == 4) {
		CHECK(q[0] == 0x45 && q[9] == 17 && q[8] == ttl, "quoted IPv4 header");
		CHECK(t_ipv4_header_ok(q), "quoted IPv4 header checksum");
		CHECK(t_be16(q + 2) == 20 + 8 + payload, "quoted IPv4 length %u", t_be16(q + 2));
		CHECK(memcmp(q + 12, r->dst[0].b, 4) == 0 && memcmp(q + 16, r->src[0].b, 4) == 0,
		      "quoted packet goes from the destination to the source");
	} else {
		CHECK(q[0] >> 4 == 6 && q[6] == 17 && q[7] == ttl, "quoted IPv6 header");
		CHECK(t_be16(q + 4) == 8 + payload, "quoted IPv6 payload length %u", t_be16(q + 4));
		CHECK(memcmp(q + 8, r->dst[0].b, 16) == 0 && memcmp(q + 24, r->src[0].b, 16) == 0,
		      "quoted packet goes from the destination to the source");
	}
	int rule = t_field_at(t, qudp);
	CHECK(t->nf == 1 && rule == 0, "quoted UDP rule");
	if (rule != 0)
		return;
	const t_field *f = &t->f[0];
	CHECK(f->width == 8 && f->op == 4 && f->scope == 1 && f->nl == flows, "list rule: width %u op %u nl %u",
	      f->width, f->op, f->nl);
	CHECK(t_get_be(t->frame + qudp, 8) == f->list[0], "template holds flow 0's quoted header");
	check_pattern(t, qudp + 8, t->len, qudp + 8);
	/* Every flow: the quoted datagram's checksum holds, its source port is the flow's. */
	for (uint64_t j = 0; j < flows + 2; j++) {
		t_tpl p;
		t_packet(t, j, &p);
		const uint8_t *u = p.frame + qudp;
		CHECK(t_be16(u) == 49152 + j % flows && t_be16(u + 2) == 33434 && t_be16(u + 4) == 8 + payload,
		      "packet %llu quoted UDP ports %u > %u", (unsigned long long)j, t_be16(u), t_be16(u + 2));
		CHECK(t_l4_ok(p.frame + qip, 17, u, 8 + payload), "packet %llu quoted UDP checksum", (unsigned long long)j);
		char why[128];
		CHECK(t_check_checksums(&p, why, sizeof why) == 0, "packet %llu: %s", (unsigned long long)j, why);
	}
}

static void test_errors(void)
{
	t_req r;
	base_v4(&r);
	t_opt(&r, "type", "unreachable");
	t_opt(&r, "flows", "10");
	t_opt(&r, "payload", "32");
	t_case = "unreachable v4";
	t_result res = t_generate(&r);
	CHECK(res.rc == 0, "refused: %s", res.err);
	if (res.set_ok) {
		check_eth(&res.set.t[0], &r, 0x0800);
		check_error(&res.set.t[0], &r, 4, 3, 3, 64, 10, 32);
		CHECK(res.set.t[0].nc == 2 && res.set.t[0].c[1].kind == 4, "checksum rules");
	}
	t_result_free(&res);

	base_v4(&r);
	t_opt(&r, "type", "time-exceeded");
	t_case = "time-exceeded v4";
	res = t_generate(&r);
	CHECK(res.rc == 0, "refused: %s", res.err);
	if (res.set_ok)
		check_error(&res.set.t[0], &r, 4, 11, 0, 1, 1, 56);
	t_result_free(&res);

	base_v6(&r);
	t_opt(&r, "type", "time-exceeded");
	t_opt(&r, "flows", "3");
	t_case = "time-exceeded v6";
	res = t_generate(&r);
	CHECK(res.rc == 0, "refused: %s", res.err);
	if (res.set_ok) {
		check_eth(&res.set.t[0], &r, 0x86DD);
		check_error(&res.set.t[0], &r, 6, 3, 0, 1, 3, 56);
		CHECK(res.set.t[0].nc == 1 && res.set.t[0].c[0].kind == 5, "checksum rules");
	}
	t_result_free(&res);

	base_v6(&r);
	t_opt(&r, "type", "unreachable");
	t_opt(&r, "flows", "256");
	r.size = 300;
	t_case = "unreachable v6, 256 flows, frame size 300";
	res = t_generate(&r);
	CHECK(res.rc == 0, "refused: %s", res.err);
	if (res.set_ok)
		check_error(&res.set.t[0], &r, 6, 1, 4, 64, 256, 300 - 110);
	t_result_free(&res);
}

static void test_refusals(void)
{
	t_req r;
#define REFUSE(setup, needle)                      \
	do {                                        \
		base_v4(&r);                        \
		setup;                              \
		t_expect_refusal(&r, #setup, needle); \
	} while (0)
	REFUSE(t_opt(&r, "payload", "abc"), "not an integer");
	REFUSE(t_opt(&r, "payload", "5000"), "outside 0..1472");
	REFUSE(t_opt(&r, "payload", "-1"), "outside");
	REFUSE(t_opt(&r, "type", "redirect"), "not one of echo, unreachable, time-exceeded");
	REFUSE(t_opt(&r, "ipv6", "yes"), "not true or false");
	REFUSE(t_opt(&r, "flows", "0"), "outside 1..65536");
	REFUSE(t_opt(&r, "ident", "70000"), "outside 0..65535");
	REFUSE(t_opt(&r, "colour", "blue"), "unknown option 'colour'");
	REFUSE(t_opt(&r, "addresses", "some"), "not one of first, all");
	REFUSE((t_opt(&r, "payload", "1"), t_opt(&r, "payload", "2")), "given twice");
	REFUSE((t_opt(&r, "ident", "65000"), t_opt(&r, "flows", "1000")), "run past identifier 65535");
	REFUSE((t_opt(&r, "type", "unreachable"), t_opt(&r, "flows", "300")), "more than the 256 quoted flows");
	REFUSE(r.nd = 0, "no IPv4 destination address");
	REFUSE(r.ns = 0, "no IPv4 source address");
	REFUSE(t_opt(&r, "ipv6", "true"), "no IPv6 destination address");
	REFUSE(r.size = 30, "frame size 30 is smaller than the 42 bytes");
	REFUSE((t_opt(&r, "type", "unreachable"), r.size = 60), "smaller than the 70 bytes");
	REFUSE((r.mtu = 576, t_opt(&r, "payload", "1000")), "MTU of 576");
	REFUSE(memcpy(r.magic, "XDTS", 4), "wrong magic");
	REFUSE(r.trailing = 3, "3 trailing bytes");
	REFUSE(r.reserved = 1, "reserved");
	REFUSE((r.major = 2, r.minor = 3), "template ABI 2.3");
	REFUSE(r.bad_family = 5, "family 5");
	REFUSE(for (int i = 0; i < 16; i++) t_dst(&r, "198.18.0.9"), "at most 16");
	base_v6(&r);
	t_opt(&r, "payload", "1472");
	r.mtu = 9000;
	t_expect_refusal(&r, "IPv6 echo over 1514 bytes", "longer than 1514");

	/* a request cut short anywhere is refused, never read past its end */
	base_v4(&r);
	t_opt(&r, "payload", "64");
	size_t n;
	uint8_t *req = t_req_encode(&r, &n);
	t_case = "truncated requests";
	bool all = true;
	for (size_t cut = 0; cut < n; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, req, cut);
		char err[256] = "";
		xd_writer w;
		xd_writer_init(&w, NULL, 0);
		w.grow = t_grow;
		int rc = generate_impl(copy, cut, &w, err, sizeof err);
		all &= rc != 0 && strstr(err, "truncated") != NULL;
		free(w.buf);
		free(copy);
	}
	CHECK(all, "some truncated request was not refused as truncated");
	free(req);
}

int main(int argc, char **argv)
{
	const char *manifest = t_args(argc, argv);
	if (!manifest)
		return 0;
	t_check_description(manifest);
	test_echo_v4_defaults();
	test_echo_v4_flows();
	test_echo_v6();
	test_family_choice();
	test_address_pairs();
	test_sizes();
	test_errors();
	test_refusals();
	return t_summary("icmp");
}
