/*
 * Runs a plugin's generate_impl/describe_impl natively, and records each case (request and
 * output, or error) in a directory when asked, so test/run_wasm.mjs can replay them through
 * the .wasm module and compare byte for byte.
 *
 * Copyright the xdperf authors. Licensed under the Apache License, Version 2.0.
 */
#ifndef XD_TESTRUN_H
#define XD_TESTRUN_H

#include "../xdperf_plugin.h"
#include "xd_testlib.h"

static const char *t_dump_dir; /* set by --dump DIR */
static int t_dump_count;

static inline bool t_grow(xd_writer *w, size_t need)
{
	size_t cap = w->cap ? w->cap : 1024;
	while (cap < need)
		cap *= 2;
	uint8_t *b = realloc(w->buf, cap);
	if (!b)
		return false;
	w->buf = b;
	w->cap = cap;
	return true;
}

typedef struct {
	int rc;
	char err[512];
	uint8_t *out;
	size_t len;
	t_set set; /* decoded and checked when rc == 0 */
	bool set_ok;
} t_result;

static inline void t_result_free(t_result *r)
{
	free(r->out);
	t_set_free(&r->set);
	memset(r, 0, sizeof *r);
}

/* Runs generate_impl on r; when it succeeds, decodes, validates and checks the set. */
static inline t_result t_generate(const t_req *r)
{
	t_result res;
	memset(&res, 0, sizeof res);
	size_t n;
	uint8_t *req = t_req_encode(r, &n);
	xd_writer w;
	xd_writer_init(&w, NULL, 0);
	w.grow = t_grow;
	res.rc = generate_impl(req, n, &w, res.err, sizeof res.err);
	res.out = w.buf;
	res.len = w.len;
	if (res.rc == 0)
		res.set_ok = t_check_set(res.out, res.len, r->mtu, &res.set) == 0;
	else
		CHECK(strlen(res.err) > 0 && strchr(res.err, '\n') == NULL, "refusal without a one-line message");
	if (t_dump_dir) {
		char name[64];
		snprintf(name, sizeof name, "case%03d.req", t_dump_count);
		t_write_file(t_dump_dir, name, req, n);
		snprintf(name, sizeof name, "case%03d.%s", t_dump_count, res.rc ? "err" : "out");
		if (res.rc)
			t_write_file(t_dump_dir, name, res.err, strlen(res.err));
		else
			t_write_file(t_dump_dir, name, res.out, res.len);
		t_dump_count++;
	}
	free(req);
	return res;
}

/* Expects a refusal whose message contains `needle`. */
static inline void t_expect_refusal(const t_req *r, const char *what, const char *needle)
{
	t_case = what;
	t_result res = t_generate(r);
	CHECK(res.rc != 0, "accepted, expected a refusal mentioning '%s'", needle);
	if (res.rc)
		CHECK(strstr(res.err, needle) != NULL, "message '%s' lacks '%s'", res.err, needle);
	t_result_free(&res);
}

static inline char *t_describe(bool manifest)
{
	xd_writer w;
	xd_writer_init(&w, NULL, 0);
	w.grow = t_grow;
	if (manifest)
		xd_describe_json(&w, &xd_plugin, true);
	else
		describe_impl(&w);
	xd_put_u8(&w, 0);
	return (char *)w.buf;
}

/* Checks describe's JSON, and that manifest.json is describe's JSON plus "kind": "wasm". */
static inline void t_check_description(const char *manifest_path)
{
	t_case = "describe";
	char *d = t_describe(false);
	CHECK(t_json_ok(d), "describe output is not JSON:\n%s", d);
	CHECK(strstr(d, "\"abi\": \"1.0\"") != NULL, "no abi 1.0 in describe");
	char *m = t_describe(true);
	CHECK(t_json_ok(m), "manifest is not JSON");
	size_t n;
	char *file = t_read_file(manifest_path, &n);
	CHECK(file != NULL, "cannot read %s", manifest_path);
	if (file)
		CHECK(strcmp(file, m) == 0, "%s differs from the plugin's description; regenerate it with --manifest",
		      manifest_path);
	if (t_dump_dir)
		t_write_file(t_dump_dir, "describe.json", d, strlen(d));
	free(file);
	free(d);
	free(m);
}

/* Handles the common command line: [--dump DIR] [--manifest] MANIFEST_PATH. Returns the
 * manifest path, or NULL after printing the manifest (for --manifest). */
static inline const char *t_args(int argc, char **argv)
{
	const char *manifest = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dump") && i + 1 < argc) {
			t_dump_dir = argv[++i];
			char dir[1024];
			snprintf(dir, sizeof dir, "%s", t_dump_dir);
			for (char *p = dir + 1; *p; p++)
				if (*p == '/') {
					*p = 0;
					mkdir(dir, 0755);
					*p = '/';
				}
			mkdir(dir, 0755);
		} else if (!strcmp(argv[i], "--manifest")) {
			char *m = t_describe(true);
			fputs(m, stdout);
			free(m);
			return NULL;
		} else {
			manifest = argv[i];
		}
	}
	if (!manifest) {
		fprintf(stderr, "usage: %s [--dump DIR] [--manifest] path/to/manifest.json\n", argv[0]);
		exit(2);
	}
	return manifest;
}

static inline uint16_t t_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t t_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Index of the field rule at offset off, or -1. */
static inline int t_field_at(const t_tpl *t, int off)
{
	for (int i = 0; i < t->nf; i++)
		if (t->f[i].off == off)
			return i;
	return -1;
}

/* Checks the measurement header at t->mh: magic, stream id, version, zeros. */
static inline void t_check_mh(const t_tpl *t, uint16_t stream)
{
	const uint8_t *m = t->frame + t->mh;
	CHECK(t->mh != 0, "no measurement header");
	if (!t->mh)
		return;
	CHECK(t_be16(m) == 0x58DF, "measurement magic %04x", t_be16(m));
	CHECK(t_be16(m + 2) == stream, "measurement stream %u, want %u", t_be16(m + 2), stream);
	CHECK(m[17] == 1, "measurement version %u", m[17]);
	bool zero = true;
	for (int i = 4; i < 17; i++)
		zero &= m[i] == 0;
	CHECK(zero, "measurement sequence, time and cpu not zero");
}

#endif
