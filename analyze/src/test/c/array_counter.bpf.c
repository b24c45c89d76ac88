// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Counts packets and bytes per IP protocol in an array map and passes IPv4, drops the
 * rest. The counters are written, never branched on: the program stays traceable.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct counter {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, struct counter);
} per_proto SEC(".maps");

SEC("xdp")
int array_counter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_DROP;
	__u32 key = ip->protocol;
	struct counter *c = bpf_map_lookup_elem(&per_proto, &key);
	if (!c)
		return XDP_ABORTED;
	__sync_fetch_and_add(&c->packets, 1);
	__sync_fetch_and_add(&c->bytes, data_end - data);
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
