// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The feature probes' program (Features.java): loads where XDP programs load, and runs under
 * live frames without sending anything. An object of its own, so a probe creates none of the
 * transmit maps (about 3.5 MiB for tx_templates, tx_schedule and tx_lists).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_probe(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char _license[] SEC("license") = "Dual BSD/GPL";
