/* SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause) */
/*
 * Every struct that both the XDP programs and Java read or write. Fixed-width types and
 * explicit padding only: LayoutTest compares Java's offsets with offsetof/sizeof from
 * this header (see layout.c), so the two sides cannot drift apart.
 */
#ifndef XDPERF_H
#define XDPERF_H

#include <linux/types.h>

#define XDPERF_MAX_STREAMS    256  /* stream ids 0..255 are tracked at the receiver */
#define XDPERF_MAX_CPUS       64   /* sending CPUs tracked per stream at the receiver */
#define XDPERF_HIST_SUB_BITS  6    /* 64 linear sub-buckets per power of two: <= 1.6% wide */
#define XDPERF_HIST_BUCKETS   ((64 - XDPERF_HIST_SUB_BITS + 1) << XDPERF_HIST_SUB_BITS)
#define XDPERF_TEST_HOOKS     8
#define XDPERF_SEQ_WINDOW     64   /* reorder/duplicate window of the receiver, in packets */
#define XDPERF_VERDICTS       6    /* bench verdict counter: XDP actions 0..4, then "other" */

#define XDPERF_MAX_TEMPLATES  1024
#define XDPERF_MAX_FIELDS     8
#define XDPERF_MAX_CSUMS      4
#define XDPERF_TMPL_BYTES     2048 /* room per template; frames are at most 1514 bytes */
#define XDPERF_MIN_FRAME      14   /* a template shorter than an Ethernet header is refused */
#define XDPERF_SCHEDULE_MAX   65536
#define XDPERF_LIST_MAX       65536
#define XDPERF_COPY_ALL       1    /* plan.copy: the whole template into every frame */
#define XDPERF_COPY_RANGE     2    /* plan.copy: only the bytes where the templates differ */
#define XDPERF_COPY_WORDS_MAX 16   /* the longest range, in 8-byte words */

#define XDPERF_OP_INC         1
#define XDPERF_OP_DEC         2
#define XDPERF_OP_RANDOM      3
#define XDPERF_OP_LIST        4

#define XDPERF_CSUM_IPV4      1
#define XDPERF_CSUM_UDP       2
#define XDPERF_CSUM_TCP       3
#define XDPERF_CSUM_ICMP      4
#define XDPERF_CSUM_ICMPV6    5

#define XDPERF_MH_MAGIC       0x58DF
#define XDPERF_MH_VERSION     1

/*
 * The measurement header, in network byte order, right after the L4 header. 18 bytes so
 * that a 64-byte IPv4/UDP frame (60 bytes without FCS) still carries it. Every field
 * starts at an even offset from the L4 header, so checksum fixes work on 16-bit words.
 */
struct xdperf_mh {
	__u16 magic;
	__u16 stream_id;
	__u32 seq;       /* per (stream, sending CPU); the receiver extends it to 64 bits */
	__u64 tx_ns;     /* CLOCK_MONOTONIC of the sender when the frame left xdp_tx */
	__u8  cpu;       /* sending CPU */
	__u8  version;
} __attribute__((packed));

/* xdp_tx: its writable global (`run`, in .bss), written before a run; `stop` is flipped during it. */
struct xdperf_tx_config {
	__u64 end_ns;        /* nothing departs at or after this CLOCK_MONOTONIC time; 0 = never */
	__u32 stop;          /* non-zero: every iteration is dropped */
	__u32 pad;
};

/* A field rule as xdp_tx applies it; see docs/abi.md. 40 bytes. */
struct xdperf_field {
	__u16 offset;
	__u8  width;         /* 1, 2, 4 or 8 bytes, written big-endian */
	__u8  op;            /* XDPERF_OP_* */
	__u8  scope;         /* 0 per packet, 1 per flow, 2 per stream */
	__u8  csum_mask;     /* bit c: checksum c of the template covers this field */
	__u16 list_count;
	__u32 list_start;    /* first value in tx_lists */
	__u32 rule_index;    /* the rule's index in its template */
	__u64 min;
	__u64 range;         /* max - min + 1; 0 stands for 2^64 */
	__u64 step;          /* a random rule: its key (FieldEngine.ruleKey), not a step */
};

/*
 * A checksum xdp_tx keeps right. 8 bytes. xdp_tx never reads the frame's old values: it writes
 * HC = ~(base + the one's complement sum of the bytes it wrote), where `base` is the sum of
 * everything else the checksum covers (pseudo-header included), taken from the template.
 */
struct xdperf_csum {
	__u16 offset;        /* of the 16-bit checksum in the frame */
	__u8  kind;          /* XDPERF_CSUM_* */
	__u8  pad0;
	__u16 base;          /* the template's sum without the bytes xdp_tx writes (fields, header stamps) */
	__u16 pad1;
};

/* One template in tx_templates. */
struct xdperf_template {
	__u16 len;
	__u16 stream_id;
	__u16 mh_offset;     /* 0 = no measurement header */
	__u8  n_fields;
	__u8  mh_csum_mask;  /* checksums that cover the measurement header */
	__u32 weight;
	__u32 flows;
	struct xdperf_csum csums[XDPERF_MAX_CSUMS];
	struct xdperf_field fields[XDPERF_MAX_FIELDS];
	__u8  bytes[XDPERF_TMPL_BYTES];
};

/*
 * A counting rule (inc or dec, per packet or per stream) with one template advances by the
 * same amount every slot of a CPU: n_cpus x step modulo the range. xdp_tx then keeps its
 * position in tx_state.cursor instead of dividing: cur' = cur >= gap ? cur - gap : cur + delta.
 */
struct xdperf_cursor_step {
	__u64 delta;         /* (n_cpus x step) mod range */
	__u64 gap;           /* range - delta, modulo 2^64 (range 0 stands for 2^64) */
};

/*
 * xdp_tx's read-only data (`const volatile`), written before the program is loaded: what
 * stays fixed for a run. The verifier reads these values as constants, so the branches a run
 * never takes (pacing when flat out, the weighted cycle and the per-field bounds checks with
 * one template, the widths, kinds and scopes its rules do not use) are removed before the
 * program is compiled to machine code.
 */
struct xdperf_tx_plan {
	__u64 interval_ns;   /* spacing of departures on each CPU; 0 = flat out */
	__u64 max_lag_ns;    /* how far behind a CPU may fall and still catch up: (max burst - 1) x interval */
	__u64 test_tx_offset_ns; /* tests only: stamp send times this much earlier (a known delay) */
	__u32 test_hooks;    /* number of valid entries in tx_test_hooks (tests only) */
	__u32 n_templates;   /* templates in tx_templates */
	__u32 cycle_len;     /* entries in tx_schedule: the weighted cycle of templates */
	__u32 n_cpus;        /* sending CPUs: packet index k = slot * n_cpus + rank */
	__u32 copy;          /* 0; XDPERF_COPY_ALL; or XDPERF_COPY_RANGE: several templates whose frames
	                      * differ only in copy_words words from copy_from (TemplateCompiler.copyRange) */
	__u32 clock_every;   /* flat out: read the clock on the first and last slot of every
	                      * live-frames batch of this many frames (a power of two) and
	                      * interpolate within it; 0: every slot */
	__u32 limited;       /* non-zero: the CPUs' slot budgets (tx_state.limit) apply */
	__u32 single;        /* non-zero: one template, `tmpl`, read from here rather than the map */
	__u32 frame_end;     /* single: the end of the last byte xdp_tx writes, checked once per frame */
	__u32 cursor_mask;   /* single: bit i: rule i counts with a cursor (tx_state.cursor) */
	__u32 csum_touched;  /* single: bit c: checksum c covers a byte xdp_tx writes */
	__u16 copy_from;     /* XDPERF_COPY_RANGE: the first byte to copy */
	__u16 copy_words;    /* XDPERF_COPY_RANGE: 8-byte words to copy, at most XDPERF_COPY_WORDS_MAX */
	struct xdperf_template tmpl;
	struct xdperf_cursor_step steps[XDPERF_MAX_FIELDS];
	__u32 cycle_pos_step;  /* several templates: n_cpus mod cycle_len, what a slot adds to tx_state.cycle_pos */
	__u32 cycle_turn_step; /* n_cpus / cycle_len, what it adds to tx_state.cycle_turn */
	__u32 uniform;         /* several templates without field rules that share one layout (header place,
	                        * checksum places and kinds): `tmpl` is the first, its layout constants,
	                        * and frame_end its end (TemplateCompiler.uniformLayout) */
	__u32 pad;
};

/* One position of the weighted cycle. */
struct xdperf_slot {
	__u32 template_id;
	__u32 rank;          /* earlier occurrences of this template in the cycle */
	__u32 stream_rank;   /* earlier positions of the cycle whose template has this one's stream id */
	__u32 stream_weight; /* positions of the cycle whose template has this one's stream id */
};

/* xdp_tx: per CPU; keyed by the CPU the program really runs on. */
struct xdperf_tx_state {
	__u64 next_ns;       /* next departure time when paced */
	__u64 seq;           /* next sequence number; counts every departure slot */
	__u64 limit;         /* stop after this many slots; 0 = unlimited */
	__u64 sent_packets;  /* frames handed to XDP_TX; single: not kept (slots - test_drops - unsent) */
	__u64 sent_bytes;    /* single: not kept (sent x the template's length) */
	__u64 paced_skips;   /* iterations dropped because they were early */
	__u64 test_drops;    /* slots dropped by a test hook */
	__u64 rank;          /* this CPU's rank among the sending CPUs */
	__u64 last_ns;       /* departure time of the last frame sent; flat out: only in counted runs */
	__u64 clock_ns;      /* flat out: the clock at the first slot of the current batch */
	__u64 clock_slot;    /* that slot */
	__u64 clock_step;    /* ns per slot over the previous batch: the interpolation's pace */
	__u64 deficit;       /* paced: departures given up after a gap rather than sent in a burst */
	__u64 cursor[XDPERF_MAX_FIELDS]; /* plan.cursor_mask: each counting rule's (x * step) mod range for the next slot */
	__u64 stamp;         /* flat out: the next slot's placed send time (the clock between reads) */
	__u64 unsent;        /* single: slots given up after they were numbered (the frame was too short) */
	__u64 cycle_pos;     /* several templates: the next slot's packet k mod cycle_len (no division per frame) */
	__u64 cycle_turn;    /* and k / cycle_len */
};

#define XDPERF_HOOK_DROP   1  /* do not send this slot: a loss the receiver must see */
#define XDPERF_HOOK_STAMP  2  /* send this slot with sequence number `value` */

/* Test-only sender faults, applied on the slot whose sequence number equals `at_seq`. */
struct xdperf_test_hook {
	__u64 at_seq;
	__u32 action;
	__u32 value;
};

#define XDPERF_VERDICT_DROP 1
#define XDPERF_VERDICT_PASS 2
#define XDPERF_VERDICT_REFLECT 3  /* swap addresses and ports, XDP_TX back: round trips */

/* xdp_rx: one entry, written before attach. */
struct xdperf_rx_config {
	__u32 verdict;       /* XDPERF_VERDICT_*: what happens to xdperf frames */
	__u32 pad;
	__u64 burst_interval_ns; /* a paced sender's departure interval per CPU; 0: bursts not measured */
};

/*
 * xdp_rx: per receiving CPU, per sending CPU: the token-bucket arithmetic (GCRA) of a bucket
 * at the sender's rate, over arrival times. The largest burst is the depth such a bucket needs
 * to pass what arrived: max_excess_ns / burst_interval_ns + 1 frames.
 */
struct xdperf_rx_burst {
	__u64 tat;           /* theoretical arrival time of the sending CPU's next frame */
	__u64 max_excess_ns; /* how far ahead of it a frame arrived, at most */
};

/* xdp_rx: per CPU, per stream. */
struct xdperf_rx_stream {
	__u64 packets;
	__u64 bytes;
	__u64 lat_sum_ns;    /* sum of positive one-way latencies */
	__u64 lat_count;
};

/* xdp_rx: per CPU totals. */
struct xdperf_rx_totals {
	__u64 packets;       /* xdperf frames */
	__u64 bytes;
	__u64 other_packets; /* frames without the xdperf header, passed to the kernel */
	__u64 bad_stream;    /* xdperf frames with a stream id or CPU beyond the tracked range */
};

/*
 * xdp_rx: sequence tracking per (stream, sending CPU), shared by the receiving CPUs (one
 * sender CPU's flow stays on one receive queue, so a slot has one writer in practice).
 * 64 bytes: one cache line per flow.
 */
struct xdperf_rx_flow {
	__u64 next_seq;      /* highest extended sequence number seen + 1; 0 = none yet */
	__u64 window;        /* bit i: sequence next_seq - 1 - i was seen */
	__u64 duplicates;
	__u64 reordered;     /* arrived after a higher sequence number, first copy */
	__u64 late;          /* older than the window: counted once, duplicate or not */
	__s64 last_transit;  /* arrival minus send time of the previous packet (RFC 3550) */
	__u64 jitter_x16;    /* RFC 3550 interarrival jitter, times 16 */
	__u64 last_arrival;  /* bpf_ktime_get_ns() of the previous packet: gaps */
};


/* ---- features.bpf.c: packet features (xdperf server --features) ---- */

#define XDPERF_FEAT_FLOWS      1  /* per-flow aggregation in feat_flows only */
#define XDPERF_FEAT_SAMPLED    2  /* aggregation off; every N-th packet per CPU as a record */
#define XDPERF_FEAT_FULL       3  /* aggregation off; every IP packet as a record */

#define XDPERF_FEAT_HAS_MH     1  /* record flag: the xdperf measurement header was found */
#define XDPERF_FEAT_HAS_VLAN   2  /* record flag: the frame carried an 802.1Q/802.1ad tag */
#define XDPERF_FEAT_FRAGMENT   4  /* record flag: an IPv4 fragment other than the first (no transport header) */

/* feat_config: one entry, written before attach. */
struct xdperf_feat_config {
	__u32 tier;          /* XDPERF_FEAT_* */
	__u32 sample_n;      /* sampled tier: one record per sample_n packets on each CPU */
	__u32 verdict;       /* XDPERF_VERDICT_DROP: drop xdperf frames after counting; PASS: pass all */
	__u32 pad;
};

/* Key of feat_flows: the 5-tuple. IPv4 addresses fill the first 4 bytes, the rest is zero. */
struct xdperf_flow_key {
	__u8  src[16];
	__u8  dst[16];
	__u16 sport;         /* host byte order; 0 for protocols without ports */
	__u16 dport;
	__u8  proto;
	__u8  family;        /* 4 or 6 */
	__u16 pad;
};

/* Value of feat_flows, per CPU. */
struct xdperf_flow_value {
	__u64 packets;
	__u64 bytes;         /* frame bytes as XDP saw them (no FCS) */
	__u64 first_ns;      /* bpf_ktime_get_ns() of the first and last packet on this CPU */
	__u64 last_ns;
	__u8  tcp_flags;     /* OR of every packet's TCP flags */
	__u8  pad[7];
};

/* One per-packet record in a ring buffer (sampled and full tiers). 64 bytes. */
struct xdperf_feat_record {
	__u64 ts_ns;         /* bpf_ktime_get_ns() on arrival */
	__u8  src[16];
	__u8  dst[16];
	__u16 sport;
	__u16 dport;
	__u16 len;           /* frame length without FCS */
	__u16 vlan;          /* VLAN id of the outer tag; see XDPERF_FEAT_HAS_VLAN */
	__u8  proto;
	__u8  family;
	__u8  tcp_flags;
	__u8  flags;         /* XDPERF_FEAT_HAS_* */
	__u16 stream_id;     /* from the measurement header when XDPERF_FEAT_HAS_MH */
	__u8  tx_cpu;        /* the sending CPU: sequence numbers count per (stream, sending CPU) */
	__u8  rx_cpu;        /* the CPU this record was made on */
	__u32 seq;
	__u32 pad;
};

/* feat_counters: per CPU. Completeness: every packet is counted before anything can fail. */
struct xdperf_feat_counters {
	__u64 packets;       /* every frame the program saw */
	__u64 bytes;
	__u64 ip_packets;    /* IPv4/IPv6 frames: the ones that get features */
	__u64 other_packets; /* not IP, or too short to parse: no features */
	__u64 xdperf_packets;/* frames carrying the measurement header */
	__u64 xdperf_bytes;
	__u64 selected;      /* packets chosen for a record (full: every IP packet; sampled: 1 in N) */
	__u64 submitted;     /* records handed to the ring buffer */
	__u64 ring_full;     /* reservations that failed: the record is lost, counted here */
	__u64 no_ring;       /* no ring buffer for this CPU: the record is lost, counted here */
	__u64 flows_created; /* new entries in feat_flows: created minus present = evicted */
	__u64 flow_failures; /* a flow update that failed: its packet is missing from the flows */
};

#endif /* XDPERF_H */
