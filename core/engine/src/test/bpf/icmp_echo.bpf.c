// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * An in-place rewriter in the xdp-tutorial style: answers ICMP echo requests from the frame
 * itself (MACs and IPv4 addresses swapped, type 8 -> 0, ICMP checksum updated incrementally per
 * RFC 1624) and sends the reply back with XDP_TX; everything else passes, replies included.
 * Legacy section name, statistics in a map pinned by name. Run on its own output it would pass:
 * bench must give it a fresh request every time.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* linux/icmp.h pulls in libc headers that -target bpf cannot take */
struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be16 id;
	__be16 sequence;
};
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} echo_replies SEC(".maps");

SEC("xdp_icmp_echo")
int icmp_echo(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct iphdr *ip = (void *)(eth + 1);
	if ((void *)(ip + 1) > data_end || ip->ihl != 5 || ip->protocol != IPPROTO_ICMP)
		return XDP_PASS;
	struct icmphdr *icmp = (void *)(ip + 1);
	if ((void *)(icmp + 1) > data_end || icmp->type != ICMP_ECHO || icmp->code != 0)
		return XDP_PASS;

	unsigned char mac[ETH_ALEN];
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	__be32 addr = ip->daddr;
	ip->daddr = ip->saddr;
	ip->saddr = addr;   /* a swap leaves the IPv4 header checksum as it is */

	/* type 8 -> 0 lowers the first 16-bit word (type, code) by 0x0800: HC' = ~(~HC + ~m + m') */
	__u16 old_word = bpf_ntohs(*(__be16 *)icmp);
	icmp->type = ICMP_ECHOREPLY;
	__u16 new_word = bpf_ntohs(*(__be16 *)icmp);
	__u32 sum = (__u16)~bpf_ntohs(icmp->checksum) + (__u16)~old_word + new_word;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	icmp->checksum = bpf_htons(~sum & 0xffff);

	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&echo_replies, &key);
	if (n)
		(*n)++;
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
