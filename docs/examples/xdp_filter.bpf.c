// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * An example program under test for `xdperf bench` (docs/bench.md): a small UDP filter.
 *
 *   UDP to port 9 (discard)  -> XDP_DROP
 *   UDP to port 7 (echo)     -> XDP_TX, with the Ethernet addresses swapped
 *   anything else            -> XDP_PASS
 *
 * On the way it files every IPv4 UDP packet into one of 64 flow buckets by a salted hash of
 * its addresses and ports. The salt is derived from a seed by 64 rounds of a mixing function;
 * the seed is a load-time setting (read-only data a loader may change before load).
 *
 * Built twice: as it should be (the salt is derived once and cached in a map), and with
 * -DSLOW, the deliberate regression: the salt is derived again for every packet. Both give
 * every packet the same verdict and bucket; only the cost differs.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define SALT_ROUNDS 64
#define BUCKETS     64

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} flow_buckets SEC(".maps");

#ifndef SLOW
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} salt_cache SEC(".maps");
#endif

const volatile __u64 salt_seed = 0x9e3779b97f4a7c15ULL;

/* splitmix64-style rounds: a stand-in for any costly value that does not change per packet. */
static __always_inline __u64 derive_salt(__u64 seed)
{
	for (int i = 0; i < SALT_ROUNDS; i++) {
		seed += 0x9e3779b97f4a7c15ULL;
		seed = (seed ^ (seed >> 30)) * 0xbf58476d1ce4e5b9ULL;
		seed = (seed ^ (seed >> 27)) * 0x94d049bb133111ebULL;
		seed ^= seed >> 31;
	}
	return seed;
}

static __always_inline __u64 salt(void)
{
#ifdef SLOW
	return derive_salt(salt_seed);           /* the regression: the same value, every packet */
#else
	__u32 zero = 0;
	__u64 *cached = bpf_map_lookup_elem(&salt_cache, &zero);

	if (!cached)
		return 0;
	if (*cached == 0)
		*cached = derive_salt(salt_seed);  /* once, on the first packet */
	return *cached;
#endif
}

SEC("xdp")
int xdp_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct udphdr *udp;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;

	__u64 h = ((__u64)ip->saddr << 32 | ip->daddr) ^ ((__u64)udp->source << 16 | udp->dest) ^ salt();
	__u32 bucket = (h ^ (h >> 32)) % BUCKETS;
	__u64 *n = bpf_map_lookup_elem(&flow_buckets, &bucket);
	if (n)
		*n += 1;

	if (udp->dest == bpf_htons(9))
		return XDP_DROP;
	if (udp->dest == bpf_htons(7)) {
		unsigned char tmp[ETH_ALEN];

		__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
		__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
		__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
		return XDP_TX;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
