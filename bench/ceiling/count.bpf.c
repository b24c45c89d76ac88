// SPDX-License-Identifier: GPL-2.0
/*
 * Receiving side of the benchmark: count every frame (per CPU) and drop it, except the few
 * the stack needs, which pass uncounted:
 *   - anything that is not IPv4 or IPv6 (ARP);
 *   - TCP (iperf3's control connection) and ICMP / ICMPv6 (the start-up measurement's
 *     echo request, which tcpdump stamps on arrival);
 *   - iperf3's "UDP connect" datagram: IPv4 UDP with exactly 4 payload bytes. No benchmark
 *     frame is that short (a 64-byte IPv4/UDP frame carries 22 payload bytes).
 * Everything else is the benchmark's traffic and is counted and dropped whatever its
 * payload length: xdp-trafficgen's IPv6/UDP frames carry 0 (62-byte frames, its default)
 * or 2 payload bytes (64-byte frames). A frame passed to the stack costs an skb and is
 * missing from the count, so a receiver that passes unknown frames penalises their sender.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define IPERF3_CONNECT_PAYLOAD 4

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

/* 1 when the frame must reach the stack (and is not counted), 0 when it is counted. */
static __always_inline int for_the_stack(void *data, void *end)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		struct udphdr *udp;

		if ((void *)(ip + 1) > end)
			return 0;
		if (ip->protocol == IPPROTO_TCP || ip->protocol == IPPROTO_ICMP)
			return 1;
		if (ip->protocol != IPPROTO_UDP || ip->ihl < 5)
			return 0;
		udp = (void *)ip + ip->ihl * 4;
		if ((void *)(udp + 1) > end)
			return 0;
		return bpf_ntohs(udp->len) == sizeof(*udp) + IPERF3_CONNECT_PAYLOAD;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return 0;
		return ip6->nexthdr == IPPROTO_TCP || ip6->nexthdr == IPPROTO_ICMPV6;
	}
	return 1;
}

SEC("xdp")
int xdp_count(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 key = 0;
	struct count *c;

	if (for_the_stack(data, end))
		return XDP_PASS;
	c = bpf_map_lookup_elem(&counts, &key);
	if (c) {
		c->packets++;
		c->bytes += end - data;
	}
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
