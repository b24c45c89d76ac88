// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The transmit side. xdp_tx runs under BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: each
 * iteration gets a frame initialised from data_in, and XDP_TX sends it out of the
 * interface. Pages are recycled with their contents, so with one template only the fields
 * that change are written; with several, the chosen template's bytes where the templates
 * differ are copied in first (all of it where that range is too long or a program rewrites frames).
 *
 * Per packet: pacing against bpf_ktime_get_ns() (an early iteration returns XDP_DROP,
 * which only recycles the frame), the template from the weighted cycle, the field rules
 * (docs/abi.md), the measurement header, and the checksums over what was written.
 *
 * What is fixed for a run sits in read-only data (`plan`, struct xdperf_tx_plan), written
 * before load: the verifier treats it as constants and drops the code a run cannot reach.
 * With one template (the common case) its rules are read from there too, unrolled, so each
 * rule's width, kind and place are constants and one bounds check covers every write.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "xdperf.h"

const volatile struct xdperf_tx_plan plan = {};

/* The run's end and its stop flag (.bss): written by the host, read here without a lookup. */
volatile struct xdperf_tx_config run = {};

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

/*
 * A one's complement sum folded to 16 bits (zero only for zero), for sums below 2^48: three
 * steps then reach at most 0xffff (after the first the sum is below 2^32 + 2^16, after the
 * second at most 0x1fffe). xdp_tx's sums stay far below: a template's base (under 2^26) and
 * at most nine writes of under 2^41 each (8 bytes summed as two 32-bit halves, shifted by 8).
 */
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

/*
 * Writes `width` bytes of `v` big-endian at p and returns their one's complement sum as if
 * the value ended on a word boundary (congruent modulo 0xffff, unfolded). Where it does not,
 * the caller shifts the sum by 8: 2^16 = 1 modulo 0xffff, so a byte's weight is 2^8 or 1 by
 * the parity of its offset alone (RFC 1071).
 */
static __always_inline __u64 put_be(void *p, __u32 width, __u64 v)
{
	switch (width) {
	case 1:
		*(__u8 *)p = (__u8)v;
		return v & 0xff;
	case 2:
		*(__u16 *)p = bpf_htons((__u16)v);
		return v & 0xffff;
	case 4:
		*(__u32 *)p = bpf_htonl((__u32)v);
		return v & 0xffffffff;
	default:
		*(__u64 *)p = bpf_cpu_to_be64(v);
		return (v & 0xffffffff) + (v >> 32);
	}
}

/* As put_be, at a masked offset checked against the frame's end: -1 when it lies outside. */
static __always_inline __s64 put_checked(void *data, void *data_end, __u32 off, __u32 width, __u64 v)
{
	void *p = data + (off & OFFSET_MASK);
	switch (width) {
	case 1:
		if (p + 1 > data_end)
			return -1;
		return put_be(p, 1, v);
	case 2:
		if (p + 2 > data_end)
			return -1;
		return put_be(p, 2, v);
	case 4:
		if (p + 4 > data_end)
			return -1;
		return put_be(p, 4, v);
	default:
		if (p + 8 > data_end)
			return -1;
		return put_be(p, 8, v);
	}
}

/*
 * Keeps a branch on a plan value a branch: the compiler would otherwise turn a short one into
 * arithmetic that runs either way, which the verifier cannot remove.
 */
#define KEEP_BRANCH() asm volatile("")

/* Adds a sum to every checksum in `mask`. */
static __always_inline void absorb(__u64 acc[XDPERF_MAX_CSUMS], __u32 mask, __u64 sum)
{
#pragma unroll
	for (int c = 0; c < XDPERF_MAX_CSUMS; c++)
		if (mask & (1U << c)) {
			acc[c] += sum;
			KEEP_BRANCH();
		}
}

/* Returns -1 when the slot must not be sent, else the sequence number to stamp. */
static __always_inline __s64 apply_test_hooks(__u32 n, __u64 seq)
{
	/* unrolled, each hook's branch on the run constant n: a rolled loop here has been
	 * compiled into code the verifier could not follow (a register read on a merged path) */
#pragma unroll
	for (__u32 i = 0; i < XDPERF_TEST_HOOKS; i++) {
		if (i >= n)
			continue;
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

static __always_inline __u64 field_value(const volatile struct xdperf_field *fr, __u64 j, __u64 f, __u64 sj)
{
	__u32 scope = fr->scope;
	__u64 x = scope == 1 ? f : scope == 2 ? sj : j;
	__u64 min = fr->min, range = fr->range, step = fr->step;
	switch (fr->op) {
	case XDPERF_OP_INC:
		return min + mod_range(x * step, range);
	case XDPERF_OP_DEC:
		return min + range - 1 - mod_range(x * step, range);
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
		return min + mod_range(splitmix64(step + x * GOLDEN), range);
	}
}

/*
 * Writes one rule's value and adds what it wrote to the checksums that cover it, at a masked
 * offset checked against the frame's end (several templates: the offset is not a constant).
 */
static __always_inline int apply_field(void *data, void *data_end, const volatile struct xdperf_field *fr,
				       __u64 j, __u64 f, __u64 sj, __u64 acc[XDPERF_MAX_CSUMS], __u32 *touched)
{
	__u32 off = fr->offset, width = fr->width, mask = fr->csum_mask;
	__s64 sum = put_checked(data, data_end, off, width, field_value(fr, j, f, sj));
	if (sum < 0)
		return -1;
	if (mask) {
		absorb(acc, mask, (__u64)sum << (((off + width) & 1) << 3));
		*touched |= mask;
	}
	return 0;
}

/* Returns -1 when a test hook drops the slot, else the sequence number to stamp. */
static __always_inline __s64 hooked_seq(struct xdperf_tx_state *st, __u64 slot, __s64 seq)
{
	__s64 hooked = apply_test_hooks(plan.test_hooks, slot);
	if (hooked < 0) {
		st->test_drops++;
		return -1;
	}
	return (__u64)hooked != slot ? hooked : seq;
}

#define SEQ_DROP  (-1)   /* next_seq: a test hook drops the slot */
#define SEQ_ERROR (-2)   /* next_seq: the stream's counter could not be looked up */

/*
 * Several templates: the next sequence number of template t's stream on this CPU (mh, the
 * header's place, 0 when there is none: then 0), after the test hooks, which may drop the
 * slot or change the number; negative when the slot is not sent.
 */
static __always_inline __s64 next_seq(struct xdperf_tx_state *st, const volatile struct xdperf_template *t,
				      __u32 mh, __u64 slot)
{
	__s64 seq = 0;
	if (mh) {
		__u32 sid = t->stream_id & (XDPERF_MAX_STREAMS - 1);
		__u64 *stream_seq = bpf_map_lookup_elem(&tx_seqs, &sid);
		if (!stream_seq)
			return SEQ_ERROR;
		seq = (*stream_seq)++;
	}
	if (plan.test_hooks)
		seq = hooked_seq(st, slot, seq);   /* SEQ_DROP when a hook drops it */
	return seq;
}

/*
 * Several templates share the frames: set the length, then copy template `t` in. Pages keep
 * their bytes between frames, and every byte of a page holds what some template has there
 * (the pages start as the longest template), so where the templates agree, or where each of
 * them writes per packet anyway, nothing needs copying: XDPERF_COPY_RANGE copies the words
 * where they do not (TemplateCompiler.copyRange), with plain stores at constant offsets.
 */
static __always_inline int copy_in(struct xdp_md *ctx, const volatile struct xdperf_template *t)
{
	int delta = (int)t->len - (int)(ctx->data_end - ctx->data);
	if (delta && bpf_xdp_adjust_tail(ctx, delta))
		return -1;
	if (plan.copy == XDPERF_COPY_RANGE) {
		void *data = (void *)(long)ctx->data;
		void *data_end = (void *)(long)ctx->data_end;
		__u32 from = plan.copy_from, words = plan.copy_words;
		if (data + from + words * 8 > data_end)
			return -1;
#pragma unroll
		for (int i = 0; i < XDPERF_COPY_WORDS_MAX; i++) {
			if (i >= words)
				continue;
			*(__u64 *)(data + from + 8 * i) = *(const volatile __u64 *)(t->bytes + from + 8 * i);
		}
		return 0;
	}
	__u32 len = t->len & OFFSET_MASK;
	if (len < XDPERF_MIN_FRAME)
		return -1;
	return bpf_xdp_store_bytes(ctx, 0, (void *)t->bytes, len) ? -1 : 0;
}

/* Writes the measurement header's stamps at p; returns their sum as checksums take it. */
static __always_inline __u64 stamp(void *p, __u32 mh, __u64 seq, __u64 now)
{
	__u64 tx_ns = now;
	if (plan.test_tx_offset_ns) {   /* tests only; a branch on a run constant, which the verifier removes */
		tx_ns -= plan.test_tx_offset_ns;
		KEEP_BRANCH();
	}
	__u32 cpu = (bpf_get_smp_processor_id() << 8) | XDPERF_MH_VERSION;
	__u64 sum = put_be(p + 4, 4, (__u32)seq) + put_be(p + 8, 8, tx_ns) + put_be(p + 16, 2, cpu);
	if (mh & 1) {   /* the header's place is a run constant too */
		sum <<= 8;
		KEEP_BRANCH();
	}
	return sum;
}

/*
 * HC = ~(base + what was written), stored at p. UDP's 0 means "no checksum" and is sent as
 * 0xffff: fold(ZERO - sum), with ZERO a multiple of 0xffff above every sum, is that value
 * without a branch (never 0, congruent to -sum, so 0xffff exactly where ~fold(sum) is 0).
 */
#define CSUM_ZERO (0xffffULL << 32)
static __always_inline void put_csum(void *p, __u32 kind, __u64 sum)
{
	__u32 res;
	if (kind == XDPERF_CSUM_UDP) {
		res = fold(CSUM_ZERO - sum);
		KEEP_BRANCH();
	} else {
		res = ~fold(sum) & 0xffff;
	}
	*(__u16 *)p = bpf_htons((__u16)res);
}

static __always_inline void count_sent(struct xdperf_tx_state *st, __u64 bytes, __u64 now)
{
	st->sent_packets++;
	st->sent_bytes += bytes;
	st->last_ns = now;
}

/* Adds what a write added (`part`) to each of the checksums in the constant mask `m`, four scalars. */
#define ABSORB4(m, part)                                   \
	do {                                               \
		if ((m) & 1) { a0 += (part); KEEP_BRANCH(); } \
		if ((m) & 2) { a1 += (part); KEEP_BRANCH(); } \
		if ((m) & 4) { a2 += (part); KEEP_BRANCH(); } \
		if ((m) & 8) { a3 += (part); KEEP_BRANCH(); } \
	} while (0)
_Static_assert(XDPERF_MAX_CSUMS == 4, "ABSORB4 and send_one keep one scalar per checksum");

/* Sets checksum c of the plan's template from what the writes added to it. */
#define PUT_CSUM(data, t, c, acc) put_csum((data) + (t)->csums[c].offset, (t)->csums[c].kind, (t)->csums[c].base + (acc))

/* Sets each checksum in the constant mask `m` from what the writes added to it (x0..x3). */
#define PUT_CSUMS4(m, data, t, x0, x1, x2, x3)       \
	do {                                         \
		if ((m) & 1)                         \
			PUT_CSUM(data, t, 0, x0);    \
		if ((m) & 2)                         \
			PUT_CSUM(data, t, 1, x1);    \
		if ((m) & 4)                         \
			PUT_CSUM(data, t, 2, x2);    \
		if ((m) & 8)                         \
			PUT_CSUM(data, t, 3, x3);    \
	} while (0)

/*
 * One slot's frame with one template and no field rules: the measurement header's stamps
 * and the checksums over them, and nothing else. Its own path, so that the compiler keeps
 * what the rules need out of this one's registers (the verifier removes the other path).
 */
static __always_inline int stamp_only(struct xdp_md *ctx, __s64 seq, __u64 now)
{
	const volatile struct xdperf_template *t = &plan.tmpl;
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + plan.frame_end > data_end)
		return -1;
	__u32 mh = t->mh_offset;
	if (!mh)
		return 0;
	__u64 part = stamp(data + mh, mh, seq, now);
	__u32 m = t->mh_csum_mask;
	PUT_CSUMS4(m, data, t, part, part, part, part);
	return 0;
}

/*
 * One slot's frame with one template, read from the plan: every offset, width, kind and
 * mask is a constant to the verifier, so one bounds check covers all writes, and only the
 * rules, stamps and checksums this template has remain. Packet k is this CPU's slot-th.
 */
static __always_inline int send_one(struct xdp_md *ctx, struct xdperf_tx_state *st, __u64 slot, __u64 now)
{
	const volatile struct xdperf_template *t = &plan.tmpl;
	__s64 seq = slot;   /* every slot is the stream's: the slot number is the sequence number */
	if (plan.test_hooks) {
		seq = hooked_seq(st, slot, seq);
		if (seq < 0)
			return XDP_DROP;
	}
	if (plan.copy && copy_in(ctx, t))
		goto unsent;
	__u32 nf = t->n_fields;
	if (!nf) {
		if (stamp_only(ctx, seq, now))
			goto unsent;
		goto sent;
	}
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + plan.frame_end > data_end)
		goto unsent;

	/* what the writes add to each checksum */
	__u64 a0 = 0, a1 = 0, a2 = 0, a3 = 0;
	__u64 k = slot * plan.n_cpus + st->rank;
	__u64 f = t->flows > 1 ? k % t->flows : 0;
#pragma unroll
	for (int i = 0; i < XDPERF_MAX_FIELDS; i++) {
		if (i >= nf)
			continue;
		const volatile struct xdperf_field *fr = &t->fields[i];
		__u32 off = fr->offset, width = fr->width;
		__u64 v;
		if (plan.cursor_mask & (1U << i)) {
			/* counting without dividing: see struct xdperf_cursor_step */
			__u64 cur = st->cursor[i];
			__u64 gap = plan.steps[i].gap;
			v = fr->op == XDPERF_OP_DEC ? fr->min + fr->range - 1 - cur : fr->min + cur;
			st->cursor[i] = cur >= gap ? cur - gap : cur + plan.steps[i].delta;
		} else {
			v = field_value(fr, k, f, k);
		}
		__u64 part = put_be(data + off, width, v);
		if ((off + width) & 1) {   /* a run constant: the verifier keeps one side */
			part <<= 8;
			KEEP_BRANCH();
		}
		__u32 m = fr->csum_mask;
		ABSORB4(m, part);
	}
	__u32 mh = t->mh_offset;
	if (mh) {
		__u64 part = stamp(data + mh, mh, seq, now);
		__u32 m = t->mh_csum_mask;
		ABSORB4(m, part);
	}
	__u32 touched = plan.csum_touched;
	PUT_CSUMS4(touched, data, t, a0, a1, a2, a3);
sent:
	/* sent frames and bytes follow from the slots (Transmitter.counters); a count's end needs the time */
	if (plan.limited)
		st->last_ns = now;
	return XDP_TX;
unsent:
	st->unsent++;
	return XDP_ABORTED;
}

/*
 * One slot's frame with several templates: template `t` from tx_templates, packet j of it,
 * sj of its stream. The template is copied in, its rules and the header written at checked
 * offsets, and each checksum they touched set.
 */
static __always_inline int send(struct xdp_md *ctx, struct xdperf_tx_state *st, const volatile struct xdperf_template *t,
				__u64 slot, __u64 now, __u64 j, __u64 sj)
{
	__u32 mh = t->mh_offset;
	__s64 seq = next_seq(st, t, mh, slot);
	if (seq < 0)
		return seq == SEQ_DROP ? XDP_DROP : XDP_ABORTED;
	if (plan.copy && copy_in(ctx, t))
		return XDP_ABORTED;

	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 acc[XDPERF_MAX_CSUMS] = {};
	__u32 touched = 0;
	__u32 nf = t->n_fields;
	if (nf) {
		__u32 flows = t->flows;
		__u64 f = flows > 1 ? j % flows : 0;
		for (__u32 i = 0; i < XDPERF_MAX_FIELDS; i++) {
			if (i >= nf)
				break;
			if (apply_field(data, data_end, &t->fields[i], j, f, sj, acc, &touched))
				return XDP_ABORTED;
		}
	}
	if (mh) {
		void *p = data + (mh & OFFSET_MASK);
		if (p + sizeof(struct xdperf_mh) > data_end)
			return XDP_ABORTED;
		__u32 mask = t->mh_csum_mask;
		absorb(acc, mask, stamp(p, mh, seq, now));
		touched |= mask;
	}
#pragma unroll
	for (int c = 0; c < XDPERF_MAX_CSUMS; c++) {
		if (!(touched & (1U << c)))
			continue;
		void *p = data + (t->csums[c].offset & OFFSET_MASK);
		if (p + 2 > data_end)
			return XDP_ABORTED;
		put_csum(p, t->csums[c].kind, t->csums[c].base + acc[c]);
	}
	count_sent(st, data_end - data, now);
	return XDP_TX;
}

/*
 * One slot's frame with several templates that share one layout and have no field rules (a
 * size mix, several UDP streams): template `t` from tx_templates gives the bytes, the stream
 * and the checksum bases; where the header and checksums sit, and their kinds, are the plan's
 * constants, so one bounds check covers every write, as with one template.
 */
static __always_inline int send_uniform(struct xdp_md *ctx, struct xdperf_tx_state *st,
					const volatile struct xdperf_template *t, __u64 slot, __u64 now)
{
	const volatile struct xdperf_template *l = &plan.tmpl;
	__u32 mh = l->mh_offset;
	__s64 seq = next_seq(st, t, mh, slot);
	if (seq < 0)
		return seq == SEQ_DROP ? XDP_DROP : XDP_ABORTED;
	if (copy_in(ctx, t))
		return XDP_ABORTED;
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	if (data + plan.frame_end > data_end)
		return XDP_ABORTED;
	if (mh) {
		__u64 part = stamp(data + mh, mh, seq, now);
		__u32 m = l->mh_csum_mask;
		if (m & 1)
			put_csum(data + l->csums[0].offset, l->csums[0].kind, t->csums[0].base + part);
		if (m & 2)
			put_csum(data + l->csums[1].offset, l->csums[1].kind, t->csums[1].base + part);
		if (m & 4)
			put_csum(data + l->csums[2].offset, l->csums[2].kind, t->csums[2].base + part);
		if (m & 8)
			put_csum(data + l->csums[3].offset, l->csums[3].kind, t->csums[3].base + part);
	}
	count_sent(st, data_end - data, now);
	return XDP_TX;
}

SEC("xdp")
int xdp_tx(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct xdperf_tx_state *st = bpf_map_lookup_elem(&tx_state, &zero);
	if (!st)
		return XDP_ABORTED;
	if (plan.limited && st->seq >= st->limit)
		return XDP_DROP;

	/*
	 * The clock. Paced, every slot reads it, and the stop flag and the end are checked there.
	 * Flat out, reading it would cost as much as the rest of the program on some hosts
	 * (virtual machines without a fast TSC read), so it is read on the first and the last
	 * slot of each live-frames batch only — the kernel never stops between the frames of a
	 * batch — and the frames between are placed at the pace of the previous batch, first to
	 * last frame (the receive work between batches, which on veth runs on this CPU, is not part
	 * of that pace). The stop flag and the end are checked where the clock is read: a flat-out
	 * run ends within a batch of either.
	 */
	__u64 now;
	__u64 interval = plan.interval_ns;
	__u32 every = plan.clock_every;     /* a power of two */
	if (interval || every <= 1) {
		if (run.stop)
			return XDP_DROP;
		now = bpf_ktime_get_ns();
		__u64 end = run.end_ns;
		if (end && now >= end)
			return XDP_DROP;
	} else {
		__u64 seq = st->seq;
		__u64 pos = seq & (every - 1);
		if (pos == 0 || pos == every - 1) {
			if (run.stop)
				return XDP_DROP;
			now = bpf_ktime_get_ns();
			__u64 end = run.end_ns;
			if (end && now >= end)
				return XDP_DROP;
			/* the first batch has no pace yet: its stamps rise by 1 ns */
			__u64 step = st->clock_step;
			if (pos == 0) {
				st->clock_ns = now;
				st->clock_slot = seq;
				if (!step)
					st->clock_step = step = 1;
			} else if (st->clock_slot + every - 1 == seq) {
				__u64 pace = (now - st->clock_ns) / (every - 1);
				/* an interrupt in the middle of a batch is not a pace */
				if (pace && pace < 10000 && (step <= 1 || pace <= 2 * step))
					st->clock_step = step = pace;
			}
			/* Stamps rise: a faster batch than the last may read a time before a placed stamp. */
			if (now < st->stamp)
				now = st->stamp;
			st->stamp = now + step;
		} else {
			now = st->stamp;
			st->stamp = now + st->clock_step;
		}
	}
	if (interval) {
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
		__u64 max_lag = plan.max_lag_ns;
		__u64 next = st->next_ns + interval;
		if (now > next + max_lag) {
			st->deficit += (now - max_lag - next) / interval;
			next = now - max_lag;
		}
		st->next_ns = next;
	}

	__u64 slot = st->seq++;
	if (plan.single)
		return send_one(ctx, st, slot, now);

	/* Which template, and which packet of it: docs/abi.md, "What xdp_tx does". */
	__u64 k = slot * plan.n_cpus + st->rank;
	__u32 tid = 0;
	__u64 j = k, sj = k;    /* sj: the packet's number within its stream, for counters templates share */
	__u32 cycle = plan.cycle_len;
	struct xdperf_slot *s = 0;
	__u64 turn = 0;
	if (cycle > 1) {
		/* k mod cycle and k / cycle, kept per CPU and advanced by n_cpus a slot: no division */
		__u32 pos = (__u32)st->cycle_pos;
		turn = st->cycle_turn;
		__u64 next = pos + plan.cycle_pos_step;
		__u64 next_turn = turn + plan.cycle_turn_step;
		if (next >= cycle) {
			next -= cycle;
			next_turn++;
		}
		st->cycle_pos = next;
		st->cycle_turn = next_turn;
		s = bpf_map_lookup_elem(&tx_schedule, &pos);
		if (!s)
			return XDP_ABORTED;
		tid = s->template_id;
	}
	struct xdperf_template *t = bpf_map_lookup_elem(&tx_templates, &tid);
	if (!t)
		return XDP_ABORTED;
	if (plan.uniform)
		return send_uniform(ctx, st, t, slot, now);
	if (s) {
		j = turn * t->weight + s->rank;
		sj = turn * s->stream_weight + s->stream_rank;
	}
	return send(ctx, st, t, slot, now, j, sj);
}

/* Attached to the sending interface: real NIC drivers only set up XDP transmit queues then. */
SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
