// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * An IPv4 router: asks the kernel's FIB (bpf_fib_lookup) where a packet goes, and on success
 * lowers the TTL (fixing the header checksum incrementally), writes the MACs the lookup gave
 * and redirects to the egress interface. Blackholed, unreachable and prohibited destinations
 * are dropped; everything else (no route, no neighbour, too big, local) goes to the stack.
 * A second program does the same lookup with fixed parameters but the destination, so its
 * paths depend on the packet and the tables alone.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define AF_INET 2

static __always_inline int route(struct xdp_md *ctx, __u32 ifindex)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct bpf_fib_lookup p = {};

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ttl <= 1)
		return XDP_PASS;
	p.family = AF_INET;
	p.tos = ip->tos;
	p.l4_protocol = ip->protocol;
	p.tot_len = bpf_ntohs(ip->tot_len);
	p.ipv4_src = ip->saddr;
	p.ipv4_dst = ip->daddr;
	p.ifindex = ifindex;

	int rc = bpf_fib_lookup(ctx, &p, sizeof(p), 0);
	if (rc == BPF_FIB_LKUP_RET_BLACKHOLE || rc == BPF_FIB_LKUP_RET_UNREACHABLE || rc == BPF_FIB_LKUP_RET_PROHIBIT)
		return XDP_DROP;
	if (rc != BPF_FIB_LKUP_RET_SUCCESS)
		return XDP_PASS;
	/* TTL is the high byte of the 16-bit word it shares with the protocol */
	__u32 sum = (__u16)~ip->check + (__u16)~bpf_htons(ip->ttl << 8) + bpf_htons((ip->ttl - 1) << 8);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	ip->check = ~sum;
	ip->ttl--;
	__builtin_memcpy(eth->h_dest, p.dmac, ETH_ALEN);
	__builtin_memcpy(eth->h_source, p.smac, ETH_ALEN);
	return bpf_redirect(p.ifindex, 0);
}

SEC("xdp")
int fib_router(struct xdp_md *ctx)
{
	return route(ctx, ctx->ingress_ifindex);
}

SEC("xdp")
int fib_router_lo(struct xdp_md *ctx)
{
	return route(ctx, 1);
}

char _license[] SEC("license") = "Dual BSD/GPL";
