/*
 * Native test support for xdperf C plugins (gcc, libc): a run request encoder, a strict
 * template set decoder, the host's validation rules, checksums and the field engine of
 * docs/abi.md — all written independently of the SDK, so the SDK cannot mark its own work.
 *
 * Copyright the xdperf authors. Licensed under the Apache License, Version 2.0.
 */
#ifndef XD_TESTLIB_H
#define XD_TESTLIB_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- Checks -------------------------------------------------------------------------- */

static int t_passed, t_failed;
static const char *t_case = "";

#define CHECK(cond, ...)                                                                   \
	do {                                                                               \
		if (cond) {                                                                \
			t_passed++;                                                        \
		} else {                                                                   \
			t_failed++;                                                        \
			fprintf(stderr, "FAIL %s:%d [%s] %s: ", __FILE__, __LINE__, t_case, #cond); \
			fprintf(stderr, __VA_ARGS__);                                      \
			fputc('\n', stderr);                                               \
		}                                                                          \
	} while (0)

static inline int t_summary(const char *what)
{
	printf("%s: %d passed, %d failed\n", what, t_passed, t_failed);
	return t_failed ? 1 : 0;
}

/* ---- Run request encoder ------------------------------------------------------------- */

typedef struct {
	uint8_t fam;
	uint8_t b[16];
} t_addr;

typedef struct {
	uint8_t magic[4];
	uint16_t major, minor, mtu, cpus;
	uint8_t smac[6], dmac[6];
	uint16_t size, stream, reserved;
	int ns, nd;
	t_addr src[20], dst[20];
	int no;
	const char *names[300], *values[300];
	int trailing; /* extra bytes to append */
	uint8_t bad_family; /* non-zero: written instead of the first source's family */
} t_req;

static inline t_addr t_ip(const char *text)
{
	t_addr a;
	memset(&a, 0, sizeof a);
	if (inet_pton(AF_INET, text, a.b) == 1) {
		a.fam = 4;
	} else if (inet_pton(AF_INET6, text, a.b) == 1) {
		a.fam = 6;
	} else {
		fprintf(stderr, "test bug: bad address %s\n", text);
		exit(2);
	}
	return a;
}

static inline void t_req_init(t_req *r)
{
	static const uint8_t smac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
	static const uint8_t dmac[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
	memset(r, 0, sizeof *r);
	memcpy(r->magic, "XDRQ", 4);
	r->major = 1;
	r->minor = 0;
	r->mtu = 1500;
	r->cpus = 2;
	memcpy(r->smac, smac, 6);
	memcpy(r->dmac, dmac, 6);
	r->stream = 7;
}

static inline void t_src(t_req *r, const char *ip)
{
	r->src[r->ns++] = t_ip(ip);
}

static inline void t_dst(t_req *r, const char *ip)
{
	r->dst[r->nd++] = t_ip(ip);
}

static inline void t_opt(t_req *r, const char *name, const char *value)
{
	r->names[r->no] = name;
	r->values[r->no] = value;
	r->no++;
}

typedef struct {
	uint8_t *p;
	size_t n, cap;
} t_buf;

static inline void t_put(t_buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2 + 64;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

static inline void t_le(t_buf *b, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++) {
		uint8_t c = (uint8_t)(v >> (8 * i));
		t_put(b, &c, 1);
	}
}

static inline void t_str(t_buf *b, const char *s)
{
	t_le(b, strlen(s), 2);
	t_put(b, s, strlen(s));
}

/* Encodes r; the caller frees the returned buffer. */
static inline uint8_t *t_req_encode(const t_req *r, size_t *len)
{
	t_buf b = {0};
	t_put(&b, r->magic, 4);
	t_le(&b, r->major, 2);
	t_le(&b, r->minor, 2);
	t_le(&b, r->mtu, 2);
	t_le(&b, r->cpus, 2);
	t_put(&b, r->smac, 6);
	t_put(&b, r->dmac, 6);
	t_le(&b, r->size, 2);
	t_le(&b, r->stream, 2);
	t_le(&b, (uint64_t)r->ns, 1);
	t_le(&b, (uint64_t)r->nd, 1);
	t_le(&b, r->reserved, 2);
	for (int i = 0; i < r->ns + r->nd; i++) {
		const t_addr *a = i < r->ns ? &r->src[i] : &r->dst[i - r->ns];
		uint8_t fam = i == 0 && r->bad_family ? r->bad_family : a->fam;
		t_le(&b, fam, 1);
		t_put(&b, a->b, a->fam == 4 ? 4 : 16);
	}
	t_le(&b, (uint64_t)r->no, 2);
	for (int i = 0; i < r->no; i++) {
		t_str(&b, r->names[i]);
		t_str(&b, r->values[i]);
	}
	for (int i = 0; i < r->trailing; i++)
		t_le(&b, 0, 1);
	*len = b.n;
	return b.p;
}

/* ---- Template set decoder ------------------------------------------------------------ */

typedef struct {
	uint16_t off;
	uint8_t width, op, scope, reserved;
	uint16_t nl;
	uint64_t min, max, step;
	uint64_t list[256];
} t_field;

typedef struct {
	uint8_t kind, reserved1;
	uint16_t ip, l4, reserved2;
} t_csum;

typedef struct {
	uint16_t len, stream;
	uint32_t weight, flows;
	uint16_t mh;
	uint8_t nf, nc;
	uint8_t frame[1514];
	t_field f[8];
	t_csum c[4];
} t_tpl;

typedef struct {
	uint16_t major, minor, nt;
	t_tpl *t;
} t_set;

typedef struct {
	const uint8_t *p;
	size_t n, at;
	bool bad;
} t_rd;

static inline uint64_t t_rd_le(t_rd *r, int bytes)
{
	if (r->n - r->at < (size_t)bytes) {
		r->bad = true;
		r->at = r->n;
		return 0;
	}
	uint64_t v = 0;
	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | r->p[r->at + i];
	r->at += bytes;
	return v;
}

static inline void t_set_free(t_set *s)
{
	free(s->t);
	s->t = NULL;
}

/* Strict decoding: magic, limits, reserved bytes, no trailing bytes. 0, or 1 with why. */
static inline int t_decode_set(const uint8_t *p, size_t n, t_set *s, char *why, size_t wl)
{
	t_rd r = {p, n, 0, false};
	memset(s, 0, sizeof *s);
	if (n < 12 || memcmp(p, "XDTS", 4) != 0) {
		snprintf(why, wl, "no XDTS magic");
		return 1;
	}
	r.at = 4;
	s->major = (uint16_t)t_rd_le(&r, 2);
	s->minor = (uint16_t)t_rd_le(&r, 2);
	s->nt = (uint16_t)t_rd_le(&r, 2);
	if (t_rd_le(&r, 2) != 0) {
		snprintf(why, wl, "set reserved bytes not 0");
		return 1;
	}
	if (s->nt < 1 || s->nt > 1024) {
		snprintf(why, wl, "%u templates", s->nt);
		return 1;
	}
	s->t = calloc(s->nt, sizeof *s->t);
	for (int i = 0; i < s->nt; i++) {
		t_tpl *t = &s->t[i];
		t->len = (uint16_t)t_rd_le(&r, 2);
		t->stream = (uint16_t)t_rd_le(&r, 2);
		t->weight = (uint32_t)t_rd_le(&r, 4);
		t->flows = (uint32_t)t_rd_le(&r, 4);
		t->mh = (uint16_t)t_rd_le(&r, 2);
		t->nf = (uint8_t)t_rd_le(&r, 1);
		t->nc = (uint8_t)t_rd_le(&r, 1);
		if (r.bad || t->len < 14 || t->len > 1514 || t->nf > 8 || t->nc > 4) {
			snprintf(why, wl, "template %d: len %u, %u fields, %u checksums", i, t->len, t->nf, t->nc);
			return 1;
		}
		if (n - r.at < t->len) {
			snprintf(why, wl, "template %d: frame truncated", i);
			return 1;
		}
		memcpy(t->frame, p + r.at, t->len);
		r.at += t->len;
		for (int k = 0; k < t->nf; k++) {
			t_field *f = &t->f[k];
			f->off = (uint16_t)t_rd_le(&r, 2);
			f->width = (uint8_t)t_rd_le(&r, 1);
			f->op = (uint8_t)t_rd_le(&r, 1);
			f->scope = (uint8_t)t_rd_le(&r, 1);
			f->reserved = (uint8_t)t_rd_le(&r, 1);
			f->nl = (uint16_t)t_rd_le(&r, 2);
			f->min = t_rd_le(&r, 8);
			f->max = t_rd_le(&r, 8);
			f->step = t_rd_le(&r, 8);
			if (f->reserved || f->nl > 256 || (f->op == 4) != (f->nl > 0)) {
				snprintf(why, wl, "template %d field %d: reserved %u, list count %u, op %u", i, k,
					 f->reserved, f->nl, f->op);
				return 1;
			}
			for (int j = 0; j < f->nl; j++)
				f->list[j] = t_rd_le(&r, 8);
		}
		for (int k = 0; k < t->nc; k++) {
			t_csum *c = &t->c[k];
			c->kind = (uint8_t)t_rd_le(&r, 1);
			c->reserved1 = (uint8_t)t_rd_le(&r, 1);
			c->ip = (uint16_t)t_rd_le(&r, 2);
			c->l4 = (uint16_t)t_rd_le(&r, 2);
			c->reserved2 = (uint16_t)t_rd_le(&r, 2);
			if (c->reserved1 || c->reserved2) {
				snprintf(why, wl, "template %d checksum %d: reserved bytes not 0", i, k);
				return 1;
			}
		}
		if (r.bad) {
			snprintf(why, wl, "template %d truncated", i);
			return 1;
		}
	}
	if (r.at != n) {
		snprintf(why, wl, "%zu trailing bytes", n - r.at);
		return 1;
	}
	return 0;
}

/* ---- The host's validation (docs/abi.md, "Limits and validation") --------------------- */

static inline int t_csum_field(const t_csum *c)
{
	switch (c->kind) {
	case 1:
		return c->ip + 10;
	case 2:
		return c->l4 + 6;
	case 3:
		return c->l4 + 16;
	default:
		return c->l4 + 2;
	}
}

static inline bool t_overlap(int a, int alen, int b, int blen)
{
	return a < b + blen && b < a + alen;
}

static inline bool t_fits(uint64_t v, int width)
{
	return width == 8 || v < ((uint64_t)1 << (8 * width));
}

static inline int t_validate(const t_set *s, unsigned mtu, char *why, size_t wl)
{
	if (s->major != 1 || s->minor != 0) {
		snprintf(why, wl, "set built for %u.%u", s->major, s->minor);
		return 1;
	}
	for (int i = 0; i < s->nt; i++) {
		const t_tpl *t = &s->t[i];
		if (t->len > mtu + 14) {
			snprintf(why, wl, "template %d: %u bytes over MTU %u", i, t->len, mtu);
			return 1;
		}
		if (t->weight < 1 || t->weight > 65535 || t->flows < 1) {
			snprintf(why, wl, "template %d: weight %u, flows %u", i, t->weight, t->flows);
			return 1;
		}
		if (t->mh && t->mh + 18 > t->len) {
			snprintf(why, wl, "template %d: measurement header at %u beyond the frame", i, t->mh);
			return 1;
		}
		for (int k = 0; k < t->nc; k++) {
			const t_csum *c = &t->c[k];
			if (c->kind < 1 || c->kind > 5 || c->ip + 20 > t->len || (c->kind != 1 && c->l4 >= t->len) ||
			    t_csum_field(c) + 2 > t->len) {
				snprintf(why, wl, "template %d checksum %d: kind %u at %u/%u outside the frame", i, k, c->kind,
					 c->ip, c->l4);
				return 1;
			}
			if (t->mh && t_overlap(t_csum_field(c), 2, t->mh, 18)) {
				snprintf(why, wl, "template %d checksum %d overlaps the measurement header", i, k);
				return 1;
			}
		}
		for (int k = 0; k < t->nf; k++) {
			const t_field *f = &t->f[k];
			if (f->width != 1 && f->width != 2 && f->width != 4 && f->width != 8) {
				snprintf(why, wl, "template %d field %d: width %u", i, k, f->width);
				return 1;
			}
			if (f->op < 1 || f->op > 4 || f->scope > 1) {
				snprintf(why, wl, "template %d field %d: op %u scope %u", i, k, f->op, f->scope);
				return 1;
			}
			if (f->off + f->width > t->len) {
				snprintf(why, wl, "template %d field %d: %u+%u outside %u bytes", i, k, f->off, f->width, t->len);
				return 1;
			}
			if (f->min > f->max || !t_fits(f->max, f->width) || f->step == 0) {
				snprintf(why, wl, "template %d field %d: min %llu max %llu step %llu", i, k,
					 (unsigned long long)f->min, (unsigned long long)f->max, (unsigned long long)f->step);
				return 1;
			}
			for (int j = 0; j < f->nl; j++)
				if (!t_fits(f->list[j], f->width)) {
					snprintf(why, wl, "template %d field %d: list value %d does not fit", i, k, j);
					return 1;
				}
			if (t->mh && t_overlap(f->off, f->width, t->mh, 18)) {
				snprintf(why, wl, "template %d field %d overlaps the measurement header", i, k);
				return 1;
			}
			for (int c = 0; c < t->nc; c++)
				if (t_overlap(f->off, f->width, t_csum_field(&t->c[c]), 2)) {
					snprintf(why, wl, "template %d field %d overlaps checksum %d", i, k, c);
					return 1;
				}
			for (int o = 0; o < k; o++)
				if (t_overlap(f->off, f->width, t->f[o].off, t->f[o].width)) {
					snprintf(why, wl, "template %d field %d overlaps field %d", i, k, o);
					return 1;
				}
		}
	}
	return 0;
}

/* ---- Checksums, computed afresh ------------------------------------------------------ */

static inline uint32_t t_sum(const uint8_t *p, size_t n, uint32_t acc)
{
	for (size_t i = 0; i < n; i++)
		acc += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	return acc;
}

static inline uint16_t t_fold(uint32_t acc)
{
	while (acc > 0xffff)
		acc = (acc >> 16) + (acc & 0xffff);
	return (uint16_t)acc;
}

/* True when the bytes, checksum field included, sum to 0xffff (RFC 1071 verification). */
static inline bool t_ipv4_header_ok(const uint8_t *ip)
{
	return t_fold(t_sum(ip, (ip[0] & 15) * 4u, 0)) == 0xffff;
}

static inline uint32_t t_pseudo(const uint8_t *ip, uint8_t proto, uint32_t len)
{
	uint32_t acc = (ip[0] >> 4) == 4 ? t_sum(ip + 12, 8, 0) : t_sum(ip + 8, 32, 0);
	return acc + proto + (len >> 16) + (len & 0xffff);
}

static inline bool t_l4_ok(const uint8_t *ip, int proto, const uint8_t *l4, size_t len)
{
	uint32_t acc = proto ? t_pseudo(ip, (uint8_t)proto, (uint32_t)len) : 0;
	return t_fold(t_sum(l4, len, acc)) == 0xffff;
}

/* Checks every checksum rule of t against the frame, and the IP lengths against the frame's
 * length (the host's coverage runs to the end of the frame). */
static inline int t_check_checksums(const t_tpl *t, char *why, size_t wl)
{
	for (int k = 0; k < t->nc; k++) {
		const t_csum *c = &t->c[k];
		const uint8_t *ip = t->frame + c->ip;
		int version = ip[0] >> 4;
		if (version == 4) {
			if ((ip[2] << 8 | ip[3]) != t->len - c->ip) {
				snprintf(why, wl, "IPv4 total length %u, frame holds %u", ip[2] << 8 | ip[3], t->len - c->ip);
				return 1;
			}
		} else if (version == 6) {
			if ((ip[4] << 8 | ip[5]) != t->len - c->ip - 40) {
				snprintf(why, wl, "IPv6 payload length %u, frame holds %u", ip[4] << 8 | ip[5],
					 t->len - c->ip - 40);
				return 1;
			}
		} else {
			snprintf(why, wl, "checksum %d: IP version %d", k, version);
			return 1;
		}
		bool ok;
		const uint8_t *l4 = t->frame + c->l4;
		size_t l4len = t->len - c->l4;
		switch (c->kind) {
		case 1:
			ok = version == 4 && t_ipv4_header_ok(ip);
			break;
		case 2:
			ok = t_l4_ok(ip, 17, l4, l4len);
			break;
		case 3:
			ok = t_l4_ok(ip, 6, l4, l4len) && ip[version == 4 ? 9 : 6] == 6;
			break;
		case 4:
			ok = version == 4 && t_l4_ok(ip, 0, l4, l4len) && ip[9] == 1;
			break;
		case 5:
			ok = version == 6 && t_l4_ok(ip, 58, l4, l4len) && ip[6] == 58;
			break;
		default:
			ok = false;
		}
		if (!ok) {
			snprintf(why, wl, "checksum %d (kind %u, ip %u, l4 %u) is wrong", k, c->kind, c->ip, c->l4);
			return 1;
		}
	}
	return 0;
}

/* ---- Field engine (docs/abi.md, "What xdp_tx does") ---------------------------------- */

static inline uint64_t t_splitmix(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* The value rule i of t writes for the template's packet j. Per-packet random values are
 * not predictable: they come out as min. */
static inline uint64_t t_value(const t_tpl *t, int i, uint64_t j)
{
	const t_field *f = &t->f[i];
	uint64_t x = f->scope ? j % t->flows : j;
	uint64_t range = f->max - f->min + 1; /* 0: 2^64 */
	uint64_t mod = range ? (x * f->step) % range : x * f->step;
	switch (f->op) {
	case 1:
		return f->min + mod;
	case 2:
		return f->max - mod;
	case 4:
		return f->list[x % f->nl];
	default:
		if (!f->scope)
			return f->min;
		uint64_t h = t_splitmix(x + (uint64_t)(i + 1) * 0x9E3779B97F4A7C15ULL);
		return f->min + (range ? h % range : h);
	}
}

static inline uint64_t t_get_be(const uint8_t *p, int width)
{
	uint64_t v = 0;
	for (int i = 0; i < width; i++)
		v = v << 8 | p[i];
	return v;
}

static inline void t_put_be(uint8_t *p, int width, uint64_t v)
{
	for (int i = width - 1; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* Recomputes the checksum rules of t over its frame, as the host does. */
static inline void t_recompute(t_tpl *t)
{
	for (int k = 0; k < t->nc; k++) {
		const t_csum *c = &t->c[k];
		uint8_t *ip = t->frame + c->ip;
		int at = t_csum_field(c);
		t->frame[at] = t->frame[at + 1] = 0;
		uint32_t acc;
		if (c->kind == 1) {
			acc = t_sum(ip, (ip[0] & 15) * 4u, 0);
		} else {
			static const int proto[] = {0, 0, 17, 6, 0, 58};
			size_t len = t->len - c->l4;
			acc = t_sum(t->frame + c->l4, len, proto[c->kind] ? t_pseudo(ip, (uint8_t)proto[c->kind], (uint32_t)len) : 0);
		}
		uint16_t v = (uint16_t)~t_fold(acc);
		if (c->kind == 2 && v == 0)
			v = 0xffff;
		t_put_be(t->frame + at, 2, v);
	}
}

/* The template's packet j: every field rule applied, checksums recomputed. */
static inline void t_packet(const t_tpl *t, uint64_t j, t_tpl *out)
{
	*out = *t;
	for (int i = 0; i < t->nf; i++)
		t_put_be(out->frame + t->f[i].off, t->f[i].width, t_value(t, i, j));
	t_recompute(out);
}

/* Decodes and validates a set, checks every template's checksums and its packets 0..n-1.
 * Returns 0 when all of it holds; reports through CHECK. */
static inline int t_check_set(const uint8_t *out, size_t n, unsigned mtu, t_set *s)
{
	char why[256] = "";
	int rc = t_decode_set(out, n, s, why, sizeof why);
	CHECK(rc == 0, "template set does not decode: %s", why);
	if (rc)
		return 1;
	rc = t_validate(s, mtu, why, sizeof why);
	CHECK(rc == 0, "template set is invalid: %s", why);
	for (int i = 0; i < s->nt; i++) {
		int bad = t_check_checksums(&s->t[i], why, sizeof why);
		CHECK(bad == 0, "template %d: %s", i, why);
		rc |= bad;
	}
	return rc;
}

/* ---- A minimal JSON syntax check ----------------------------------------------------- */

static inline const char *t_json_value(const char *p);

static inline const char *t_json_ws(const char *p)
{
	while (*p == ' ' || *p == '\n' || *p == '\t' || *p == '\r')
		p++;
	return p;
}

static inline const char *t_json_string(const char *p)
{
	if (*p != '"')
		return NULL;
	for (p++; *p && *p != '"'; p++) {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\')
			p++;
	}
	return *p == '"' ? p + 1 : NULL;
}

static inline const char *t_json_value(const char *p)
{
	p = t_json_ws(p);
	if (*p == '"')
		return t_json_string(p);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';
		p = t_json_ws(p + 1);
		if (*p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				p = t_json_string(t_json_ws(p));
				if (!p)
					return NULL;
				p = t_json_ws(p);
				if (*p++ != ':')
					return NULL;
			}
			p = t_json_value(p);
			if (!p)
				return NULL;
			p = t_json_ws(p);
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (*p == '-' || (*p >= '0' && *p <= '9')) {
		p++;
		while (*p >= '0' && *p <= '9')
			p++;
		return p;
	}
	if (!strncmp(p, "true", 4) || !strncmp(p, "null", 4))
		return p + 4;
	if (!strncmp(p, "false", 5))
		return p + 5;
	return NULL;
}

static inline bool t_json_ok(const char *s)
{
	const char *end = t_json_value(s);
	return end && *t_json_ws(end) == '\0';
}

/* ---- Files --------------------------------------------------------------------------- */

static inline char *t_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	t_buf b = {0};
	char tmp[4096];
	size_t k;
	while ((k = fread(tmp, 1, sizeof tmp, f)) > 0)
		t_put(&b, tmp, k);
	fclose(f);
	t_put(&b, "", 1);
	if (len)
		*len = b.n - 1;
	return (char *)b.p;
}

static inline void t_write_file(const char *dir, const char *name, const void *p, size_t n)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(p, 1, n, f) != n) {
		fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
		exit(2);
	}
	fclose(f);
}

#endif
