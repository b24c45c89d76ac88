// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* Two XDP programs in one object: bench needs --section to choose. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_first(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_second(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
