// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The transmit side. xdp_tx runs under BPF_PROG_RUN with BPF_F_TEST_XDP_LIVE_FRAMES: each
 * iteration gets a frame initialised from the template (pages are recycled with their
 * contents, so only the fields that change are written) and XDP_TX sends it out of the
 * interface. Pacing is done here, per CPU, against bpf_ktime_get_ns(): an early iteration
 * returns XDP_DROP, which only recycles the frame.
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

/* Offsets are masked so that the verifier sees them bounded (frames are at most 9216 bytes). */
#define OFFSET_MASK 0x3fff

/* The fields of the measurement header that change per packet: seq, tx_ns, cpu+version. */
struct mh_tail {
	__u32 seq;
	__u64 tx_ns;
	__u8 cpu;
	__u8 version;
} __attribute__((packed));

static __always_inline __u16 csum_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)sum;
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

	__u64 now = bpf_ktime_get_ns();
	if (cfg->end_ns && now >= cfg->end_ns)
		return XDP_DROP;
	if (cfg->interval_ns) {
		if (now < st->next_ns) {
			st->paced_skips++;
			return XDP_DROP;
		}
		/* Catch up after a gap (each run call ends with a teardown), but only so far. */
		__u64 next = st->next_ns + cfg->interval_ns;
		if (now > next + cfg->max_lag_ns)
			next = now - cfg->max_lag_ns;
		st->next_ns = next;
	}

	__u64 slot = st->seq++;
	__s64 seq = slot;
	if (cfg->test_hooks) {
		seq = apply_test_hooks(cfg->test_hooks, slot);
		if (seq < 0) {
			st->test_drops++;
			return XDP_DROP;
		}
	}

	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 mh_off = cfg->mh_offset & OFFSET_MASK;
	if (mh_off) {
		struct mh_tail *tail = data + mh_off + 4;
		if ((void *)(tail + 1) > data_end)
			return XDP_ABORTED;
		struct mh_tail fresh = {
			.seq = bpf_htonl((__u32)seq),
			.tx_ns = bpf_cpu_to_be64(now),
			.cpu = (__u8)bpf_get_smp_processor_id(),
			.version = XDPERF_MH_VERSION,
		};
		__u32 csum_off = cfg->csum_offset & OFFSET_MASK;
		if (csum_off) {
			__u16 *csum = data + csum_off;
			if ((void *)(csum + 1) > data_end)
				return XDP_ABORTED;
			/* IPv4/UDP with a zero checksum means "no checksum": leave it so. */
			if (!(cfg->csum_udp && *csum == 0)) {
				/* RFC 1624: HC' = ~(~HC + ~m + m'), over the 7 words that change. */
				__u16 *old = (__u16 *)tail;
				__u16 *new = (__u16 *)&fresh;
				__u32 sum = (__u16)~*csum;
#pragma unroll
				for (int i = 0; i < 7; i++)
					sum += (__u16)~old[i] + new[i];
				__u16 res = ~csum_fold(sum);
				if (cfg->csum_udp && res == 0)
					res = 0xffff;
				*csum = res;
			}
		}
		__builtin_memcpy(tail, &fresh, sizeof(fresh));
	}

	st->sent_packets++;
	st->sent_bytes += data_end - data;
	return XDP_TX;
}

/* Attached to the sending interface: real NIC drivers only set up XDP transmit queues then. */
SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* Feature probe for live frames: runs without sending anything. */
SEC("xdp")
int xdp_probe(struct xdp_md *ctx)
{
	return XDP_DROP;
}

char _license[] SEC("license") = "Dual BSD/GPL";
