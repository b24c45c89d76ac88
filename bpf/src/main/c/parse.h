/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * The one packet parser of xdp_rx and xdp_features: Ethernet, up to two VLAN tags (802.1Q or
 * 802.1ad), IPv4 or IPv6, the transport header (UDP, TCP, ICMP/ICMPv6 echo) and the byte after
 * it, where the xdperf measurement header sits. IPv6 extension headers are not followed: their
 * next-header value is the protocol, with no transport header.
 */
#ifndef XDPERF_PARSE_H
#define XDPERF_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define XDPERF_MAX_VLANS 2

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct packet {
	struct ethhdr *eth;
	struct iphdr *ip4;       /* exactly one of ip4 and ip6 is set */
	struct ipv6hdr *ip6;
	void *l4;                /* the transport header; 0 in a later fragment */
	__u16 vlan;              /* VLAN id of the outer tag, when vlans > 0 */
	__u8 vlans;              /* tags in front of the IP header */
	__u8 proto;              /* IPv4 protocol or IPv6 next header */
	__u8 later_fragment;     /* an IPv4 fragment with a non-zero offset */
	__u16 sport;             /* host byte order; set by parse_transport for UDP and TCP */
	__u16 dport;
	__u8 tcp_flags;
};

/* Fills p up to the IP header; -1 when the frame is not IPv4/IPv6 or ends inside a header. */
static __always_inline int parse_ip(void *data, void *data_end, struct packet *p)
{
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end)
		return -1;
	p->eth = eth;
	void *cur = eth + 1;
	__u16 proto = eth->h_proto;
#pragma unroll
	for (int i = 0; i < XDPERF_MAX_VLANS; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		struct vlan_hdr *vh = cur;
		if ((void *)(vh + 1) > data_end)
			return -1;
		if (!p->vlans)
			p->vlan = bpf_ntohs(vh->tci) & 0x0fff;
		p->vlans++;
		proto = vh->proto;
		cur = vh + 1;
	}

	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = cur;
		if ((void *)(ip + 1) > data_end || ip->ihl < 5)
			return -1;
		p->ip4 = ip;
		p->proto = ip->protocol;
		/* Fragment rule: only offset 0 carries the transport header, so a first fragment (MF set) is parsed like a whole packet. */
		if (ip->frag_off & bpf_htons(0x1fff)) {
			p->later_fragment = 1;
			return 0;
		}
		p->l4 = (void *)ip + ip->ihl * 4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = cur;
		if ((void *)(ip6 + 1) > data_end)
			return -1;
		p->ip6 = ip6;
		p->proto = ip6->nexthdr;
		p->l4 = ip6 + 1;
	} else {
		return -1;
	}
	return 0;
}

/*
 * The byte after the transport header, where a measurement header would start; 0 when there is
 * no transport header xdperf knows or the frame ends inside it.
 */
static __always_inline void *parse_transport(struct packet *p, void *data_end)
{
	void *cur = p->l4;
	if (!cur)
		return 0;
	if (p->proto == IPPROTO_UDP) {
		struct udphdr *uh = cur;
		if ((void *)(uh + 1) > data_end)
			return 0;
		p->sport = bpf_ntohs(uh->source);
		p->dport = bpf_ntohs(uh->dest);
		return uh + 1;
	}
	if (p->proto == IPPROTO_TCP) {
		struct tcphdr *th = cur;
		if ((void *)(th + 1) > data_end || th->doff < 5)
			return 0;
		p->sport = bpf_ntohs(th->source);
		p->dport = bpf_ntohs(th->dest);
		p->tcp_flags = ((__u8 *)th)[13];
		return cur + th->doff * 4;
	}
	if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) {
		/* echo request/reply: type, code, checksum, identifier, sequence */
		if (cur + 8 > data_end)
			return 0;
		return cur + 8;
	}
	return 0;
}

#endif /* XDPERF_PARSE_H */
