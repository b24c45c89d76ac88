// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * An object as xdp-tools and xdp-tutorial ship them: maps pinned by name (LIBBPF_PIN_BY_NAME)
 * and programs in legacy sections ("xdp_*") that libbpf 1.x does not type by itself. Two
 * programs, so bench needs --section. port_filter (section xdp_port_filter) drops UDP to the destination ports
 * listed in the pinned hash map deny_ports (empty as loaded: everything passes) and counts
 * verdicts in a pinned per-CPU array; drop_all drops everything.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} deny_ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDP_REDIRECT + 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} verdict_counts SEC(".maps");

static __always_inline int count(__u32 action)
{
	__u64 *n = bpf_map_lookup_elem(&verdict_counts, &action);
	if (n)
		(*n)++;
	return action;
}

SEC("xdp_port_filter")
int port_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return count(XDP_PASS);
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->protocol != IPPROTO_UDP || ip->ihl != 5)
		return count(XDP_PASS);
	struct udphdr *udp = (void *)(ip + 1);
	if ((void *)(udp + 1) > data_end)
		return count(XDP_PASS);
	__u16 port = bpf_ntohs(udp->dest);
	if (bpf_map_lookup_elem(&deny_ports, &port))
		return count(XDP_DROP);
	return count(XDP_PASS);
}

SEC("xdp_drop_all")
int drop_all(struct xdp_md *ctx)
{
	return count(XDP_DROP);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
