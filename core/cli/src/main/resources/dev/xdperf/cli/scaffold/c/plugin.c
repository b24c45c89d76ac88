/*
 * xdperf plugin "{{NAME}}": UDP requests, each carrying a 16-bit request id that counts up
 * per packet, from one source port per flow, with a measurement header so the receiver
 * counts loss, reordering and latency. Written by `xdperf plugin new`; make it yours.
 *
 * The SDK (xdperf-sdk/) decodes the run request, checks the options against the table
 * below, builds the headers and encodes the template set; xd_wasm.c turns describe_impl()
 * and generate_impl() into the WebAssembly exports of docs/abi.md.
 */
#include "xdperf_plugin.h"

enum { OPT_DST_PORT, OPT_SRC_PORTS, OPT_FLOWS, OPT_PAYLOAD, OPT_IPV6, NOPT };

static const xd_option_spec OPTIONS[NOPT] = {
	[OPT_DST_PORT] = {"dst-port", XD_OPT_INT, 0, 1, 65535, "9000", "destination UDP port"},
	[OPT_SRC_PORTS] = {"src-ports", XD_OPT_PORT_RANGE, 0, 0, 0, "1024-65535", "source ports the flows take in turn"},
	[OPT_FLOWS] = {"flows", XD_OPT_INT, 0, 1, 65536, "1", "flows: distinct source ports"},
	[OPT_PAYLOAD] = {"payload", XD_OPT_INT, 0, 20, 1472, "32",
			 "UDP payload bytes: measurement header, request id, pattern (a frame size given to the run takes precedence)"},
	[OPT_IPV6] = {"ipv6", XD_OPT_BOOL, 0, 0, 0, "false", "send over IPv6 even when the run has IPv4 addresses"},
};

const xd_plugin_info xd_plugin = {
	.id = "{{NAME}}",
	.version = "0.1.0",
	.description = "UDP requests with a per-packet request id and a measurement header",
	.license = "Apache-2.0",
	.options = OPTIONS,
	.noptions = NOPT,
};

/* Big things stay static: the stack is 16 KiB (see the Makefile). */
static xd_request req;
static xd_template tpl;

int describe_impl(xd_writer *out)
{
	xd_describe_json(out, &xd_plugin, false);
	return 0;
}

int generate_impl(const uint8_t *in, size_t in_len, xd_writer *out, char *err, size_t errlen)
{
	xd_option_value o[NOPT];
	if (xd_request_decode(in, in_len, &req, err, errlen) || xd_options_resolve(&xd_plugin, &req, o, err, errlen))
		return 1;
	xd_addr_pairs pairs;
	if (xd_address_pairs(&req, o[OPT_IPV6].b, false, &pairs, err, errlen))
		return 1;
	uint8_t fam = pairs.family;
	uint16_t lo = o[OPT_SRC_PORTS].lo, hi = o[OPT_SRC_PORTS].hi;
	uint32_t flows = (uint32_t)o[OPT_FLOWS].i;
	if ((uint32_t)(hi - lo) + 1 < flows) {
		xd_fmt(err, errlen, "option flows: %u flows need %u source ports, src-ports %u-%u has %u", flows, flows, lo,
		       hi, (unsigned)(hi - lo + 1));
		return 1;
	}

	size_t l3 = XD_ETH_LEN;
	size_t l4 = l3 + (fam == 4 ? XD_IPV4_LEN : XD_IPV6_LEN);
	size_t data = l4 + XD_UDP_LEN;
	size_t payload = (size_t)o[OPT_PAYLOAD].i;
	if (req.frame_size) {
		if (req.frame_size < data + XD_MH_SIZE + 2) {
			xd_fmt(err, errlen, "frame size %u is smaller than the %u bytes of headers, measurement header and request id",
			       req.frame_size, (unsigned)(data + XD_MH_SIZE + 2));
			return 1;
		}
		payload = req.frame_size - data;
	}
	size_t len = data + payload;
	if (len > XD_MAX_FRAME || (req.mtu && len > (size_t)req.mtu + XD_ETH_LEN)) {
		xd_fmt(err, errlen, "a %u-byte frame does not fit (at most %u bytes): lower payload", (unsigned)len,
		       (unsigned)(req.mtu && req.mtu + XD_ETH_LEN < XD_MAX_FRAME ? req.mtu + XD_ETH_LEN : XD_MAX_FRAME));
		return 1;
	}

	xd_template_init(&tpl);
	uint8_t *f = tpl.frame;
	tpl.len = (uint16_t)len;
	tpl.stream_id = req.stream_base;
	tpl.flows = flows;
	const uint8_t *src = pairs.src[0]->b, *dst = pairs.dst[0]->b;
	xd_eth(f, req.dst_mac, req.src_mac, fam == 4 ? XD_ETH_IPV4 : XD_ETH_IPV6);
	if (fam == 4)
		xd_ipv4(f + l3, XD_PROTO_UDP, 64, 0, true, src, dst, (uint16_t)(XD_UDP_LEN + payload));
	else
		xd_ipv6(f + l3, XD_PROTO_UDP, 64, 0, src, dst, (uint16_t)(XD_UDP_LEN + payload));
	xd_udp(f + l4, lo, (uint16_t)o[OPT_DST_PORT].i, (uint16_t)(XD_UDP_LEN + payload));
	/* the receiver finds the measurement header right after the UDP header */
	tpl.mh_offset = (uint16_t)data;
	size_t id = data + xd_mh(f + data, tpl.stream_id);
	for (size_t i = id + 2; i < len; i++)
		f[i] = (uint8_t)i;

	/* Field rules: xdp_tx rewrites these per packet; the host fixes the checksums. */
	xd_add_field(&tpl, (uint16_t)(l4 + 0), 2, XD_OP_INC, XD_PER_FLOW, lo, lo + flows - 1, 1);
	/* The request id counts this template's packets (docs/abi.md: counters are per template). */
	xd_add_field(&tpl, (uint16_t)id, 2, XD_OP_INC, XD_PER_PACKET, 0, 0xffff, 1);
	if (fam == 4) {
		xd_add_csum(&tpl, XD_CSUM_IPV4, (uint16_t)l3, 0);
		xd_add_csum(&tpl, XD_CSUM_UDP, (uint16_t)l3, (uint16_t)l4);
	} else {
		xd_add_csum(&tpl, XD_CSUM_UDP, (uint16_t)l3, (uint16_t)l4);
	}
	xd_fill_checksums(&tpl);

	xd_set_begin(out, 1);
	xd_template_encode(out, &tpl);
	if (out->failed) {
		xd_fmt(err, errlen, "out of memory while writing the template set");
		return 1;
	}
	return 0;
}
