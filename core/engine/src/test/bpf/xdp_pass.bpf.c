// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Passes every frame to the stack. Tests attach it to the bridge ports of network namespaces
 * used as nodes: a veth only drains frames that its peer sends with XDP_TX while it has a
 * native XDP program (GRO alone is not enough for XDP_TX, only for live frames).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
