// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The verdict counters of `xdperf bench`. Neither changes the program under test.
 *
 * xdp_verdict: an fexit program loaded with the program under test's fd and function name as
 * its attach target. It sees the return value of every run and counts it per CPU.
 *
 * xdp_exception: on the xdp:xdp_exception tracepoint (BTF-typed, attached without tracefs),
 * counts the runs of the program under test (by id, from verdict_target) that ended in
 * XDP_ABORTED or an invalid action, and the XDP_TX frames the driver failed to send. Used
 * with the device's own XDP counters where fexit cannot be loaded.
 *
 * Slots: the XDP action (0 aborted, 1 drop, 2 pass, 3 tx, 4 redirect), 5 = any other value.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "xdperf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XDPERF_VERDICTS);
	__type(key, __u32);
	__type(value, __u64);
} verdicts SEC(".maps");

/* The id of the program under test, for xdp_exception. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} verdict_target SEC(".maps");

/* The kernel's own types, only the fields read here; CO-RE finds their offsets in vmlinux BTF. */
struct bpf_prog_aux {
	__u32 id;
} __attribute__((preserve_access_index));

struct bpf_prog {
	struct bpf_prog_aux *aux;
} __attribute__((preserve_access_index));

static __always_inline void count(__u32 action)
{
	__u32 key = action < XDPERF_VERDICTS - 1 ? action : XDPERF_VERDICTS - 1;
	__u64 *n = bpf_map_lookup_elem(&verdicts, &key);

	if (n)
		*n += 1;
}

/* ctx[0] is the program's argument (struct xdp_md *), ctx[1] its return value. */
SEC("fexit")
int xdp_verdict(__u64 *ctx)
{
	count((__u32)ctx[1]);
	return 0;
}

/* TP_PROTO(const struct net_device *dev, const struct bpf_prog *xdp, u32 act) */
SEC("tp_btf/xdp_exception")
int xdp_exception(__u64 *ctx)
{
	const struct bpf_prog *prog = (const struct bpf_prog *)ctx[1];
	__u32 zero = 0;
	__u32 *target = bpf_map_lookup_elem(&verdict_target, &zero);

	if (!target || !prog || prog->aux->id != *target)
		return 0;
	count((__u32)ctx[2]);
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
