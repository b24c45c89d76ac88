// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * Maps declared the old way, as struct bpf_map_def in the "maps" section (libbpf 1.x no
 * longer loads these; the interpreter does).
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct legacy_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct legacy_map_def counts SEC("maps") = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 4,
};

struct legacy_map_def seen SEC("maps") = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u32),
	.max_entries = 16,
};

SEC("xdp")
int legacy(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data;
	__u32 key = len & 3;
	__u64 *c = bpf_map_lookup_elem(&counts, &key);
	if (c)
		*c += 1;
	bpf_map_update_elem(&seen, &len, &key, BPF_ANY);
	return XDP_PASS;
}

char _license[] SEC("license") = "Dual BSD/GPL";
