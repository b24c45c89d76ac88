/*
 * xdperf plugin "tcp": TCP segments (SYN, SYN-ACK, ACK, data) over IPv4 and IPv6 as
 * template ABI 1.0 template sets. Plain C: the wasm exports come from c-sdk/xd_wasm.c,
 * the native tests call generate_impl directly.
 *
 * Copyright the xdperf authors. Licensed under the Apache License, Version 2.0.
 */
#include "xdperf_plugin.h"

enum { FLAGS_SYN, FLAGS_SYNACK, FLAGS_ACK, FLAGS_DATA };
static const char *const FLAGS[] = {"syn", "synack", "ack", "data", 0};
static const uint8_t FLAG_BITS[] = {
	[FLAGS_SYN] = XD_TCP_SYN,
	[FLAGS_SYNACK] = XD_TCP_SYN | XD_TCP_ACK,
	[FLAGS_ACK] = XD_TCP_ACK,
	[FLAGS_DATA] = XD_TCP_PSH | XD_TCP_ACK,
};

enum { OPT_FLAGS, OPT_FLOWS, OPT_SRC_PORTS, OPT_DST_PORT, OPT_WINDOW, OPT_MSS, OPT_TIMESTAMPS, OPT_PAYLOAD, OPT_IPV6, OPT_ADDRESSES, NOPT };
static const char *const ADDRESSES[] = {"first", "all", 0};

static const xd_option_spec OPTIONS[NOPT] = {
	[OPT_FLAGS] = {"flags", XD_OPT_ENUM, FLAGS, 0, 0, "syn",
		       "segment: syn, synack, ack, or data (PSH+ACK with payload)"},
	[OPT_FLOWS] = {"flows", XD_OPT_INT, 0, 1, 16777216, "1",
		       "distinct connections: source ports step through src-ports, each with its own "
		       "random sequence number"},
	[OPT_SRC_PORTS] = {"src-ports", XD_OPT_PORT_RANGE, 0, 0, 0, "1024-65535",
			   "source ports the flows take in turn"},
	[OPT_DST_PORT] = {"dst-port", XD_OPT_INT, 0, 1, 65535, "80", "destination port"},
	[OPT_WINDOW] = {"window", XD_OPT_INT, 0, 0, 65535, "65535", "receive window"},
	[OPT_MSS] = {"mss", XD_OPT_INT, 0, 0, 65535, "1460", "MSS option of syn and synack segments; 0: none"},
	[OPT_TIMESTAMPS] = {"timestamps", XD_OPT_BOOL, 0, 0, 0, "false",
			    "TCP timestamp option (RFC 7323), TSval counting up per packet"},
	[OPT_PAYLOAD] = {"payload", XD_OPT_INT, 0, 0, 1460, "64",
			 "payload bytes of data segments (a frame size given to the run takes precedence)"},
	[OPT_IPV6] = {"ipv6", XD_OPT_BOOL, 0, 0, 0, "false", "send over IPv6 even when the run has IPv4 addresses"},
	[OPT_ADDRESSES] = {"addresses", XD_OPT_ENUM, ADDRESSES, 0, 0, "first",
			   "first: the run's source and destination; all: every source address with every "
			   "destination address, one template each"},
};

const xd_plugin_info xd_plugin = {
	.id = "tcp",
	.version = "1.0.0",
	.description = "TCP segments over IPv4 and IPv6: SYN, SYN-ACK, ACK and data, many connections",
	.license = "Apache-2.0",
	.options = OPTIONS,
	.noptions = NOPT,
};

/* Frames shorter than this are padded by the NIC, so a segment without payload satisfies
 * a frame size up to it. */
#define MIN_WIRE_FRAME 64
#define TSECR_ACKED 1 /* TSecr of segments that acknowledge: any non-zero echo will do */

static xd_request req;
static xd_template tpl;

int describe_impl(xd_writer *out)
{
	xd_describe_json(out, &xd_plugin, false);
	return 0;
}

typedef struct {
	int flags;
	uint32_t flows;
	uint16_t sport_lo, sport_hi, dport, window, mss;
	bool timestamps;
	size_t opt_len, payload;
} tcp_params;

static void build(uint8_t fam, const uint8_t *src, const uint8_t *dst, const tcp_params *p, size_t len)
{
	uint8_t *f = tpl.frame;
	size_t tcp_len = XD_TCP_LEN + p->opt_len + p->payload;
	size_t l4 = xd_eth(f, req.dst_mac, req.src_mac, fam == 4 ? XD_ETH_IPV4 : XD_ETH_IPV6);
	if (fam == 4)
		l4 += xd_ipv4(f + l4, XD_PROTO_TCP, 64, 0, true, src, dst, (uint16_t)tcp_len);
	else
		l4 += xd_ipv6(f + l4, XD_PROTO_TCP, 64, 0, src, dst, (uint16_t)tcp_len);

	bool acks = FLAG_BITS[p->flags] & XD_TCP_ACK;
	bool syn = FLAG_BITS[p->flags] & XD_TCP_SYN;
	uint8_t opts[40];
	size_t olen = 0, tsval_at = 0;
	if (syn && p->mss)
		olen += xd_tcpopt_mss(opts + olen, p->mss);
	if (p->timestamps) {
		tsval_at = l4 + XD_TCP_LEN + olen + 4;
		olen += xd_tcpopt_timestamps(opts + olen, 1, acks ? TSECR_ACKED : 0);
	}

	/* Field values of flow 0, packet 0, so the template is the run's first packet. */
	uint32_t seq = (uint32_t)xd_flow_random(0, 0xffffffffu, 1, 0);
	uint32_t ack = acks ? (uint32_t)xd_flow_random(0, 0xffffffffu, 2, 0) : 0;
	size_t data = l4 + xd_tcp(f + l4, p->sport_lo, p->dport, seq, ack, FLAG_BITS[p->flags], p->window, opts, olen);
	size_t filled = 0;
	if (p->payload >= XD_MH_SIZE) {
		tpl.mh_offset = (uint16_t)data;
		filled = xd_mh(f + data, tpl.stream_id);
	}
	for (size_t i = filled; i < p->payload; i++)
		f[data + i] = (uint8_t)i;
	tpl.len = (uint16_t)len;
	tpl.flows = p->flows;

	/* Rule indexes matter: per-flow random values derive from them (rule 1: seq, 2: ack). */
	xd_add_field(&tpl, (uint16_t)l4, 2, XD_OP_INC, XD_PER_FLOW, p->sport_lo, p->sport_hi, 1);
	xd_add_field(&tpl, (uint16_t)(l4 + 4), 4, XD_OP_RANDOM, XD_PER_FLOW, 0, 0xffffffffu, 1);
	if (acks)
		xd_add_field(&tpl, (uint16_t)(l4 + 8), 4, XD_OP_RANDOM, XD_PER_FLOW, 0, 0xffffffffu, 1);
	if (p->timestamps)
		xd_add_field(&tpl, (uint16_t)tsval_at, 4, XD_OP_INC, XD_PER_PACKET, 1, 0xffffffffu, 1);
	if (fam == 4)
		xd_add_csum(&tpl, XD_CSUM_IPV4, XD_ETH_LEN, 0);
	xd_add_csum(&tpl, XD_CSUM_TCP, XD_ETH_LEN, (uint16_t)l4);
}

int generate_impl(const uint8_t *in, size_t in_len, xd_writer *out, char *err, size_t errlen)
{
	xd_option_value o[NOPT];
	if (xd_request_decode(in, in_len, &req, err, errlen) || xd_options_resolve(&xd_plugin, &req, o, err, errlen))
		return 1;
	tcp_params p = {
		.flags = o[OPT_FLAGS].e,
		.flows = (uint32_t)o[OPT_FLOWS].i,
		.sport_lo = o[OPT_SRC_PORTS].lo,
		.sport_hi = o[OPT_SRC_PORTS].hi,
		.dport = (uint16_t)o[OPT_DST_PORT].i,
		.window = (uint16_t)o[OPT_WINDOW].i,
		.mss = (uint16_t)o[OPT_MSS].i,
		.timestamps = o[OPT_TIMESTAMPS].b,
	};
	bool syn = FLAG_BITS[p.flags] & XD_TCP_SYN;
	p.opt_len = (syn && p.mss ? 4 : 0) + (p.timestamps ? 12 : 0);

	xd_addr_pairs pairs;
	if (xd_address_pairs(&req, o[OPT_IPV6].b, o[OPT_ADDRESSES].e == 1, &pairs, err, errlen))
		return 1;
	uint8_t fam = pairs.family;
	int ns = pairs.ns, nd = pairs.nd;

	size_t hdr = XD_ETH_LEN + (fam == 4 ? XD_IPV4_LEN : XD_IPV6_LEN) + XD_TCP_LEN + p.opt_len;
	if (p.flags == FLAGS_DATA) {
		p.payload = (size_t)o[OPT_PAYLOAD].i;
		if (req.frame_size) {
			if (req.frame_size < hdr) {
				xd_fmt(err, errlen, "frame size %u is smaller than the %u bytes of headers of a TCP segment",
				       req.frame_size, (unsigned)hdr);
				return 1;
			}
			p.payload = req.frame_size - hdr;
		}
	} else if (req.frame_size && (req.frame_size < hdr || req.frame_size > (hdr > MIN_WIRE_FRAME ? hdr : MIN_WIRE_FRAME))) {
		xd_fmt(err, errlen, "frame size %u does not fit flags=%s, whose segments carry no payload and take %u bytes "
			       "(use flags=data for other sizes)",
		       req.frame_size, FLAGS[p.flags], (unsigned)hdr);
		return 1;
	}
	size_t len = hdr + p.payload;
	if (len > XD_MAX_FRAME) {
		xd_fmt(err, errlen, "a %u-byte TCP frame is longer than %d bytes: lower payload", (unsigned)len, XD_MAX_FRAME);
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
			tpl.stream_id = req.stream_base;
			build(fam, pairs.src[s]->b, pairs.dst[d]->b, &p, len);
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
