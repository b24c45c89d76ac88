// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Programs that exercise what the interpreter implements, for the differential tests
 * against the kernel: subprograms, global data (.data, .bss, .rodata), atomics, array,
 * per-CPU array, hash and LRU hash maps, checksums, loops, byte swaps, and every helper
 * that changes the frame. No time and no randomness: the kernel and the interpreter must
 * agree byte for byte.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/in.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 8);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} percpu SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, __u16);
	__type(value, __u32);
} ports SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u32);
} targets SEC(".maps");

const volatile __u32 salt = 0x5a5a1234;
__u64 packets;
__u32 magic = 0xfeedbeef;
__s32 signed_min = -7;

static __noinline __u32 mix(__u32 a, __u32 b)
{
	a ^= b;
	a = (a << 7) | (a >> 25);
	return a * 2654435761u;
}

static __noinline __u64 fold(__u64 x, __u32 rounds)
{
	for (__u32 i = 0; i < rounds && i < 16; i++)
		x = (x >> 3) ^ (x * 31) ^ i;
	return x;
}

static __noinline int count(__u32 key, __u64 add)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &key);
	if (!v)
		return -1;
	__sync_fetch_and_add(v, add);
	return 0;
}

/* Parses Ethernet/IPv4/UDP, mixes addresses with global data in subprograms, writes the results into the payload. */
SEC("xdp")
int features(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	__u8 *payload = (void *)(udp + 1);

	__sync_fetch_and_add(&packets, 1);
	if ((void *)(payload + 32) > data_end)
		return XDP_DROP;
	if (eth->h_proto != bpf_htons(ETH_P_IP) || ip->ihl != 5)
		return XDP_PASS;

	__u32 h = mix(ip->saddr, ip->daddr ^ salt ^ magic);
	__u64 f = fold(((__u64)h << 32) | bpf_ntohs(udp->dest), payload[0] & 15);
	*(__u32 *)payload = bpf_htonl(h);
	*(__u64 *)(payload + 4) = f;

	/* checksum of the IP header with the helper */
	__s64 c = bpf_csum_diff(0, 0, (void *)ip, sizeof(*ip), 0);
	*(__u32 *)(payload + 12) = (__u32)c;
	/* a difference (old header words out, UDP header in) with a seed, and a removal only */
	__s64 c2 = bpf_csum_diff((void *)ip, 8, (void *)udp, sizeof(*udp), bpf_ntohs(udp->check));
	__s64 c3 = bpf_csum_diff((void *)&ip->saddr, 4, 0, 0, 0xffff);
	*(__u32 *)(payload + 22) = (__u32)c2;
	*(__u32 *)(payload + 26) = (__u32)c3;

	/* signed arithmetic and byte swaps on packet values */
	__s32 s = (__s8)payload[1];
	s = s * signed_min + 3;
	*(__s32 *)(payload + 16) = s < 0 ? -s : s;
	*(__u16 *)(payload + 20) = __builtin_bswap16(udp->source);

	/* maps: array through a subprogram, per-CPU array, LRU hash, hash */
	count(ip->protocol & 7, data_end - data);
	__u32 zero = 0;
	__u64 *pc = bpf_map_lookup_elem(&percpu, &zero);
	if (pc)
		*pc += payload[2];
	__u32 src = ip->saddr;
	__u64 *seen = bpf_map_lookup_elem(&flows, &src);
	if (seen) {
		__sync_fetch_and_add(seen, 1);
	} else {
		__u64 one = 1;
		bpf_map_update_elem(&flows, &src, &one, BPF_NOEXIST);
	}
	__u16 port = bpf_ntohs(udp->dest);
	__u32 *hits = bpf_map_lookup_elem(&ports, &port);
	if (hits) {
		__sync_fetch_and_add(hits, 1);
		return XDP_DROP;
	}
	__u32 one32 = 1;
	if (port & 1)
		bpf_map_update_elem(&ports, &port, &one32, BPF_ANY);
	else if (port & 2)
		bpf_map_delete_elem(&ports, &port);
	return payload[3] & 1 ? XDP_TX : XDP_PASS;
}

/* Atomics on array values: or, and, xor, exchange, compare-exchange, with and without fetch. */
SEC("xdp")
int atomics(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	if ((void *)(p + 32) > data_end)
		return XDP_DROP;
	__u32 k0 = 0, k1 = 1, k2 = 2, k3 = 3;
	__u64 *a = bpf_map_lookup_elem(&stats, &k0);
	__u64 *b = bpf_map_lookup_elem(&stats, &k1);
	__u64 *c = bpf_map_lookup_elem(&stats, &k2);
	__u64 *d = bpf_map_lookup_elem(&stats, &k3);
	if (!a || !b || !c || !d)
		return XDP_ABORTED;
	__u64 v = *(__u64 *)(p + 14);
	__u64 old_or = __sync_fetch_and_or(a, v);
	__sync_fetch_and_and(b, ~v);
	__u64 old_xor = __sync_fetch_and_xor(c, v >> 3);
	__u64 old_x = __sync_lock_test_and_set(d, v);
	__u64 old_c = __sync_val_compare_and_swap(a, old_or | v, v + 1);
	__u32 *w = (__u32 *)b;
	__u32 old_w = __sync_fetch_and_add(w, (__u32)v);
	__u32 old_wc = __sync_val_compare_and_swap(w, 12345, 54321);
	*(__u64 *)(p + 0) = old_or ^ old_xor;
	*(__u64 *)(p + 8) = old_x + old_c;
	*(__u32 *)(p + 16) = old_w ^ old_wc;
	return XDP_PASS;
}

/* Moves the frame's boundaries: a new header in front, metadata, a trailer; copies bytes with the helpers. */
SEC("xdp")
int reshape(struct xdp_md *ctx)
{
	if (bpf_xdp_adjust_head(ctx, -8))
		return XDP_ABORTED;
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + 8 + ETH_HLEN > data_end)
		return XDP_DROP;
	/* the new 8 bytes carry the first 8 bytes of the old Ethernet header, reversed */
	__u8 tmp[8];
	if (bpf_xdp_load_bytes(ctx, 8, tmp, sizeof(tmp)))
		return XDP_ABORTED;
	__u8 rev[8];
	for (int i = 0; i < 8; i++)
		rev[i] = tmp[7 - i];
	if (bpf_xdp_store_bytes(ctx, 0, rev, sizeof(rev)))
		return XDP_ABORTED;

	if (bpf_xdp_adjust_meta(ctx, -8))
		return XDP_ABORTED;
	void *meta = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if (meta + 8 > data)
		return XDP_ABORTED;
	*(__u64 *)meta = 0x0102030405060708ULL;

	int grow = 4;
	if (bpf_xdp_adjust_tail(ctx, grow))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	__u32 len = data_end - data;
	__u32 tail = len - grow;
	__u32 mark = bpf_htonl(0xc0ffee00 | (len & 0xff));
	if (tail > 2000)
		return XDP_DROP;
	if (bpf_xdp_store_bytes(ctx, tail, &mark, sizeof(mark)))
		return XDP_ABORTED;
	/* and cut two bytes off again when the frame is longer than 60 bytes */
	if (len > 60 && bpf_xdp_adjust_tail(ctx, -2))
		return XDP_ABORTED;
	return XDP_PASS;
}

/* Redirects through the device map by the low bits of the first byte; slot 3 is empty in the tests. */
SEC("xdp")
int redirect(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u8 *p = data;
	if ((void *)(p + 1) > data_end)
		return XDP_DROP;
	if (p[0] & 0x80)
		return bpf_redirect(1, 0);
	return bpf_redirect_map(&targets, p[0] & 3, XDP_PASS);
}

char _license[] SEC("license") = "Dual BSD/GPL";
