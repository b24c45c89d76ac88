/* The Extism kernel imports the test plugins use (offsets and lengths are i64). */
#ifndef TEST_EXTISM_H
#define TEST_EXTISM_H
typedef unsigned long long u64;
typedef unsigned int u32;
typedef unsigned short u16;
typedef unsigned char u8;
#define IMPORT(n) __attribute__((import_module("extism:host/env"), import_name(n)))
#define EXPORT(n) __attribute__((export_name(n)))
IMPORT("input_length") u64 extism_input_length(void);
IMPORT("input_load_u8") u8 extism_input_load_u8(u64);
IMPORT("alloc") u64 extism_alloc(u64);
IMPORT("store_u8") void extism_store_u8(u64, u8);
IMPORT("output_set") void extism_output_set(u64, u64);
IMPORT("error_set") void extism_error_set(u64);

/* clang may turn loops into memset/memcpy calls: freestanding versions (no libc here). */
void *memset(void *d, int c, unsigned long n) { u8 *p = d; while (n--) *p++ = (u8)c; return d; }
void *memcpy(void *d, const void *s, unsigned long n) { u8 *p = d; const u8 *q = s; while (n--) *p++ = *q++; return d; }

static u8 in_buf[4096];
static __attribute__((unused)) u64 input(void) {
	u64 n = extism_input_length();
	for (u64 i = 0; i < n && i < sizeof in_buf; i++) in_buf[i] = extism_input_load_u8(i);
	return n;
}
static __attribute__((unused)) void output(const u8 *b, u64 n) {
	u64 off = extism_alloc(n);
	for (u64 i = 0; i < n; i++) extism_store_u8(off + i, b[i]);
	extism_output_set(off, n);
}
static u64 cstrlen(const char *s) { u64 n = 0; while (s[n]) n++; return n; }
static __attribute__((unused)) void fail(const char *msg) {
	u64 n = cstrlen(msg);
	u64 off = extism_alloc(n);
	for (u64 i = 0; i < n; i++) extism_store_u8(off + i, (u8)msg[i]);
	extism_error_set(off);
}
#define DESCRIBE(json) EXPORT("describe") int describe(void) { output((const u8 *)json, cstrlen(json)); return 0; }
#ifndef ABI
#define ABI ((1 << 16) | 0)
#endif
#define VERSION_EXPORT EXPORT("xdperf_abi_version") int xdperf_abi_version(void) { return ABI; }
#endif
