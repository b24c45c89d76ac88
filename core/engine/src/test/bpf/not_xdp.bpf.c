// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/* A valid BPF object whose only program is not XDP (a tc classifier): bench must refuse it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("tc")
int tc_pass(struct __sk_buff *skb)
{
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
