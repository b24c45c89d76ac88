// SPDX-License-Identifier: GPL-2.0
/*
 * Receiving side of the benchmark: count the benchmark's traffic (per CPU) and drop it;
 * pass everything else to the stack, so ARP and iperf3's TCP control connection work.
 *
 * Counted and dropped: UDP over IPv4 (every tool but xdp-trafficgen) or IPv6
 * (xdp-trafficgen sends only that) with at least 8 bytes of payload. Shorter UDP datagrams
 * pass: iperf3's 4-byte "UDP connect" message must reach its server. Every benchmark frame
 * is at least 64 bytes, so its payload is at least 22 bytes.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define MIN_PAYLOAD 8

struct count {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct count);
} counts SEC(".maps");

static __always_inline struct udphdr *udp_of(void *data, void *end)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->protocol != IPPROTO_UDP || ip->ihl < 5)
			return 0;
		return (void *)ip + ip->ihl * 4;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_UDP)
			return 0;
		return (void *)(ip6 + 1);
	}
	return 0;
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct udphdr *udp = udp_of(data, end);
	__u32 key = 0;
	struct count *c;

	if (!udp || (void *)(udp + 1) > end || bpf_ntohs(udp->len) < sizeof(*udp) + MIN_PAYLOAD)
		return XDP_PASS;
	c = bpf_map_lookup_elem(&counts, &key);
	if (c) {
		c->packets++;
		c->bytes += end - data;
	}
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
