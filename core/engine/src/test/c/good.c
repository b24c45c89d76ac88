/* A well-behaved test plugin: one IPv4/UDP template per `templates` option value (1..3),
 * weights 3:2:1, a per-flow source port rule, a per-packet list rule on the IP id, and a
 * measurement header. Addresses and MACs come from the run request. */
#include "extism.h"
VERSION_EXPORT
DESCRIBE("{\"id\":\"good\",\"version\":\"0.0.1\",\"abi\":\"1.0\",\"description\":\"test plugin\","
	 "\"options\":[{\"name\":\"templates\",\"type\":\"int\",\"min\":1,\"max\":3,\"default\":\"3\",\"help\":\"how many\"},"
	 "{\"name\":\"mode\",\"type\":\"enum\",\"values\":[\"a\",\"b\"],\"default\":\"a\",\"help\":\"m\"}]}")

static u8 out[8192];
static u64 pos;
static void u8w(u32 v) { out[pos++] = (u8)v; }
static void u16w(u32 v) { u8w(v); u8w(v >> 8); }
static void u32w(u32 v) { u16w(v); u16w(v >> 16); }
static void u64w(u64 v) { u32w((u32)v); u32w((u32)(v >> 32)); }

EXPORT("generate") int generate(void) {
	u64 n = input();
	if (n < 32 || in_buf[0] != 'X' || in_buf[1] != 'D' || in_buf[2] != 'R' || in_buf[3] != 'Q') { fail("bad request"); return 1; }
	const u8 *src_mac = in_buf + 12, *dst_mac = in_buf + 18;
	u32 stream_base = in_buf[26] | (in_buf[27] << 8);
	u32 ns = in_buf[28];
	const u8 *p = in_buf + 32;
	const u8 *src_ip = 0, *dst_ip = 0;
	for (u32 i = 0; i < ns; i++) { if (p[0] == 4 && !src_ip) src_ip = p + 1; p += 1 + (p[0] == 4 ? 4 : 16); }
	u32 nd = in_buf[29];
	for (u32 i = 0; i < nd; i++) { if (p[0] == 4 && !dst_ip) dst_ip = p + 1; p += 1 + (p[0] == 4 ? 4 : 16); }
	u32 templates = 3;
	u32 no = p[0] | (p[1] << 8); p += 2;
	for (u32 i = 0; i < no; i++) {
		u32 kl = p[0] | (p[1] << 8); const u8 *k = p + 2; p += 2 + kl;
		u32 vl = p[0] | (p[1] << 8); const u8 *v = p + 2; p += 2 + vl;
		if (kl == 9 && k[0] == 't' && vl == 1) templates = v[0] - '0';
	}
	if (!src_ip || !dst_ip) { fail("the run request has no IPv4 addresses"); return 1; }
	static const u32 lens[3] = {64, 128, 1000};
	u8w('X'); u8w('D'); u8w('T'); u8w('S'); u16w(1); u16w(0); u16w(templates); u16w(0);
	for (u32 t = 0; t < templates; t++) {
		u32 len = lens[t];
		u16w(len); u16w(stream_base + t); u32w(3 - t); u32w(100); u16w(42); u8w(2); u8w(2);
		u64 f = pos;
		for (u32 i = 0; i < len; i++) out[f + i] = 0;
		for (u32 i = 0; i < 6; i++) { out[f + i] = dst_mac[i]; out[f + 6 + i] = src_mac[i]; }
		out[f + 12] = 0x08; out[f + 13] = 0x00;
		out[f + 14] = 0x45; out[f + 16] = (len - 14) >> 8; out[f + 17] = (len - 14) & 0xff;
		out[f + 20] = 0x40; out[f + 22] = 64; out[f + 23] = 17;
		for (u32 i = 0; i < 4; i++) { out[f + 26 + i] = src_ip[i]; out[f + 30 + i] = dst_ip[i]; }
		out[f + 34] = 0x30; out[f + 35] = 0x39; out[f + 36] = 0x14; out[f + 37] = 0x51;
		out[f + 38] = (len - 34) >> 8; out[f + 39] = (len - 34) & 0xff;
		out[f + 42] = 0x58; out[f + 43] = 0xDF; out[f + 44] = 0; out[f + 45] = (u8)(stream_base + t); out[f + 59] = 1;
		pos += len;
		/* source port: per flow, 10000.. */
		u16w(34); u8w(2); u8w(1); u8w(1); u8w(0); u16w(0); u64w(10000); u64w(10099); u64w(1);
		/* IP id: per packet list */
		u16w(18); u8w(2); u8w(4); u8w(0); u8w(0); u16w(3); u64w(0); u64w(0); u64w(1); u64w(7); u64w(11); u64w(13);
		/* checksums: IPv4 header, UDP */
		u8w(1); u8w(0); u16w(14); u16w(0); u16w(0);
		u8w(2); u8w(0); u16w(14); u16w(34); u16w(0);
	}
	output(out, pos);
	return 0;
}
