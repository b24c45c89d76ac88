// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The receive side. xdp_rx finds the xdperf measurement header after the transport header
 * (parse.h: up to two VLAN tags, IPv4 or IPv6, UDP, TCP or ICMP/ICMPv6 echo; in an IPv4
 * fragment only the first) and counts per CPU and per stream: packets, bytes, latency; per
 * (stream, sending CPU) it tracks sequence numbers for loss, duplicates and reordering.
 * Frames without the header pass to the kernel untouched.
 */
#include "parse.h"
#include "xdperf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdperf_rx_config);
} rx_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPERF_MAX_STREAMS);
	__type(key, __u32);
	__type(value, struct xdperf_rx_stream);
} rx_streams SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdperf_rx_totals);
} rx_totals SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPERF_MAX_STREAMS * XDPERF_MAX_CPUS);
	__type(key, __u32);
	__type(value, struct xdperf_rx_flow);
} rx_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPERF_HIST_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} rx_latency SEC(".maps");

/* Bursts per sending CPU, measured as a token bucket at the sender's rate would see them. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPERF_MAX_CPUS);
	__type(key, __u32);
	__type(value, struct xdperf_rx_burst);
} rx_bursts SEC(".maps");

/* Departure gaps: spacing of consecutive send times of a flow (the sender's pacing, whatever the receiver's delays). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPERF_HIST_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} rx_send_gaps SEC(".maps");

/* Arrival gaps between consecutive packets of a flow, as this receiver processed them. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPERF_HIST_BUCKETS);
	__type(key, __u32);
	__type(value, __u64);
} rx_gaps SEC(".maps");

/* Log-linear bucket: values below 64 exactly, above that 64 sub-buckets per power of two. */
static __always_inline __u32 hist_index(__u64 v)
{
	if (v < (1ULL << XDPERF_HIST_SUB_BITS))
		return (__u32)v;
	__u64 x = v;
	__u32 msb = 0;
	if (x >> 32) { x >>= 32; msb += 32; }
	if (x >> 16) { x >>= 16; msb += 16; }
	if (x >> 8)  { x >>= 8;  msb += 8; }
	if (x >> 4)  { x >>= 4;  msb += 4; }
	if (x >> 2)  { x >>= 2;  msb += 2; }
	if (x >> 1)  { msb += 1; }
	__u32 shift = msb - XDPERF_HIST_SUB_BITS;
	__u32 sub = (v >> shift) & ((1U << XDPERF_HIST_SUB_BITS) - 1);
	return ((shift + 1) << XDPERF_HIST_SUB_BITS) + sub;
}

static __always_inline void track_sequence(struct xdperf_rx_flow *f, __u32 seq32)
{
	if (f->next_seq == 0) {
		f->next_seq = (__u64)seq32 + 1;
		f->window = 1;
		return;
	}
	__u64 top = f->next_seq - 1;
	__s32 delta = (__s32)(seq32 - (__u32)top);
	__u64 seq = top + (__s64)delta;
	if (delta > 0) {
		__u64 shift = (__u64)delta;
		f->window = shift >= XDPERF_SEQ_WINDOW ? 1 : (f->window << shift) | 1;
		f->next_seq = seq + 1;
		return;
	}
	__u64 age = top - seq;
	if (age >= XDPERF_SEQ_WINDOW) {
		f->late++;
		return;
	}
	__u64 bit = 1ULL << age;
	if (f->window & bit) {
		f->duplicates++;
	} else {
		f->window |= bit;
		f->reordered++;
	}
}

/*
 * Sends an xdperf frame back where it came from: swaps MACs, IP addresses and L4 ports.
 * Swapping leaves every checksum valid (the sums are order-independent).
 */
static __always_inline int reflect(struct packet *p, void *data_end)
{
	struct ethhdr *eth = p->eth;
	__u8 mac[ETH_ALEN];
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	if (p->ip4) {
		__be32 a = p->ip4->saddr;
		p->ip4->saddr = p->ip4->daddr;
		p->ip4->daddr = a;
	} else if (p->ip6) {
		struct in6_addr a = p->ip6->saddr;
		p->ip6->saddr = p->ip6->daddr;
		p->ip6->daddr = a;
	}
	if (p->proto == IPPROTO_UDP || p->proto == IPPROTO_TCP) {
		__be16 *ports = p->l4;
		if ((void *)(ports + 2) > data_end)
			return XDP_DROP;
		__be16 port = ports[0];
		ports[0] = ports[1];
		ports[1] = port;
	}
	return XDP_TX;
}

SEC("xdp")
int xdp_rx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 zero = 0;
	struct xdperf_rx_totals *tot = bpf_map_lookup_elem(&rx_totals, &zero);
	struct xdperf_rx_config *cfg = bpf_map_lookup_elem(&rx_config, &zero);
	if (!tot || !cfg)
		return XDP_PASS;

	struct packet p = {};
	if (parse_ip(data, data_end, &p))
		goto other;
	struct xdperf_mh *mh = parse_transport(&p, data_end);
	if (!mh || (void *)(mh + 1) > data_end || mh->magic != bpf_htons(XDPERF_MH_MAGIC))
		goto other;

	__u64 now = bpf_ktime_get_ns();
	__u64 len = data_end - data;
	tot->packets++;
	tot->bytes += len;

	__u32 stream = bpf_ntohs(mh->stream_id);
	__u32 cpu = mh->cpu;
	if (stream >= XDPERF_MAX_STREAMS || cpu >= XDPERF_MAX_CPUS) {
		tot->bad_stream++;
		goto verdict;
	}
	__u64 interval = cfg->burst_interval_ns;
	if (interval) {
		struct xdperf_rx_burst *b = bpf_map_lookup_elem(&rx_bursts, &cpu);
		if (b) {
			__u64 tat = b->tat > now ? b->tat : now;
			if (tat - now > b->max_excess_ns)
				b->max_excess_ns = tat - now;
			b->tat = tat + interval;
		}
	}
	struct xdperf_rx_stream *s = bpf_map_lookup_elem(&rx_streams, &stream);
	if (s) {
		s->packets++;
		s->bytes += len;
	}

	__u64 tx_ns = bpf_be64_to_cpu(mh->tx_ns);
	__u64 lat = now > tx_ns ? now - tx_ns : 0;
	__u32 bucket = hist_index(lat);
	__u64 *count = bpf_map_lookup_elem(&rx_latency, &bucket);
	if (count)
		(*count)++;
	if (s && now > tx_ns) {
		s->lat_sum_ns += lat;
		s->lat_count++;
	}

	__u32 slot = stream * XDPERF_MAX_CPUS + cpu;
	struct xdperf_rx_flow *f = bpf_map_lookup_elem(&rx_flows, &slot);
	if (f) {
		/* RFC 3550 6.4.1: J += (|D| - J) / 16, kept times 16 in integers. */
		__s64 transit = (__s64)(now - tx_ns);
		if (f->next_seq) {
			__s64 d = transit - f->last_transit;
			if (d < 0)
				d = -d;
			f->jitter_x16 += d - ((f->jitter_x16 + 8) >> 4);
			__u32 gb = hist_index(now - f->last_arrival);
			__u64 *gc = bpf_map_lookup_elem(&rx_gaps, &gb);
			if (gc)
				(*gc)++;
			/* The previous send time is its arrival minus its transit. */
			__u64 prev_tx = f->last_arrival - f->last_transit;
			__u32 sb = hist_index(tx_ns > prev_tx ? tx_ns - prev_tx : 0);
			__u64 *sc = bpf_map_lookup_elem(&rx_send_gaps, &sb);
			if (sc)
				(*sc)++;
		}
		f->last_transit = transit;
		f->last_arrival = now;
		track_sequence(f, bpf_ntohl(mh->seq));
	}

verdict:
	if (cfg->verdict == XDPERF_VERDICT_REFLECT)
		return reflect(&p, data_end);
	return cfg->verdict == XDPERF_VERDICT_PASS ? XDP_PASS : XDP_DROP;
other:
	tot->other_packets++;
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
