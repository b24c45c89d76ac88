/*
 * The WebAssembly side of a plugin: the three exports of docs/abi.md on top of a plugin's
 * generate_impl() and describe_impl(), Extism input and output, a bump allocator over
 * linear memory, and the memcpy/memset the compiler may call. The only file that uses the
 * Extism host functions.
 *
 * Copyright the xdperf authors. Licensed under the Apache License, Version 2.0.
 */
#include "extism.h"
#include "xdperf_plugin.h"

#define XD_EXPORT(name) __attribute__((export_name(name)))

/* clang lowers struct copies and large initialisers to these; there is no libc to provide them. */
void *memcpy(void *dst, const void *src, size_t n)
{
	return xd_memcpy(dst, src, n);
}

void *memmove(void *dst, const void *src, size_t n)
{
	return xd_memmove(dst, src, n);
}

void *memset(void *dst, int c, size_t n)
{
	return xd_memset(dst, c, n);
}

int memcmp(const void *a, const void *b, size_t n)
{
	return xd_memcmp(a, b, n);
}

/* ---- Bump allocator: nothing is freed within a call; each export starts from scratch ---- */

extern unsigned char __heap_base;
static uintptr_t heap_top;

static void *heap_alloc(size_t n)
{
	if (!heap_top)
		heap_top = (uintptr_t)&__heap_base;
	uintptr_t start = (heap_top + 15) & ~(uintptr_t)15;
	if (n > UINTPTR_MAX - start)
		return 0;
	uintptr_t end = start + n;
	uintptr_t have = (uintptr_t)__builtin_wasm_memory_size(0) * 65536u;
	if (end > have) {
		size_t pages = (end - have + 65535u) / 65536u;
		if (__builtin_wasm_memory_grow(0, pages) == (size_t)-1)
			return 0;
	}
	heap_top = end;
	return (void *)start;
}

static void heap_reset(void)
{
	heap_top = 0;
}

static bool heap_grow(xd_writer *w, size_t need)
{
	size_t cap = w->cap ? w->cap : 4096;
	while (cap < need) {
		if (cap > SIZE_MAX / 2)
			return false;
		cap *= 2;
	}
	uint8_t *b = heap_alloc(cap);
	if (!b)
		return false;
	if (w->len)
		xd_memcpy(b, w->buf, w->len);
	w->buf = b;
	w->cap = cap;
	return true;
}

/* ---- Extism input and output --------------------------------------------------------- */

static extism_handle copy_out(const uint8_t *p, size_t n)
{
	extism_handle h = extism_alloc(n);
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v = 0;
		for (int k = 7; k >= 0; k--)
			v = v << 8 | p[i + k];
		extism_store_u64(h + i, v);
	}
	for (; i < n; i++)
		extism_store_u8(h + i, p[i]);
	return h;
}

static int fail(const char *msg)
{
	extism_error_set(copy_out((const uint8_t *)msg, xd_strlen(msg)));
	return 1;
}

static int finish(xd_writer *w)
{
	if (w->failed)
		return fail("plugin ran out of memory while writing its output");
	extism_output_set(copy_out(w->buf, w->len), w->len);
	return 0;
}

XD_EXPORT("xdperf_abi_version") int32_t xdperf_abi_version(void)
{
	return XD_ABI_VERSION;
}

XD_EXPORT("describe") int32_t describe(void)
{
	heap_reset();
	xd_writer w;
	xd_writer_init(&w, 0, 0);
	w.grow = heap_grow;
	describe_impl(&w);
	return finish(&w);
}

XD_EXPORT("generate") int32_t generate(void)
{
	static char err[512];
	heap_reset();
	uint64_t n = extism_input_length();
	if (n > SIZE_MAX)
		return fail("run request is too large");
	uint8_t *in = heap_alloc(n ? (size_t)n : 1);
	if (!in)
		return fail("plugin ran out of memory while reading the run request");
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t v = extism_input_load_u64(i);
		for (int k = 0; k < 8; k++)
			in[i + k] = (uint8_t)(v >> (8 * k));
	}
	for (; i < n; i++)
		in[i] = (uint8_t)extism_input_load_u8(i);

	xd_writer w;
	xd_writer_init(&w, 0, 0);
	w.grow = heap_grow;
	err[0] = '\0';
	if (generate_impl(in, (size_t)n, &w, err, sizeof err) != 0)
		return fail(err[0] ? err : "plugin failed without a message");
	return finish(&w);
}
