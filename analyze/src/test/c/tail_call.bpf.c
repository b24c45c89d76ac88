// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* A tail call by protocol into a program array nothing fills: it falls through. */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} handlers SEC(".maps");

SEC("xdp")
int tail_call(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	if ((void *)(p + ETH_HLEN) > data_end)
		return XDP_DROP;
	bpf_tail_call(ctx, &handlers, p[13] & 3);
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
