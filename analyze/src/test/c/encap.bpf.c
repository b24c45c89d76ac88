// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Grows and shrinks frames: IPv4 UDP to port 4789 gets a new outer Ethernet + IPv4 header in
 * front (bpf_xdp_adjust_head), whose checksum bpf_csum_diff computes; IPv4 with a TTL of 1 is
 * cut to its headers (bpf_xdp_adjust_tail) and sent back; a frame carrying an outer header
 * made by the first path (protocol 4, IP-in-IP) is decapsulated. A second program passes IPv4
 * whose header checksum (summed with bpf_csum_diff) is right and drops the rest.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

static __always_inline __u16 fold(__u64 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

SEC("xdp")
int encap(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return XDP_PASS;
	if (ip->protocol == IPPROTO_IPIP) {
		/* decapsulate: drop the outer IPv4 header, keep the Ethernet header */
		struct ethhdr saved = *eth;
		if (bpf_xdp_adjust_head(ctx, sizeof(struct iphdr)))
			return XDP_ABORTED;
		data = (void *)(long)ctx->data;
		data_end = (void *)(long)ctx->data_end;
		eth = data;
		if ((void *)(eth + 1) > data_end)
			return XDP_ABORTED;
		*eth = saved;
		return XDP_TX;
	}
	if (ip->ttl == 1) {
		int cut = (int)(data_end - data) - (int)(sizeof(*eth) + sizeof(*ip));
		if (bpf_xdp_adjust_tail(ctx, -cut))
			return XDP_ABORTED;
		return XDP_TX;
	}
	if (ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	struct udphdr *udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > data_end || udp->dest != bpf_htons(4789))
		return XDP_PASS;
	struct iphdr inner = *ip;
	struct ethhdr outer_eth = *eth;
	if (bpf_xdp_adjust_head(ctx, -(int)sizeof(struct iphdr)))
		return XDP_ABORTED;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	struct iphdr *outer = (void *)(eth + 1);
	if ((void *)(outer + 1) > data_end)
		return XDP_ABORTED;
	*eth = outer_eth;
	outer->version = 4;
	outer->ihl = 5;
	outer->tos = 0;
	outer->tot_len = bpf_htons(bpf_ntohs(inner.tot_len) + sizeof(struct iphdr));
	outer->id = 0;
	outer->frag_off = 0;
	outer->ttl = 64;
	outer->protocol = IPPROTO_IPIP;
	outer->check = 0;
	outer->saddr = bpf_htonl(0xc0a80001);
	outer->daddr = inner.daddr;
	__s64 sum = bpf_csum_diff(0, 0, (__be32 *)outer, sizeof(*outer), 0);
	if (sum < 0)
		return XDP_ABORTED;
	outer->check = fold(sum);
	return XDP_TX;
}

SEC("xdp")
int verify_csum(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return XDP_PASS;
	/* a correct header sums to 0xffff */
	__s64 sum = bpf_csum_diff(0, 0, (__be32 *)ip, sizeof(*ip), 0);
	return sum == 0xffff ? XDP_PASS : XDP_DROP;
}

char _license[] SEC("license") = "Dual BSD/GPL";
