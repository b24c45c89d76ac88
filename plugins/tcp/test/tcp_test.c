/*
 * Native tests of the tcp plugin: requests for IPv4 and IPv6 through generate_impl, the
 * output decoded and checked independently (c-sdk/test/xd_testlib.h), and refusals.
 *
 * Usage: tcp_test [--dump DIR] [--manifest] plugins/tcp/manifest.json
 */
#include "../../c-sdk/test/xd_testrun.h"

#define ETH 14
#define L4_V4 (ETH + 20)
#define L4_V6 (ETH + 40)

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

/* What the field engine puts into flow f for a per-flow random 32-bit rule with index i. */
static uint32_t flow_random32(int i, uint64_t f)
{
	return (uint32_t)t_splitmix(f + (uint64_t)(i + 1) * 0x9E3779B97F4A7C15ULL);
}

typedef struct {
	int mss;      /* expected MSS option, 0 for none */
	bool ts;      /* expected timestamps option */
	uint8_t flags;
	int payload;
} want;

/* Checks one TCP template: headers, options, rules; returns the L4 offset. */
static void check_tcp(const t_tpl *t, const t_req *r, int fam, const want *w)
{
	int l4 = fam == 4 ? L4_V4 : L4_V6;
	const uint8_t *ip = t->frame + ETH, *tcp = t->frame + l4;
	int optlen = (w->mss ? 4 : 0) + (w->ts ? 12 : 0);
	int hlen = 20 + optlen;
	CHECK(memcmp(t->frame, r->dmac, 6) == 0 && memcmp(t->frame + 6, r->smac, 6) == 0, "MACs");
	CHECK(t->len == l4 + hlen + w->payload, "len %u, want %d", t->len, l4 + hlen + w->payload);
	if (fam == 4) {
		CHECK(t_be16(t->frame + 12) == 0x0800 && ip[0] == 0x45 && ip[9] == 6 && ip[8] == 64, "IPv4 header");
		CHECK(t_be16(ip + 6) == 0x4000, "IPv4 don't-fragment");
		CHECK(memcmp(ip + 12, r->src[0].b, 4) == 0 && memcmp(ip + 16, r->dst[0].b, 4) == 0, "IPv4 addresses");
		CHECK(t->nc == 2 && t->c[0].kind == 1 && t->c[1].kind == 3 && t->c[1].ip == ETH && t->c[1].l4 == l4,
		      "checksum rules");
	} else {
		CHECK(t_be16(t->frame + 12) == 0x86DD && ip[0] >> 4 == 6 && ip[6] == 6 && ip[7] == 64, "IPv6 header");
		CHECK(memcmp(ip + 8, r->src[0].b, 16) == 0 && memcmp(ip + 24, r->dst[0].b, 16) == 0, "IPv6 addresses");
		CHECK(t->nc == 1 && t->c[0].kind == 3 && t->c[0].ip == ETH && t->c[0].l4 == l4, "checksum rules");
	}
	CHECK(tcp[12] >> 4 == hlen / 4 && (tcp[12] & 15) == 0, "data offset %u", tcp[12] >> 4);
	CHECK(tcp[13] == w->flags, "flags %02x, want %02x", tcp[13], w->flags);
	CHECK(t_be16(tcp + 18) == 0, "urgent pointer");
	const uint8_t *o = tcp + 20;
	if (w->mss) {
		CHECK(o[0] == 2 && o[1] == 4 && t_be16(o + 2) == w->mss, "MSS option %u", t_be16(o + 2));
		o += 4;
	}
	if (w->ts) {
		CHECK(o[0] == 1 && o[1] == 1 && o[2] == 8 && o[3] == 10, "timestamp option layout");
		CHECK(t_be32(o + 4) == 1, "TSval %u", t_be32(o + 4));
		CHECK(t_be32(o + 8) == ((w->flags & 0x10) ? 1u : 0u), "TSecr %u", t_be32(o + 8));
	}
	/* rules: source port per flow, seq random per flow, ack random per flow, TSval per packet */
	int sp = t_field_at(t, l4), seq = t_field_at(t, l4 + 4), ack = t_field_at(t, l4 + 8);
	int tsv = w->ts ? t_field_at(t, (int)(o - t->frame) + 4) : -1;
	bool acks = w->flags & 0x10;
	CHECK(sp == 0 && t->f[0].width == 2 && t->f[0].op == 1 && t->f[0].scope == 1, "source port rule");
	CHECK(seq == 1 && t->f[1].width == 4 && t->f[1].op == 3 && t->f[1].scope == 1 && t->f[1].min == 0 &&
		      t->f[1].max == 0xffffffffu,
	      "sequence rule");
	CHECK(acks ? (ack == 2 && t->f[2].op == 3 && t->f[2].scope == 1) : ack < 0, "acknowledgment rule");
	if (w->ts)
		CHECK(tsv >= 0 && t->f[tsv].width == 4 && t->f[tsv].op == 1 && t->f[tsv].scope == 0, "TSval rule");
	CHECK(t->nf == 2 + acks + w->ts, "%u field rules", t->nf);
	/* the template is the run's first packet */
	CHECK(t_be32(tcp + 4) == flow_random32(1, 0), "template seq is flow 0's");
	CHECK(t_be32(tcp + 8) == (acks ? flow_random32(2, 0) : 0), "template ack");
	if (w->payload >= 18) {
		CHECK(t->mh == l4 + hlen, "measurement header at %u", t->mh);
		t_check_mh(t, r->stream);
		bool pat = true;
		for (int i = 18; i < w->payload; i++)
			pat &= t->frame[l4 + hlen + i] == (uint8_t)i;
		CHECK(pat, "payload pattern");
	} else {
		CHECK(t->mh == 0, "measurement header without room for it");
	}
}

static t_result run_ok(const t_req *r, const char *name)
{
	t_case = name;
	t_result res = t_generate(r);
	CHECK(res.rc == 0, "refused: %s", res.err);
	CHECK(res.rc != 0 || res.set_ok, "output does not check out");
	return res;
}

static void test_syn_v4_defaults(void)
{
	t_req r;
	base_v4(&r);
	t_result res = run_ok(&r, "syn v4 defaults");
	if (res.set_ok) {
		const t_tpl *t = &res.set.t[0];
		want w = {.mss = 1460, .flags = 0x02};
		check_tcp(t, &r, 4, &w);
		const uint8_t *tcp = t->frame + L4_V4;
		CHECK(t_be16(tcp) == 1024 && t_be16(tcp + 2) == 80 && t_be16(tcp + 14) == 65535, "ports %u > %u window %u",
		      t_be16(tcp), t_be16(tcp + 2), t_be16(tcp + 14));
		CHECK(t->f[0].min == 1024 && t->f[0].max == 65535 && t->f[0].step == 1, "source port range");
		CHECK(t->flows == 1 && t->stream == 7, "flows %u stream %u", t->flows, t->stream);
		CHECK(t->len == 58, "a SYN with MSS is 58 bytes, got %u", t->len);
	}
	t_result_free(&res);
}

static void test_flows(void)
{
	t_req r;
	base_v4(&r);
	t_opt(&r, "flows", "1000");
	t_opt(&r, "src-ports", "2000-2099");
	t_opt(&r, "dst-port", "443");
	t_opt(&r, "flags", "ack");
	t_opt(&r, "window", "512");
	t_result res = run_ok(&r, "ack v4, 1000 flows over 100 ports");
	if (res.set_ok) {
		const t_tpl *t = &res.set.t[0];
		want w = {.flags = 0x10};
		check_tcp(t, &r, 4, &w);
		CHECK(t->flows == 1000, "flows %u", t->flows);
		CHECK(t_be16(t->frame + L4_V4 + 14) == 512 && t_be16(t->frame + L4_V4 + 2) == 443, "window, port");
		uint32_t seq_f5 = 0;
		const uint64_t js[] = {0, 5, 150, 999, 1005};
		for (size_t k = 0; k < sizeof js / sizeof js[0]; k++) {
			t_tpl p;
			t_packet(t, js[k], &p);
			uint64_t f = js[k] % 1000;
			const uint8_t *tcp = p.frame + L4_V4;
			CHECK(t_be16(tcp) == 2000 + f % 100, "packet %llu source port %u", (unsigned long long)js[k],
			      t_be16(tcp));
			CHECK(t_be32(tcp + 4) == flow_random32(1, f), "packet %llu seq", (unsigned long long)js[k]);
			CHECK(t_be32(tcp + 8) == flow_random32(2, f), "packet %llu ack", (unsigned long long)js[k]);
			if (f == 5) {
				if (seq_f5)
					CHECK(t_be32(tcp + 4) == seq_f5, "flow 5 keeps its sequence number");
				seq_f5 = t_be32(tcp + 4);
			}
		}
		CHECK(flow_random32(1, 5) == (uint32_t)xd_flow_random(0, 0xffffffffu, 1, 5), "SDK's flow random");
	}
	t_result_free(&res);
}

static void test_synack_v6_timestamps(void)
{
	t_req r;
	base_v6(&r);
	t_opt(&r, "flags", "synack");
	t_opt(&r, "timestamps", "true");
	t_opt(&r, "mss", "1440");
	t_result res = run_ok(&r, "synack v6 with timestamps");
	if (res.set_ok) {
		want w = {.mss = 1440, .ts = true, .flags = 0x12};
		check_tcp(&res.set.t[0], &r, 6, &w);
		t_tpl p;
		t_packet(&res.set.t[0], 41, &p);
		CHECK(t_be32(p.frame + L4_V6 + 20 + 4 + 4) == 42, "TSval of packet 41: %u", t_be32(p.frame + L4_V6 + 28));
	}
	t_result_free(&res);
}

static void test_variants(void)
{
	t_req r;
	base_v4(&r);
	t_opt(&r, "flags", "ack");
	t_opt(&r, "mss", "1460");
	t_result res = run_ok(&r, "ack carries no MSS");
	if (res.set_ok) {
		want w = {.flags = 0x10};
		check_tcp(&res.set.t[0], &r, 4, &w);
	}
	t_result_free(&res);

	base_v4(&r);
	t_opt(&r, "mss", "0");
	res = run_ok(&r, "syn without options");
	if (res.set_ok) {
		want w = {.flags = 0x02};
		check_tcp(&res.set.t[0], &r, 4, &w);
	}
	t_result_free(&res);

	base_v4(&r);
	t_opt(&r, "flags", "data");
	t_opt(&r, "payload", "100");
	t_opt(&r, "timestamps", "true");
	res = run_ok(&r, "data v4");
	if (res.set_ok) {
		want w = {.ts = true, .flags = 0x18, .payload = 100};
		check_tcp(&res.set.t[0], &r, 4, &w);
	}
	t_result_free(&res);

	base_v6(&r);
	r.stream = 9;
	r.size = 300;
	t_opt(&r, "flags", "data");
	res = run_ok(&r, "data v6, frame size 300");
	if (res.set_ok) {
		want w = {.flags = 0x18, .payload = 300 - 74};
		check_tcp(&res.set.t[0], &r, 6, &w);
	}
	t_result_free(&res);

	base_v4(&r);
	t_opt(&r, "flags", "data");
	t_opt(&r, "payload", "10");
	res = run_ok(&r, "data too short for the measurement header");
	if (res.set_ok) {
		want w = {.flags = 0x18, .payload = 10};
		check_tcp(&res.set.t[0], &r, 4, &w);
	}
	t_result_free(&res);

	base_v4(&r);
	r.size = 64;
	res = run_ok(&r, "syn with frame size 64 (NIC padding)");
	CHECK(!res.set_ok || res.set.t[0].len == 58, "len %u", res.set_ok ? res.set.t[0].len : 0);
	t_result_free(&res);

	base_v4(&r);
	r.mtu = 9000;
	t_opt(&r, "flags", "data");
	t_opt(&r, "payload", "1460");
	res = run_ok(&r, "largest data segment");
	CHECK(!res.set_ok || res.set.t[0].len == 1514, "len %u", res.set_ok ? res.set.t[0].len : 0);
	t_result_free(&res);

	t_req_init(&r);
	t_src(&r, "2001:db8::1");
	t_src(&r, "2001:db8::2");
	t_src(&r, "198.18.0.1");
	t_dst(&r, "2001:db8::a");
	t_dst(&r, "2001:db8::b");
	res = run_ok(&r, "IPv6, the first pair by default");
	CHECK(!res.set_ok || (res.set.nt == 1 && res.set.t[0].frame[ETH + 23] == 1 && res.set.t[0].frame[ETH + 39] == 0xa),
	      "one template, first addresses");
	t_result_free(&res);
	t_opt(&r, "addresses", "all");
	res = run_ok(&r, "2x2 IPv6 pairs");
	CHECK(!res.set_ok || res.set.nt == 4, "%u templates", res.set.nt);
	if (res.set_ok && res.set.nt == 4)
		for (int i = 0; i < 4; i++) {
			const uint8_t *ip = res.set.t[i].frame + ETH;
			CHECK(ip[23] == 1 + i / 2 && ip[39] == 0xa + i % 2, "template %d addresses", i);
		}
	t_result_free(&res);
}

static void test_refusals(void)
{
	t_req r;
#define REFUSE(setup, needle)                        \
	do {                                          \
		base_v4(&r);                          \
		setup;                                \
		t_expect_refusal(&r, #setup, needle); \
	} while (0)
	REFUSE(t_opt(&r, "flags", "fin"), "not one of syn, synack, ack, data");
	REFUSE(t_opt(&r, "src-ports", "70000-80000"), "not a port range");
	REFUSE(t_opt(&r, "src-ports", "2000-1000"), "not a port range");
	REFUSE(t_opt(&r, "src-ports", "abc"), "not a port range");
	REFUSE(t_opt(&r, "src-ports", "1000-"), "not a port range");
	REFUSE(t_opt(&r, "dst-port", "0"), "outside 1..65535");
	REFUSE(t_opt(&r, "window", "70000"), "outside 0..65535");
	REFUSE(t_opt(&r, "mss", "-1"), "outside 0..65535");
	REFUSE(t_opt(&r, "timestamps", "1"), "not true or false");
	REFUSE(t_opt(&r, "payload", "2000"), "outside 0..1460");
	REFUSE(t_opt(&r, "flows", "0"), "outside 1..16777216");
	REFUSE(t_opt(&r, "flows", "9999999999999999999999"), "not an integer");
	REFUSE(t_opt(&r, "syn", "true"), "unknown option 'syn'");
	REFUSE(t_opt(&r, "addresses", "any"), "not one of first, all");
	REFUSE(r.size = 200, "does not fit flags=syn");
	REFUSE(r.size = 40, "does not fit flags=syn");
	REFUSE((t_opt(&r, "flags", "data"), r.size = 50), "smaller than the 54 bytes");
	REFUSE((t_opt(&r, "flags", "data"), t_opt(&r, "payload", "1400"), r.mtu = 1000), "MTU of 1000");
	REFUSE(t_opt(&r, "ipv6", "true"), "no IPv6 destination address");
	REFUSE(r.nd = 0, "no IPv4 destination address");
	base_v6(&r);
	r.mtu = 9000;
	t_opt(&r, "flags", "data");
	t_opt(&r, "payload", "1460");
	t_opt(&r, "timestamps", "true");
	t_expect_refusal(&r, "IPv6 data over 1514 bytes", "longer than 1514");
}

int main(int argc, char **argv)
{
	const char *manifest = t_args(argc, argv);
	if (!manifest)
		return 0;
	t_check_description(manifest);
	test_syn_v4_defaults();
	test_flows();
	test_synack_v6_timestamps();
	test_variants();
	test_refusals();
	return t_summary("tcp");
}
