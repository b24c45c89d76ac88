// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The transmit side. xdp_tx runs under BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: each
 * iteration gets a frame initialised from data_in, and XDP_TX sends it out of the
 * interface. Pages are recycled with their contents, so with one template only the fields
 * that change are written; with several, the chosen template is copied in first.
 *
 * Per packet: pacing against bpf_ktime_get_ns() (an early iteration returns XDP_DROP,
 * which only recycles the frame), the template from the weighted cycle, the field rules
 * (docs/abi.md), the measurement header, and incremental checksum fixes (RFC 1624).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xdperf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdperf_tx_config);
} tx_config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xdperf_tx_state);
} tx_state SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPERF_TEST_HOOKS);
	__type(key, __u32);
	__type(value, struct xdperf_test_hook);
} tx_test_hooks SEC(".maps");

/* Sequence numbers per CPU and stream: the receiver tracks each (stream, sending CPU) flow. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPERF_MAX_STREAMS);
	__type(key, __u32);
	__type(value, __u64);
} tx_seqs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPERF_MAX_TEMPLATES);
	__type(key, __u32);
	__type(value, struct xdperf_template);
} tx_templates SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPERF_SCHEDULE_MAX);
	__type(key, __u32);
	__type(value, struct xdperf_slot);
} tx_schedule SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XDPERF_LIST_MAX);
	__type(key, __u32);
	__type(value, __u64);
} tx_lists SEC(".maps");

/* Offsets are masked so that the verifier sees them bounded (frames fit in a template's room). */
#define OFFSET_MASK (XDPERF_TMPL_BYTES - 1)
_Static_assert((XDPERF_TMPL_BYTES & OFFSET_MASK) == 0, "the offset mask needs XDPERF_TMPL_BYTES to be a power of two");
#define GOLDEN 0x9E3779B97F4A7C15ULL

static __always_inline __u32 fold(__u64 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u32)sum;
}

static __always_inline __u64 splitmix64(__u64 z)
{
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static __always_inline __u64 mod_range(__u64 v, __u64 range)
{
	/* range 0 stands for 2^64; a power of two needs no division, 32 bits a cheaper one */
	if (!(range & (range - 1)))
		return v & (range - 1);
	if (!((v | range) >> 32))
		return (__u32)v % (__u32)range;
	return v % range;
}

/* The one's complement sum of a value's 16-bit big-endian words, as if it lay at an even offset. */
static __always_inline __u32 word_sum(__u64 v)
{
	return (__u32)(v & 0xffff) + (__u32)((v >> 16) & 0xffff) + (__u32)((v >> 32) & 0xffff) +
	       (__u32)(v >> 48);
}

/*
 * Writes `width` bytes of `v` big-endian at `off` with one bounds check and one store, and
 * returns what the fields' checksums must absorb: ~m + m' of RFC 1624 for the bytes replaced
 * (unfolded), or -1 when the field lies outside the frame. A field at an odd offset sits in
 * the words byte-swapped (RFC 1071: the sum of swapped words is the swapped sum).
 */
static __always_inline __s64 put_field(void *data, void *data_end, __u32 off, __u32 width, __u64 v)
{
	__u64 old, new;
	off &= OFFSET_MASK;
	void *p = data + off;
	switch (width) {
	case 1:
		if (p + 1 > data_end)
			return -1;
		old = (__u64)*(__u8 *)p << 8;
		new = (v & 0xff) << 8;
		*(__u8 *)p = (__u8)v;
		break;
	case 2:
		if (p + 2 > data_end)
			return -1;
		old = bpf_ntohs(*(__u16 *)p);
		new = v & 0xffff;
		*(__u16 *)p = bpf_htons((__u16)v);
		break;
	case 4:
		if (p + 4 > data_end)
			return -1;
		old = bpf_ntohl(*(__u32 *)p);
		new = v & 0xffffffff;
		*(__u32 *)p = bpf_htonl((__u32)v);
		break;
	default:
		if (p + 8 > data_end)
			return -1;
		old = bpf_be64_to_cpu(*(__u64 *)p);
		new = v;
		*(__u64 *)p = bpf_cpu_to_be64(v);
		break;
	}
	if (!(off & 1))
		/* ~m + m' without folding: word_sum(old) <= 4 * 0xffff, a multiple of 0xffff */
		return (4 * 0xffff - word_sum(old)) + word_sum(new);
	__u32 m_old = fold(word_sum(old));
	__u32 m_new = fold(word_sum(new));
	m_old = ((m_old & 0xff) << 8) | (m_old >> 8);
	m_new = ((m_new & 0xff) << 8) | (m_new >> 8);
	return (~m_old & 0xffff) + m_new;
}

/* Adds a field's adjustment to every checksum in `mask`. */
static __always_inline void absorb(__u64 acc[XDPERF_MAX_CSUMS], __u32 mask, __u64 adj)
{
#pragma unroll
	for (int c = 0; c < XDPERF_MAX_CSUMS; c++)
		if (mask & (1U << c))
			acc[c] += adj;
}

/* Fixes each checksum in `touched` once, with everything its fields changed (RFC 1624). */
static __always_inline int fix_checksums(void *data, void *data_end, struct xdperf_template *t,
					 __u32 touched, __u64 acc[XDPERF_MAX_CSUMS])
{
#pragma unroll
	for (int c = 0; c < XDPERF_MAX_CSUMS; c++) {
		if (!(touched & (1U << c)))
			continue;
		__u8 *p = data + (t->csums[c].offset & OFFSET_MASK);
		if ((void *)(p + 2) > data_end)
			return -1;
		__u32 hc = bpf_ntohs(*(__u16 *)p);
		if (t->csums[c].kind == XDPERF_CSUM_UDP && hc == 0)
			continue;               /* IPv4/UDP without a checksum stays so */
		/* HC' = ~(~HC + sum of (~m + m')) */
		__u32 res = ~fold((~hc & 0xffff) + acc[c]) & 0xffff;
		if (t->csums[c].kind == XDPERF_CSUM_UDP && res == 0)
			res = 0xffff;
		*(__u16 *)p = bpf_htons((__u16)res);
	}
	return 0;
}

/* Returns -1 when the slot must not be sent, else the sequence number to stamp. */
static __always_inline __s64 apply_test_hooks(__u32 n, __u64 seq)
{
	for (__u32 i = 0; i < XDPERF_TEST_HOOKS; i++) {
		if (i >= n)
			break;
		__u32 key = i;
		struct xdperf_test_hook *h = bpf_map_lookup_elem(&tx_test_hooks, &key);
		if (!h || h->at_seq != seq)
			continue;
		if (h->action == XDPERF_HOOK_DROP)
			return -1;
		if (h->action == XDPERF_HOOK_STAMP)
			return h->value;
	}
	return seq;
}

static __always_inline __u64 field_value(struct xdperf_field *fr, __u64 j, __u64 f, __u64 sj)
{
	__u64 x = fr->scope == 1 ? f : fr->scope == 2 ? sj : j;
	__u64 r;
	switch (fr->op) {
	case XDPERF_OP_INC:
		return fr->min + mod_range(x * fr->step, fr->range);
	case XDPERF_OP_DEC:
		return fr->min + fr->range - 1 - mod_range(x * fr->step, fr->range);
	case XDPERF_OP_LIST: {
		__u32 n = fr->list_count ? fr->list_count : 1;
		__u32 key = fr->list_start + (__u32)(x % n);
		__u64 *val = bpf_map_lookup_elem(&tx_lists, &key);
		return val ? *val : 0;
	}
	default: /*
		 * random: SplitMix64 keyed by the rule (its key, a hash of the run's seed and the
		 * rule's place, stands in `step`), so that the packet or flow number alone decides
		 * the value and a pcap of the same seed is what goes out (docs/abi.md, "Random values")
		 */
		r = splitmix64(fr->step + x * GOLDEN);
		return fr->min + mod_range(r, fr->range);
	}
}

SEC("xdp")
int xdp_tx(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct xdperf_tx_config *cfg = bpf_map_lookup_elem(&tx_config, &zero);
	struct xdperf_tx_state *st = bpf_map_lookup_elem(&tx_state, &zero);
	if (!cfg || !st)
		return XDP_ABORTED;
	if (cfg->stop || (st->limit && st->seq >= st->limit))
		return XDP_DROP;

	/*
	 * The clock. Paced, every slot reads it. Flat out, reading it would cost as much as the
	 * rest of the program on some hosts (virtual machines without a fast TSC read), so it is
	 * read on the first and the last slot of each live-frames batch only — the kernel never
	 * stops between the frames of a batch — and the frames between are placed at the pace of
	 * the previous batch, first to last frame (the receive work between batches, which on
	 * veth runs on this CPU, is not part of that pace).
	 */
	__u64 now;
	__u32 every = cfg->clock_every;     /* a power of two */
	if (cfg->interval_ns || every <= 1) {
		now = bpf_ktime_get_ns();
	} else {
		__u64 pos = st->seq & (every - 1);
		if (pos == 0 || pos == every - 1 || !st->clock_step) {
			now = bpf_ktime_get_ns();
			if (pos == 0) {
				st->clock_ns = now;
				st->clock_slot = st->seq;
			} else if (pos == every - 1 && st->clock_slot + every - 1 == st->seq) {
				__u64 step = (now - st->clock_ns) / (every - 1);
				/* an interrupt in the middle of a batch is not a pace */
				if (step < 10000 && (!st->clock_step || step <= 2 * st->clock_step))
					st->clock_step = step;
			}
		} else {
			now = st->clock_ns + (st->seq - st->clock_slot) * st->clock_step;
		}
		/* A faster batch than the last may reach a placed stamp before its time. */
		if (now <= st->last_ns)
			now = st->last_ns + 1;
	}
	if (cfg->end_ns && now >= cfg->end_ns)
		return XDP_DROP;
	if (cfg->interval_ns) {
		if (now < st->next_ns) {
			st->paced_skips++;
			return XDP_DROP;
		}
		/*
		 * Catch up after a gap (a call's teardown, an interrupt, the receive work veth does on
		 * this CPU), but by at most max_lag_ns: a burst of at most --max-burst frames, which a
		 * token bucket of that depth at the target rate passes. The departures given up are
		 * the run's deficit, reported rather than crammed in later.
		 */
		__u64 next = st->next_ns + cfg->interval_ns;
		if (now > next + cfg->max_lag_ns) {
			st->deficit += (now - cfg->max_lag_ns - next) / cfg->interval_ns;
			next = now - cfg->max_lag_ns;
		}
		st->next_ns = next;
	}

	__u64 slot = st->seq++;

	/* Which template, and which packet of it: docs/abi.md, "What xdp_tx does". */
	__u64 k = slot * cfg->n_cpus + st->rank;
	__u32 tid = 0;
	__u64 j = k;
	struct xdperf_slot *s = 0;
	if (cfg->cycle_len > 1) {
		__u32 pos = (__u32)(k % cfg->cycle_len);
		s = bpf_map_lookup_elem(&tx_schedule, &pos);
		if (!s)
			return XDP_ABORTED;
		tid = s->template_id;
	}
	struct xdperf_template *t = bpf_map_lookup_elem(&tx_templates, &tid);
	if (!t)
		return XDP_ABORTED;
	__u64 sj = k;    /* the packet's number within its stream: counters that templates share */
	if (s) {
		__u64 turn = k / cfg->cycle_len;
		j = turn * t->weight + s->rank;
		sj = turn * s->stream_weight + s->stream_rank;
	}

	/* The stream's next sequence number; a test hook may drop the slot or change the number. */
	__s64 seq = 0;
	__u64 *stream_seq = 0;
	if (t->mh_offset) {
		__u32 sid = t->stream_id & (XDPERF_MAX_STREAMS - 1);
		stream_seq = bpf_map_lookup_elem(&tx_seqs, &sid);
		if (!stream_seq)
			return XDP_ABORTED;
		seq = (*stream_seq)++;
	}
	if (cfg->test_hooks) {
		__s64 hooked = apply_test_hooks(cfg->test_hooks, slot);
		if (hooked < 0) {
			st->test_drops++;
			return XDP_DROP;
		}
		if ((__u64)hooked != slot)
			seq = hooked;
	}

	if (cfg->copy) {
		/* Several templates share the frames: set the length, then copy this one in. */
		int delta = (int)t->len - (int)(ctx->data_end - ctx->data);
		if (delta && bpf_xdp_adjust_tail(ctx, delta))
			return XDP_ABORTED;
		__u32 len = t->len & OFFSET_MASK;
		if (len < XDPERF_MIN_FRAME)
			return XDP_ABORTED;
		if (bpf_xdp_store_bytes(ctx, 0, t->bytes, len))
			return XDP_ABORTED;
	}

	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 acc[XDPERF_MAX_CSUMS] = {};
	__u32 touched = 0;
	__u32 nf = t->n_fields;
	if (nf) {
		__u64 f = t->flows > 1 ? j % t->flows : 0;
		for (__u32 i = 0; i < XDPERF_MAX_FIELDS; i++) {
			if (i >= nf)
				break;
			struct xdperf_field *fr = &t->fields[i];
			__s64 adj = put_field(data, data_end, fr->offset, fr->width, field_value(fr, j, f, sj));
			if (adj < 0)
				return XDP_ABORTED;
			__u32 mask = fr->csum_mask;
			if (mask) {
				absorb(acc, mask, adj);
				touched |= mask;
			}
		}
	}

	__u32 mh = t->mh_offset;
	if (mh) {
		__u32 mask = t->mh_csum_mask;
		__s64 a1 = put_field(data, data_end, mh + 4, 4, (__u32)seq);
		__s64 a2 = put_field(data, data_end, mh + 8, 8, now - cfg->test_tx_offset_ns);
		__s64 a3 = put_field(data, data_end, mh + 16, 2,
				     (bpf_get_smp_processor_id() << 8) | XDPERF_MH_VERSION);
		if (a1 < 0 || a2 < 0 || a3 < 0)
			return XDP_ABORTED;
		absorb(acc, mask, a1 + a2 + a3);
		touched |= mask;
	}
	if (touched && fix_checksums(data, data_end, t, touched, acc))
		return XDP_ABORTED;

	st->sent_packets++;
	st->sent_bytes += data_end - data;
	st->last_ns = now;
	return XDP_TX;
}

/* Attached to the sending interface: real NIC drivers only set up XDP transmit queues then. */
SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
