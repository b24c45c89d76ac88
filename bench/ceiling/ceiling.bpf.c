// SPDX-License-Identifier: GPL-2.0
/* The ceiling of the live-frames mechanism: send the frame as it came, untouched.
 * Used with BPF_PROG_RUN + BPF_F_TEST_XDP_LIVE_FRAMES by bench/ceiling/sender.c. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_ceiling(struct xdp_md *ctx)
{
	return XDP_TX;
}

char LICENSE[] SEC("license") = "GPL";
