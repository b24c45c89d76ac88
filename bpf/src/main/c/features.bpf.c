// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Packet features at XDP speed (xdperf server --features). xdp_features parses Ethernet,
 * up to two VLAN tags, IPv4/IPv6 and TCP/UDP (ICMP without ports; an IPv4 fragment other than
 * the first without its transport header) with parse.h, finds the xdperf measurement header
 * when present, and then, by tier:
 *   flows   - aggregates per 5-tuple in a per-CPU LRU hash (packets, bytes, first/last
 *             time, TCP flags OR-ed); user space reads and exports it;
 *   sampled - writes one record per N IP packets on each CPU into that CPU's ring buffer;
 *   full    - writes a record for every IP packet into that CPU's ring buffer.
 * Every packet is counted in feat_counters before anything can fail, and every record that
 * could not be written (ring full, no ring) is counted too: what is missing is always known.
 */
#include "parse.h"
#include "xdperf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdperf_feat_config);
} feat_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdperf_feat_counters);
} feat_counters SEC(".maps");

/* User space sizes this before load (--features-max-flows). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct xdperf_flow_key);
	__type(value, struct xdperf_flow_value);
} feat_flows SEC(".maps");

/* The prototype of every per-CPU ring; user space creates the real ones at the size asked for. */
struct feat_ring {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 16);
};

/* Slot i holds the ring buffer of CPU i: one producer per ring, so no producer contention. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, XDPERF_MAX_CPUS);
	__type(key, __u32);
	__array(values, struct feat_ring);
} feat_rings SEC(".maps");

static __always_inline void copy_ipv4(__u8 *to, __be32 addr)
{
	__builtin_memcpy(to, &addr, 4);
}

SEC("xdp")
int xdp_features(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0;
	struct xdperf_feat_counters *c = bpf_map_lookup_elem(&feat_counters, &zero);
	struct xdperf_feat_config *cfg = bpf_map_lookup_elem(&feat_config, &zero);
	if (!c || !cfg)
		return XDP_PASS;
	__u64 len = data_end - data;
	c->packets++;
	c->bytes += len;

	struct xdperf_flow_key key;
	__builtin_memset(&key, 0, sizeof(key));
	__u8 flags = 0;
	__u16 stream = 0;
	__u8 tx_cpu = 0;
	__u32 seq = 0;

	struct packet p = {};
	if (parse_ip(data, data_end, &p))
		goto other;
	if (p.vlans)
		flags |= XDPERF_FEAT_HAS_VLAN;
	if (p.ip4) {
		key.family = 4;
		copy_ipv4(key.src, p.ip4->saddr);
		copy_ipv4(key.dst, p.ip4->daddr);
	} else {
		key.family = 6;
		__builtin_memcpy(key.src, &p.ip6->saddr, 16);
		__builtin_memcpy(key.dst, &p.ip6->daddr, 16);
	}
	key.proto = p.proto;
	if (p.later_fragment)
		flags |= XDPERF_FEAT_FRAGMENT;

	struct xdperf_mh *mh = parse_transport(&p, data_end);
	key.sport = p.sport;
	key.dport = p.dport;
	if (mh && (void *)(mh + 1) <= data_end && mh->magic == bpf_htons(XDPERF_MH_MAGIC)) {
		flags |= XDPERF_FEAT_HAS_MH;
		stream = bpf_ntohs(mh->stream_id);
		tx_cpu = mh->cpu;
		seq = bpf_ntohl(mh->seq);
		c->xdperf_packets++;
		c->xdperf_bytes += len;
	}

	c->ip_packets++;
	__u64 now = bpf_ktime_get_ns();
	if (cfg->tier == XDPERF_FEAT_FLOWS) {
		struct xdperf_flow_value *v = bpf_map_lookup_elem(&feat_flows, &key);
		if (!v) {
			struct xdperf_flow_value init;
			__builtin_memset(&init, 0, sizeof(init));
			init.packets = 1;
			init.bytes = len;
			init.first_ns = now;
			init.last_ns = now;
			init.tcp_flags = p.tcp_flags;
			if (bpf_map_update_elem(&feat_flows, &key, &init, BPF_NOEXIST) == 0) {
				c->flows_created++;
				goto verdict;
			}
			/* Another CPU created it first: this CPU's copy starts at zero. */
			v = bpf_map_lookup_elem(&feat_flows, &key);
			if (!v) {
				c->flow_failures++;
				goto verdict;
			}
		}
		if (v->packets == 0)
			v->first_ns = now;
		v->packets++;
		v->bytes += len;
		v->last_ns = now;
		v->tcp_flags |= p.tcp_flags;
		goto verdict;
	}

	if (cfg->tier == XDPERF_FEAT_SAMPLED) {
		__u64 n = cfg->sample_n;
		if (n > 1 && (c->ip_packets - 1) % n != 0)
			goto verdict;
	}
	c->selected++;
	__u32 cpu = bpf_get_smp_processor_id();
	void *ring = bpf_map_lookup_elem(&feat_rings, &cpu);
	if (!ring) {
		c->no_ring++;
		goto verdict;
	}
	struct xdperf_feat_record *r = bpf_ringbuf_reserve(ring, sizeof(*r), 0);
	if (!r) {
		c->ring_full++;
		goto verdict;
	}
	r->ts_ns = now;
	__builtin_memcpy(r->src, key.src, 16);
	__builtin_memcpy(r->dst, key.dst, 16);
	r->sport = key.sport;
	r->dport = key.dport;
	r->len = len;
	r->vlan = p.vlan;
	r->proto = key.proto;
	r->family = key.family;
	r->tcp_flags = p.tcp_flags;
	r->flags = flags;
	r->stream_id = (flags & XDPERF_FEAT_HAS_MH) ? stream : 0;
	r->tx_cpu = (flags & XDPERF_FEAT_HAS_MH) ? tx_cpu : 0;
	r->rx_cpu = cpu;
	r->seq = (flags & XDPERF_FEAT_HAS_MH) ? seq : 0;
	r->pad = 0;
	/* No wakeup per record: the consumer polls and drains in batches. */
	bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	c->submitted++;

verdict:
	if ((flags & XDPERF_FEAT_HAS_MH) && cfg->verdict == XDPERF_VERDICT_DROP)
		return XDP_DROP;
	return XDP_PASS;
other:
	c->other_packets++;
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
