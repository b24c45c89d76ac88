// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Redirects through maps, as a forwarding table programmed from user space would: a hash map
 * keyed by destination MAC gives the new addresses and a device-map slot; the frame is
 * rewritten and sent with bpf_redirect_map. A second program spreads UDP over a CPU map by
 * destination port, a third sends frames to an AF_XDP socket map by receive queue or passes them.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct mac_key {
	__u8 addr[ETH_ALEN];
};

struct hop {
	__u8 src[ETH_ALEN];
	__u8 dst[ETH_ALEN];
	__u32 slot;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct mac_key);
	__type(value, struct hop);
} next_hop SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u32);
} out_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_CPUMAP);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} cpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} sockets SEC(".maps");

SEC("xdp")
int mac_redirect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct mac_key key;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	__builtin_memcpy(key.addr, eth->h_dest, ETH_ALEN);
	struct hop *h = bpf_map_lookup_elem(&next_hop, &key);
	if (!h)
		return XDP_PASS;
	__builtin_memcpy(eth->h_source, h->src, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, h->dst, ETH_ALEN);
	return bpf_redirect_map(&out_ports, h->slot, XDP_DROP);
}

SEC("xdp")
int cpu_spread(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5
	    || ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	struct udphdr *udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > data_end)
		return XDP_PASS;
	return bpf_redirect_map(&cpus, bpf_ntohs(udp->dest) & 1, XDP_PASS);
}

SEC("xdp")
int to_socket(struct xdp_md *ctx)
{
	return bpf_redirect_map(&sockets, 0, XDP_PASS);
}

char _license[] SEC("license") = "Dual BSD/GPL";
