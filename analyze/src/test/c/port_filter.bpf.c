// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Drops TCP to ports 22 and 23 and UDP to port 53 over IPv4 (with options: the IP header
 * length is read from the packet) or IPv6; passes everything else.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

static __always_inline int blocked(__u8 proto, __u16 port)
{
	if (proto == IPPROTO_TCP)
		return port == 22 || port == 23;
	if (proto == IPPROTO_UDP)
		return port == 53;
	return 0;
}

SEC("xdp")
int port_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	void *l4;
	__u8 proto;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > data_end || ip->ihl < 5)
			return XDP_PASS;
		proto = ip->protocol;
		l4 = (void *)ip + ip->ihl * 4;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end)
			return XDP_PASS;
		proto = ip6->nexthdr;
		l4 = ip6 + 1;
	} else {
		return XDP_PASS;
	}
	/* source and destination port are the first four bytes of both TCP and UDP */
	__be16 *ports = l4;
	if ((void *)(ports + 2) > data_end)
		return XDP_PASS;
	return blocked(proto, bpf_ntohs(ports[1])) ? XDP_DROP : XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
