/*
 * xdperf C plugin SDK: implementation. Freestanding: no libc, no allocation.
 *
 * Copyright the xdperf authors. Licensed under the Apache License, Version 2.0.
 */
#include "xdperf_plugin.h"

/* ---- Memory and text ------------------------------------------------------------------ */

void *xd_memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

void *xd_memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;
	if (d == s || n == 0)
		return dst;
	if (d < s) {
		while (n--)
			*d++ = *s++;
	} else {
		d += n;
		s += n;
		while (n--)
			*--d = *--s;
	}
	return dst;
}

void *xd_memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;
	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int xd_memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;
	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

size_t xd_strlen(const char *s)
{
	size_t n = 0;
	while (s[n])
		n++;
	return n;
}

bool xd_equals(const char *s, size_t n, const char *word)
{
	size_t m = xd_strlen(word);
	return m == n && xd_memcmp(s, word, n) == 0;
}

/* ---- Formatting ----------------------------------------------------------------------- */

typedef struct {
	char *buf;
	size_t cap, len;
} fmt_out;

static void fmt_ch(fmt_out *o, char c)
{
	if (o->len + 1 < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

static void fmt_str(fmt_out *o, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fmt_ch(o, s[i]);
}

static void fmt_u64(fmt_out *o, uint64_t v, unsigned base)
{
	char tmp[24];
	int n = 0;
	do {
		unsigned d = (unsigned)(v % base);
		tmp[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
		v /= base;
	} while (v);
	while (n)
		fmt_ch(o, tmp[--n]);
}

static void fmt_i64(fmt_out *o, int64_t v)
{
	if (v < 0) {
		fmt_ch(o, '-');
		fmt_u64(o, (uint64_t)0 - (uint64_t)v, 10);
	} else {
		fmt_u64(o, (uint64_t)v, 10);
	}
}

size_t xd_vfmt(char *buf, size_t cap, const char *fmt, va_list ap)
{
	fmt_out o = {buf, cap, 0};
	for (const char *p = fmt; *p; p++) {
		if (*p != '%') {
			fmt_ch(&o, *p);
			continue;
		}
		p++;
		switch (*p) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			fmt_str(&o, s, xd_strlen(s));
			break;
		}
		case '.':
			if (p[1] == '*' && p[2] == 's') {
				int n = va_arg(ap, int);
				const char *s = va_arg(ap, const char *);
				fmt_str(&o, s, n < 0 ? 0 : (size_t)n);
				p += 2;
			}
			break;
		case 'd':
			fmt_i64(&o, va_arg(ap, int));
			break;
		case 'u':
			fmt_u64(&o, va_arg(ap, unsigned), 10);
			break;
		case 'x':
			fmt_u64(&o, va_arg(ap, unsigned), 16);
			break;
		case 'D':
			fmt_i64(&o, va_arg(ap, int64_t));
			break;
		case 'U':
			fmt_u64(&o, va_arg(ap, uint64_t), 10);
			break;
		case '%':
			fmt_ch(&o, '%');
			break;
		case '\0':
			p--;
			break;
		default:
			fmt_ch(&o, '%');
			fmt_ch(&o, *p);
		}
	}
	if (cap)
		buf[o.len < cap ? o.len : cap - 1] = '\0';
	return o.len;
}

size_t xd_fmt(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t n = xd_vfmt(buf, cap, fmt, ap);
	va_end(ap);
	return n;
}

/* ---- Writer --------------------------------------------------------------------------- */

void xd_writer_init(xd_writer *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->len = 0;
	w->cap = cap;
	w->failed = false;
	w->grow = 0;
}

bool xd_put(xd_writer *w, const void *p, size_t n)
{
	if (w->failed)
		return false;
	if (n > w->cap - w->len) {
		if (!w->grow || !w->grow(w, w->len + n) || n > w->cap - w->len) {
			w->failed = true;
			return false;
		}
	}
	xd_memcpy(w->buf + w->len, p, n);
	w->len += n;
	return true;
}

bool xd_put_u8(xd_writer *w, uint8_t v)
{
	return xd_put(w, &v, 1);
}

bool xd_put_u16le(xd_writer *w, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
	return xd_put(w, b, 2);
}

bool xd_put_u32le(xd_writer *w, uint32_t v)
{
	uint8_t b[4];
	for (int i = 0; i < 4; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return xd_put(w, b, 4);
}

bool xd_put_u64le(xd_writer *w, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return xd_put(w, b, 8);
}

bool xd_put_text(xd_writer *w, const char *s)
{
	return xd_put(w, s, xd_strlen(s));
}

bool xd_put_json_string(xd_writer *w, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	xd_put_u8(w, '"');
	for (; *s; s++) {
		uint8_t c = (uint8_t)*s;
		if (c == '"' || c == '\\') {
			xd_put_u8(w, '\\');
			xd_put_u8(w, c);
		} else if (c == '\n') {
			xd_put_text(w, "\\n");
		} else if (c < 0x20) {
			char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			xd_put(w, u, 6);
		} else {
			xd_put_u8(w, c);
		}
	}
	return xd_put_u8(w, '"');
}

bool xd_put_dec(xd_writer *w, int64_t v)
{
	char tmp[24];
	size_t n = xd_fmt(tmp, sizeof tmp, "%D", v);
	return xd_put(w, tmp, n);
}

/* ---- Run request ---------------------------------------------------------------------- */

typedef struct {
	const uint8_t *p;
	size_t n, at;
	bool short_read;
} reader;

static bool rd_has(reader *r, size_t k)
{
	if (r->n - r->at < k) {
		r->short_read = true;
		return false;
	}
	return true;
}

static uint8_t rd_u8(reader *r)
{
	if (!rd_has(r, 1))
		return 0;
	return r->p[r->at++];
}

static uint16_t rd_u16(reader *r)
{
	if (!rd_has(r, 2))
		return 0;
	uint16_t v = (uint16_t)(r->p[r->at] | (r->p[r->at + 1] << 8));
	r->at += 2;
	return v;
}

static const uint8_t *rd_bytes(reader *r, size_t k)
{
	if (!rd_has(r, k))
		return 0;
	const uint8_t *q = r->p + r->at;
	r->at += k;
	return q;
}

static bool rd_addr(reader *r, xd_addr *a, const char *what, int i, char *err, size_t errlen)
{
	uint8_t fam = rd_u8(r);
	if (r->short_read)
		return false;
	if (fam != 4 && fam != 6) {
		xd_fmt(err, errlen, "run request: %s address %d has family %u, not 4 or 6", what, i, fam);
		return false;
	}
	size_t k = fam == 4 ? 4 : 16;
	const uint8_t *b = rd_bytes(r, k);
	if (!b)
		return false;
	xd_memset(a, 0, sizeof *a);
	a->family = fam;
	xd_memcpy(a->b, b, k);
	return true;
}

int xd_request_decode(const uint8_t *p, size_t n, xd_request *req, char *err, size_t errlen)
{
	reader r = {p, n, 0, false};
	const uint8_t *magic = rd_bytes(&r, 4);
	if (!magic) {
		xd_fmt(err, errlen, "run request is truncated: %U bytes", (uint64_t)n);
		return 1;
	}
	if (xd_memcmp(magic, "XDRQ", 4) != 0) {
		xd_fmt(err, errlen, "run request has a wrong magic (expected XDRQ)");
		return 1;
	}
	req->abi_major = rd_u16(&r);
	req->abi_minor = rd_u16(&r);
	req->mtu = rd_u16(&r);
	req->cpus = rd_u16(&r);
	const uint8_t *mac = rd_bytes(&r, 6);
	if (mac)
		xd_memcpy(req->src_mac, mac, 6);
	mac = rd_bytes(&r, 6);
	if (mac)
		xd_memcpy(req->dst_mac, mac, 6);
	req->frame_size = rd_u16(&r);
	req->stream_base = rd_u16(&r);
	req->ns = rd_u8(&r);
	req->nd = rd_u8(&r);
	uint16_t reserved = rd_u16(&r);
	if (r.short_read)
		goto truncated;
	if (req->abi_major != XD_ABI_MAJOR) {
		xd_fmt(err, errlen, "the host speaks template ABI %u.%u, this plugin was built for %d.%d",
		       req->abi_major, req->abi_minor, XD_ABI_MAJOR, XD_ABI_MINOR);
		return 1;
	}
	if (reserved != 0) {
		xd_fmt(err, errlen, "run request: reserved bytes 30..31 are not 0");
		return 1;
	}
	if (req->ns > XD_MAX_ADDRS || req->nd > XD_MAX_ADDRS) {
		xd_fmt(err, errlen, "run request: %u source and %u destination addresses, at most %d each",
		       req->ns, req->nd, XD_MAX_ADDRS);
		return 1;
	}
	for (int i = 0; i < req->ns; i++)
		if (!rd_addr(&r, &req->src[i], "source", i, err, errlen))
			goto bad_addr;
	for (int i = 0; i < req->nd; i++)
		if (!rd_addr(&r, &req->dst[i], "destination", i, err, errlen))
			goto bad_addr;
	req->nopts = rd_u16(&r);
	if (r.short_read)
		goto truncated;
	if (req->nopts > XD_MAX_OPTIONS) {
		xd_fmt(err, errlen, "run request: %u options, at most %d", req->nopts, XD_MAX_OPTIONS);
		return 1;
	}
	for (int i = 0; i < req->nopts; i++) {
		xd_kv *kv = &req->opts[i];
		kv->name_len = rd_u16(&r);
		kv->name = (const char *)rd_bytes(&r, kv->name_len);
		kv->value_len = rd_u16(&r);
		kv->value = (const char *)rd_bytes(&r, kv->value_len);
		if (r.short_read)
			goto truncated;
	}
	if (r.at != n) {
		xd_fmt(err, errlen, "run request has %U trailing bytes", (uint64_t)(n - r.at));
		return 1;
	}
	return 0;
bad_addr:
	if (!r.short_read)
		return 1;
truncated:
	xd_fmt(err, errlen, "run request is truncated: %U bytes", (uint64_t)n);
	return 1;
}

/* ---- Options -------------------------------------------------------------------------- */

bool xd_parse_int(const char *s, size_t n, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	if (n > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n || n - i > 18)
		return false;
	int64_t v = 0;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = neg ? -v : v;
	return true;
}

bool xd_parse_bool(const char *s, size_t n, bool *out)
{
	if (xd_equals(s, n, "true")) {
		*out = true;
		return true;
	}
	if (xd_equals(s, n, "false")) {
		*out = false;
		return true;
	}
	return false;
}

bool xd_parse_port_range(const char *s, size_t n, uint16_t *lo, uint16_t *hi)
{
	size_t dash = n;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '-') {
			dash = i;
			break;
		}
	int64_t a, b;
	if (!xd_parse_int(s, dash, &a))
		return false;
	if (dash == n) {
		b = a;
	} else if (!xd_parse_int(s + dash + 1, n - dash - 1, &b) || s[dash + 1] == '-') {
		return false;
	}
	if (a < 0 || b < 0 || a > 65535 || b > 65535 || a > b)
		return false;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return true;
}

static int parse_option(const xd_option_spec *o, const char *s, size_t n, xd_option_value *v, char *err,
			size_t errlen)
{
	int len = (int)n;
	switch (o->type) {
	case XD_OPT_INT:
		if (!xd_parse_int(s, n, &v->i)) {
			xd_fmt(err, errlen, "option %s: '%.*s' is not an integer", o->name, len, s);
			return 1;
		}
		if (v->i < o->min || v->i > o->max) {
			xd_fmt(err, errlen, "option %s: %D is outside %D..%D", o->name, v->i, o->min, o->max);
			return 1;
		}
		return 0;
	case XD_OPT_BOOL:
		if (!xd_parse_bool(s, n, &v->b)) {
			xd_fmt(err, errlen, "option %s: '%.*s' is not true or false", o->name, len, s);
			return 1;
		}
		return 0;
	case XD_OPT_ENUM:
		for (int i = 0; o->values[i]; i++)
			if (xd_equals(s, n, o->values[i])) {
				v->e = i;
				return 0;
			}
		{
			char list[256];
			size_t at = 0;
			for (int i = 0; o->values[i]; i++)
				at += xd_fmt(list + (at < sizeof list ? at : sizeof list), at < sizeof list ? sizeof list - at : 0,
					     "%s%s", i ? ", " : "", o->values[i]);
			xd_fmt(err, errlen, "option %s: '%.*s' is not one of %s", o->name, len, s, list);
		}
		return 1;
	case XD_OPT_PORT_RANGE:
		if (!xd_parse_port_range(s, n, &v->lo, &v->hi)) {
			xd_fmt(err, errlen, "option %s: '%.*s' is not a port range like 1000-2000 within 0..65535",
			       o->name, len, s);
			return 1;
		}
		return 0;
	default: /* string, mac, ip, cidr: the host checked the syntax; the plugin reads the text */
		v->s = s;
		v->slen = (uint16_t)n;
		return 0;
	}
}

int xd_options_resolve(const xd_plugin_info *info, const xd_request *r, xd_option_value *out, char *err,
		       size_t errlen)
{
	for (int i = 0; i < info->noptions; i++)
		xd_memset(&out[i], 0, sizeof out[i]);
	for (int k = 0; k < r->nopts; k++) {
		const xd_kv *kv = &r->opts[k];
		int found = -1;
		for (int i = 0; i < info->noptions; i++)
			if (xd_equals(kv->name, kv->name_len, info->options[i].name))
				found = i;
		if (found < 0) {
			xd_fmt(err, errlen, "unknown option '%.*s' (plugin %s knows no such option)", (int)kv->name_len,
			       kv->name, info->id);
			return 1;
		}
		if (out[found].given) {
			xd_fmt(err, errlen, "option %s is given twice", info->options[found].name);
			return 1;
		}
		out[found].given = true;
		if (parse_option(&info->options[found], kv->value, kv->value_len, &out[found], err, errlen))
			return 1;
	}
	for (int i = 0; i < info->noptions; i++) {
		if (out[i].given)
			continue;
		const char *d = info->options[i].def;
		if (parse_option(&info->options[i], d, xd_strlen(d), &out[i], err, errlen))
			return 1; /* a plugin bug: its own default does not parse */
	}
	return 0;
}

static const char *type_name(enum xd_option_type t)
{
	switch (t) {
	case XD_OPT_INT:
		return "int";
	case XD_OPT_BOOL:
		return "bool";
	case XD_OPT_STRING:
		return "string";
	case XD_OPT_ENUM:
		return "enum";
	case XD_OPT_MAC:
		return "mac";
	case XD_OPT_IP:
		return "ip";
	case XD_OPT_CIDR:
		return "cidr";
	case XD_OPT_PORT_RANGE:
		return "port-range";
	}
	return "string";
}

static void json_field(xd_writer *w, const char *name, const char *value, bool comma)
{
	xd_put_text(w, "  ");
	xd_put_json_string(w, name);
	xd_put_text(w, ": ");
	xd_put_json_string(w, value);
	xd_put_text(w, comma ? ",\n" : "\n");
}

bool xd_describe_json(xd_writer *w, const xd_plugin_info *info, bool manifest)
{
	char abi[16];
	xd_fmt(abi, sizeof abi, "%d.%d", XD_ABI_MAJOR, XD_ABI_MINOR);
	xd_put_text(w, "{\n");
	json_field(w, "id", info->id, true);
	json_field(w, "version", info->version, true);
	if (manifest)
		json_field(w, "kind", "wasm", true);
	json_field(w, "abi", abi, true);
	json_field(w, "description", info->description, true);
	json_field(w, "license", info->license, true);
	xd_put_text(w, "  \"options\": [\n");
	for (int i = 0; i < info->noptions; i++) {
		const xd_option_spec *o = &info->options[i];
		xd_put_text(w, "    {\"name\": ");
		xd_put_json_string(w, o->name);
		xd_put_text(w, ", \"type\": ");
		xd_put_json_string(w, type_name(o->type));
		if (o->type == XD_OPT_ENUM) {
			xd_put_text(w, ", \"values\": [");
			for (int k = 0; o->values[k]; k++) {
				if (k)
					xd_put_text(w, ", ");
				xd_put_json_string(w, o->values[k]);
			}
			xd_put_text(w, "]");
		}
		if (o->type == XD_OPT_INT) {
			xd_put_text(w, ", \"min\": ");
			xd_put_dec(w, o->min);
			xd_put_text(w, ", \"max\": ");
			xd_put_dec(w, o->max);
		}
		xd_put_text(w, ", \"default\": ");
		xd_put_json_string(w, o->def);
		xd_put_text(w, ", \"help\": ");
		xd_put_json_string(w, o->help);
		xd_put_text(w, i + 1 < info->noptions ? "},\n" : "}\n");
	}
	xd_put_text(w, "  ]\n}\n");
	return !w->failed;
}

/* ---- Templates ------------------------------------------------------------------------ */

void xd_template_init(xd_template *t)
{
	xd_memset(t, 0, sizeof *t);
	t->weight = 1;
	t->flows = 1;
}

bool xd_add_field(xd_template *t, uint16_t offset, uint8_t width, uint8_t op, uint8_t scope, uint64_t min,
		  uint64_t max, uint64_t step)
{
	if (t->nf >= XD_MAX_FIELDS)
		return false;
	xd_field_rule *f = &t->fields[t->nf++];
	xd_memset(f, 0, sizeof *f);
	f->offset = offset;
	f->width = width;
	f->op = op;
	f->scope = scope;
	f->min = min;
	f->max = max;
	f->step = step;
	return true;
}

bool xd_add_list(xd_template *t, uint16_t offset, uint8_t width, uint8_t scope, const uint64_t *values, uint16_t n)
{
	if (n == 0 || n > XD_MAX_LIST)
		return false;
	/* min and max carry the range of the values, step 1: meaningless for a list, but valid
	 * for any reader that checks min <= max and step >= 1 on every rule. */
	uint64_t lo = values[0], hi = values[0];
	for (uint16_t i = 1; i < n; i++) {
		if (values[i] < lo)
			lo = values[i];
		if (values[i] > hi)
			hi = values[i];
	}
	if (!xd_add_field(t, offset, width, XD_OP_LIST, scope, lo, hi, 1))
		return false;
	t->fields[t->nf - 1].nl = n;
	t->fields[t->nf - 1].list = values;
	return true;
}

bool xd_add_csum(xd_template *t, uint8_t kind, uint16_t ip_offset, uint16_t l4_offset)
{
	if (t->nc >= XD_MAX_CSUMS)
		return false;
	xd_csum_rule *c = &t->csums[t->nc++];
	c->kind = kind;
	c->ip_offset = ip_offset;
	c->l4_offset = kind == XD_CSUM_IPV4 ? 0 : l4_offset;
	return true;
}

void xd_store_be(uint8_t *p, uint8_t width, uint64_t v)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

void xd_fill_checksums(xd_template *t)
{
	for (int i = 0; i < t->nc; i++) {
		const xd_csum_rule *c = &t->csums[i];
		uint8_t *ip = t->frame + c->ip_offset;
		if (c->kind == XD_CSUM_IPV4) {
			xd_be16(ip + 10, 0);
			xd_be16(ip + 10, xd_csum_ipv4_header(ip));
			continue;
		}
		uint8_t *l4 = t->frame + c->l4_offset;
		size_t l4_len = t->len - c->l4_offset;
		uint8_t proto;
		size_t at;
		switch (c->kind) {
		case XD_CSUM_UDP:
			proto = XD_PROTO_UDP;
			at = 6;
			break;
		case XD_CSUM_TCP:
			proto = XD_PROTO_TCP;
			at = 16;
			break;
		case XD_CSUM_ICMPV6:
			proto = XD_PROTO_ICMPV6;
			at = 2;
			break;
		default:
			proto = XD_PROTO_ICMP;
			at = 2;
		}
		xd_be16(l4 + at, 0);
		uint16_t sum = xd_csum_l4(c->kind == XD_CSUM_ICMP ? 0 : ip, proto, l4, l4_len);
		if (c->kind == XD_CSUM_UDP && sum == 0)
			sum = 0xffff;
		xd_be16(l4 + at, sum);
	}
}

bool xd_set_begin(xd_writer *w, uint16_t nt)
{
	xd_put(w, "XDTS", 4);
	xd_put_u16le(w, XD_ABI_MAJOR);
	xd_put_u16le(w, XD_ABI_MINOR);
	xd_put_u16le(w, nt);
	return xd_put_u16le(w, 0);
}

bool xd_template_encode(xd_writer *w, const xd_template *t)
{
	xd_put_u16le(w, t->len);
	xd_put_u16le(w, t->stream_id);
	xd_put_u32le(w, t->weight);
	xd_put_u32le(w, t->flows);
	xd_put_u16le(w, t->mh_offset);
	xd_put_u8(w, t->nf);
	xd_put_u8(w, t->nc);
	xd_put(w, t->frame, t->len);
	for (int i = 0; i < t->nf; i++) {
		const xd_field_rule *f = &t->fields[i];
		xd_put_u16le(w, f->offset);
		xd_put_u8(w, f->width);
		xd_put_u8(w, f->op);
		xd_put_u8(w, f->scope);
		xd_put_u8(w, 0);
		xd_put_u16le(w, f->op == XD_OP_LIST ? f->nl : 0);
		xd_put_u64le(w, f->min);
		xd_put_u64le(w, f->max);
		xd_put_u64le(w, f->step);
		if (f->op == XD_OP_LIST)
			for (int k = 0; k < f->nl; k++)
				xd_put_u64le(w, f->list[k]);
	}
	for (int i = 0; i < t->nc; i++) {
		const xd_csum_rule *c = &t->csums[i];
		xd_put_u8(w, c->kind);
		xd_put_u8(w, 0);
		xd_put_u16le(w, c->ip_offset);
		xd_put_u16le(w, c->l4_offset);
		xd_put_u16le(w, 0);
	}
	return !w->failed;
}

uint64_t xd_splitmix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

uint64_t xd_flow_random(uint64_t min, uint64_t max, uint32_t rule_index, uint64_t flow)
{
	uint64_t h = xd_splitmix64(flow + ((uint64_t)rule_index + 1) * 0x9E3779B97F4A7C15ULL);
	uint64_t range = max - min + 1; /* 0 stands for 2^64 */
	return min + (range ? h % range : h);
}

/* ---- Packets -------------------------------------------------------------------------- */

void xd_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void xd_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

uint16_t xd_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

size_t xd_eth(uint8_t *p, const uint8_t dst[6], const uint8_t src[6], uint16_t ethertype)
{
	xd_memcpy(p, dst, 6);
	xd_memcpy(p + 6, src, 6);
	xd_be16(p + 12, ethertype);
	return XD_ETH_LEN;
}

size_t xd_ipv4(uint8_t *p, uint8_t proto, uint8_t ttl, uint16_t id, bool dont_fragment, const uint8_t src[4],
	       const uint8_t dst[4], uint16_t payload_len)
{
	p[0] = 0x45; /* version 4, IHL 5 */
	p[1] = 0;
	xd_be16(p + 2, (uint16_t)(XD_IPV4_LEN + payload_len));
	xd_be16(p + 4, id);
	xd_be16(p + 6, dont_fragment ? 0x4000 : 0);
	p[8] = ttl;
	p[9] = proto;
	xd_be16(p + 10, 0);
	xd_memcpy(p + 12, src, 4);
	xd_memcpy(p + 16, dst, 4);
	xd_be16(p + 10, xd_csum_ipv4_header(p));
	return XD_IPV4_LEN;
}

size_t xd_ipv6(uint8_t *p, uint8_t next_header, uint8_t hop_limit, uint32_t flow_label, const uint8_t src[16],
	       const uint8_t dst[16], uint16_t payload_len)
{
	xd_be32(p, 0x60000000u | (flow_label & 0xFFFFFu));
	xd_be16(p + 4, payload_len);
	p[6] = next_header;
	p[7] = hop_limit;
	xd_memcpy(p + 8, src, 16);
	xd_memcpy(p + 24, dst, 16);
	return XD_IPV6_LEN;
}

size_t xd_icmp(uint8_t *p, uint8_t type, uint8_t code, uint32_t rest)
{
	p[0] = type;
	p[1] = code;
	xd_be16(p + 2, 0);
	xd_be32(p + 4, rest);
	return XD_ICMP_LEN;
}

size_t xd_udp(uint8_t *p, uint16_t sport, uint16_t dport, uint16_t length)
{
	xd_be16(p, sport);
	xd_be16(p + 2, dport);
	xd_be16(p + 4, length);
	xd_be16(p + 6, 0);
	return XD_UDP_LEN;
}

size_t xd_tcp(uint8_t *p, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack, uint8_t flags,
	      uint16_t window, const uint8_t *opts, size_t opt_len)
{
	size_t len = XD_TCP_LEN + opt_len;
	xd_be16(p, sport);
	xd_be16(p + 2, dport);
	xd_be32(p + 4, seq);
	xd_be32(p + 8, ack);
	p[12] = (uint8_t)((len / 4) << 4); /* data offset in 32-bit words */
	p[13] = flags;
	xd_be16(p + 14, window);
	xd_be16(p + 16, 0); /* checksum */
	xd_be16(p + 18, 0); /* urgent pointer */
	if (opt_len)
		xd_memcpy(p + XD_TCP_LEN, opts, opt_len);
	return len;
}

size_t xd_tcpopt_mss(uint8_t *p, uint16_t mss)
{
	p[0] = 2; /* kind MSS */
	p[1] = 4;
	xd_be16(p + 2, mss);
	return 4;
}

size_t xd_tcpopt_timestamps(uint8_t *p, uint32_t tsval, uint32_t tsecr)
{
	p[0] = 1; /* NOP */
	p[1] = 1; /* NOP */
	p[2] = 8; /* kind timestamps */
	p[3] = 10;
	xd_be32(p + 4, tsval);
	xd_be32(p + 8, tsecr);
	return 12;
}

size_t xd_mh(uint8_t *p, uint16_t stream_id)
{
	xd_memset(p, 0, XD_MH_SIZE);
	xd_be16(p, XD_MH_MAGIC);
	xd_be16(p + 2, stream_id);
	p[17] = XD_MH_VERSION;
	return XD_MH_SIZE;
}

/* ---- Checksums ------------------------------------------------------------------------ */

uint64_t xd_csum_add(uint64_t sum, const uint8_t *p, size_t n)
{
	size_t i = 0;
	for (; i + 1 < n; i += 2)
		sum += (uint64_t)(p[i] << 8 | p[i + 1]);
	if (i < n)
		sum += (uint64_t)p[i] << 8;
	return sum;
}

uint16_t xd_csum_finish(uint64_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t xd_csum_ipv4_header(const uint8_t *ip)
{
	return xd_csum_finish(xd_csum_add(0, ip, (size_t)(ip[0] & 15) * 4));
}

uint64_t xd_csum_pseudo(const uint8_t *ip, uint8_t proto, uint32_t l4_len)
{
	uint64_t sum;
	if ((ip[0] >> 4) == 6)
		sum = xd_csum_add(0, ip + 8, 32); /* RFC 8200 8.1: addresses, length, next header */
	else
		sum = xd_csum_add(0, ip + 12, 8); /* RFC 793: addresses, zero, protocol, length */
	return sum + proto + (l4_len >> 16) + (l4_len & 0xffff);
}

uint16_t xd_csum_l4(const uint8_t *ip, uint8_t proto, const uint8_t *l4, size_t l4_len)
{
	uint64_t sum = ip ? xd_csum_pseudo(ip, proto, (uint32_t)l4_len) : 0;
	return xd_csum_finish(xd_csum_add(sum, l4, l4_len));
}

/* ---- Addresses ------------------------------------------------------------------------ */

int xd_addrs_of_family(const xd_addr *in, int n, uint8_t family, const xd_addr **out)
{
	int k = 0;
	for (int i = 0; i < n; i++)
		if (in[i].family == family)
			out[k++] = &in[i];
	return k;
}

uint8_t xd_pick_family(const xd_request *r, bool force_ipv6)
{
	if (force_ipv6)
		return 6;
	bool dst4 = false, any6 = false;
	for (int i = 0; i < r->nd; i++) {
		dst4 |= r->dst[i].family == 4;
		any6 |= r->dst[i].family == 6;
	}
	for (int i = 0; i < r->ns; i++)
		any6 |= r->src[i].family == 6;
	return !dst4 && any6 ? 6 : 4;
}

int xd_address_pairs(const xd_request *r, bool force_ipv6, bool all, xd_addr_pairs *out, char *err,
		     size_t errlen)
{
	out->family = xd_pick_family(r, force_ipv6);
	out->ns = xd_addrs_of_family(r->src, r->ns, out->family, out->src);
	out->nd = xd_addrs_of_family(r->dst, r->nd, out->family, out->dst);
	if (out->ns == 0 || out->nd == 0) {
		xd_fmt(err, errlen, "the run has no IPv%u %s address%s", out->family, out->nd == 0 ? "destination" : "source",
		       force_ipv6 ? " (option ipv6=true asks for IPv6)" : "");
		return 1;
	}
	if (!all)
		out->ns = out->nd = 1;
	return 0;
}
