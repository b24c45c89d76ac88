// SPDX-License-Identifier: GPL-2.0
/* The ceiling's twin for issue 19's question, XDP_TX or XDP_REDIRECT: the frame untouched,
 * sent by bpf_redirect() to the interface the live frames are run "on" (their ingress
 * ifindex), as xdp-trafficgen sends. Named like the ceiling so that bench/ceiling/sender.c
 * runs it with --obj. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_ceiling(struct xdp_md *ctx)
{
	return bpf_redirect(ctx->ingress_ifindex, 0);
}

char LICENSE[] SEC("license") = "GPL";
