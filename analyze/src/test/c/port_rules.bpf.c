// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * A port filter driven by a rule map, in the style of shipped filters: rules keyed by port in a
 * hash map pinned by name, per-verdict counters in a per-CPU array, the program in a legacy
 * "xdp_*" section. A rule's bits say which transport it applies to and whether the source port
 * matches too; IPv4 (header length from the packet) and IPv6 are parsed.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define RULE_UDP 1
#define RULE_TCP 2
#define RULE_SRC 4

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} port_rules SEC(".maps");

struct counters {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, struct counters);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} verdict_counters SEC(".maps");

static __always_inline int denied(__u32 port, __u32 want, int source)
{
	__u32 *rule = bpf_map_lookup_elem(&port_rules, &port);

	if (!rule || !(*rule & want))
		return 0;
	return source ? (*rule & RULE_SRC) != 0 : 1;
}

static __always_inline __u32 decide(struct xdp_md *ctx)
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
	__u32 want = proto == IPPROTO_UDP ? RULE_UDP : proto == IPPROTO_TCP ? RULE_TCP : 0;
	if (!want)
		return XDP_PASS;
	__be16 *ports = l4;
	if ((void *)(ports + 2) > data_end)
		return XDP_PASS;
	if (denied(bpf_ntohs(ports[1]), want, 0) || denied(bpf_ntohs(ports[0]), want, 1))
		return XDP_DROP;
	return XDP_PASS;
}

SEC("xdp_port_rules")
int port_rules_prog(struct xdp_md *ctx)
{
	__u32 verdict = decide(ctx);
	struct counters *c = bpf_map_lookup_elem(&verdict_counters, &verdict);

	if (!c)
		return XDP_ABORTED;
	c->packets++;
	c->bytes += ctx->data_end - ctx->data;
	return verdict;
}

char _license[] SEC("license") = "Dual BSD/GPL";
