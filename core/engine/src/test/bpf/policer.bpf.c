// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * A token-bucket policer for tests, written for xdperf from the textbook description (the
 * generic cell rate algorithm, which is a token bucket): xdperf's UDP frames (IPv4,
 * destination port 5201) pass at POLICER_RATE frames per second on each CPU with a bucket of
 * POLICER_BUCKET frames (or as policer_cfg says), and the rest are dropped; every other frame passes. A stream spaced
 * evenly at or below the rate never finds the bucket empty; a burst of more than the bucket
 * above the rate loses its excess. policer_stats[0] counts the frames passed, [1] those dropped.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define POLICER_RATE   300000ULL   /* unless policer_cfg[0] says otherwise */
#define POLICER_BUCKET 64ULL       /* unless policer_cfg[1] says otherwise */

/* Set with bpftool after attaching: [0] frames per second, [1] bucket depth in frames. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} policer_cfg SEC(".maps");

/* The theoretical arrival time of the next conforming frame, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} policer_tat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} policer_stats SEC(".maps");

SEC("xdp")
int xdp_policer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_UDP ||
	    ip->ihl != 5)
		return XDP_PASS;
	struct udphdr *udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > data_end || udp->dest != bpf_htons(5201))
		return XDP_PASS;

	__u32 zero = 0;
	__u64 *tat = bpf_map_lookup_elem(&policer_tat, &zero);
	if (!tat)
		return XDP_PASS;
	__u32 one = 1;
	__u64 *rate = bpf_map_lookup_elem(&policer_cfg, &zero);
	__u64 *bucket = bpf_map_lookup_elem(&policer_cfg, &one);
	__u64 emission_ns = 1000000000ULL / (rate && *rate ? *rate : POLICER_RATE);   /* one token every ... */
	__u64 tolerance_ns = ((bucket && *bucket ? *bucket : POLICER_BUCKET) - 1) * emission_ns;   /* how early a frame may come */

	__u64 now = bpf_ktime_get_ns();
	__u64 t = *tat < now ? now : *tat;
	__u32 verdict = t - now > tolerance_ns;
	__u64 *count = bpf_map_lookup_elem(&policer_stats, &verdict);
	if (count)
		__sync_fetch_and_add(count, 1);
	if (verdict)
		return XDP_DROP;
	*tat = t + emission_ns;
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
