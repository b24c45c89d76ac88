// Prints the layout of every shared struct as seen by C, for LayoutTest to compare with Java.
#include <stddef.h>
#include <stdio.h>
#include "xdperf.h"

#define SIZE(s) printf(#s ".size=%zu\n", sizeof(struct s))
#define FIELD(s, f) printf(#s "." #f "=%zu\n", offsetof(struct s, f))
#define CONST(c) printf(#c "=%lld\n", (long long)(c))

int main(void)
{
	SIZE(xdperf_mh);
	FIELD(xdperf_mh, magic); FIELD(xdperf_mh, stream_id); FIELD(xdperf_mh, seq);
	FIELD(xdperf_mh, tx_ns); FIELD(xdperf_mh, cpu); FIELD(xdperf_mh, version);

	SIZE(xdperf_tx_config);
	FIELD(xdperf_tx_config, end_ns); FIELD(xdperf_tx_config, stop);

	SIZE(xdperf_tx_plan);
	FIELD(xdperf_tx_plan, interval_ns); FIELD(xdperf_tx_plan, max_lag_ns);
	FIELD(xdperf_tx_plan, test_tx_offset_ns); FIELD(xdperf_tx_plan, test_hooks);
	FIELD(xdperf_tx_plan, n_templates); FIELD(xdperf_tx_plan, cycle_len); FIELD(xdperf_tx_plan, n_cpus);
	FIELD(xdperf_tx_plan, copy); FIELD(xdperf_tx_plan, clock_every); FIELD(xdperf_tx_plan, limited);
	FIELD(xdperf_tx_plan, single); FIELD(xdperf_tx_plan, frame_end); FIELD(xdperf_tx_plan, cursor_mask);
	FIELD(xdperf_tx_plan, csum_touched); FIELD(xdperf_tx_plan, copy_from); FIELD(xdperf_tx_plan, copy_words);
	FIELD(xdperf_tx_plan, tmpl); FIELD(xdperf_tx_plan, steps);
	FIELD(xdperf_tx_plan, cycle_pos_step); FIELD(xdperf_tx_plan, cycle_turn_step); FIELD(xdperf_tx_plan, uniform);
	SIZE(xdperf_cursor_step);
	FIELD(xdperf_cursor_step, delta); FIELD(xdperf_cursor_step, gap);

	SIZE(xdperf_field);
	FIELD(xdperf_field, offset); FIELD(xdperf_field, width); FIELD(xdperf_field, op);
	FIELD(xdperf_field, scope); FIELD(xdperf_field, csum_mask); FIELD(xdperf_field, list_count);
	FIELD(xdperf_field, list_start); FIELD(xdperf_field, rule_index); FIELD(xdperf_field, min);
	FIELD(xdperf_field, range); FIELD(xdperf_field, step);

	SIZE(xdperf_csum);
	FIELD(xdperf_csum, offset); FIELD(xdperf_csum, kind); FIELD(xdperf_csum, base);

	SIZE(xdperf_template);
	FIELD(xdperf_template, len); FIELD(xdperf_template, stream_id); FIELD(xdperf_template, mh_offset);
	FIELD(xdperf_template, n_fields); FIELD(xdperf_template, mh_csum_mask); FIELD(xdperf_template, weight);
	FIELD(xdperf_template, flows); FIELD(xdperf_template, csums); FIELD(xdperf_template, fields);
	FIELD(xdperf_template, bytes);

	SIZE(xdperf_slot);
	FIELD(xdperf_slot, template_id); FIELD(xdperf_slot, rank);
	FIELD(xdperf_slot, stream_rank); FIELD(xdperf_slot, stream_weight);

	SIZE(xdperf_tx_state);
	FIELD(xdperf_tx_state, next_ns); FIELD(xdperf_tx_state, seq); FIELD(xdperf_tx_state, limit);
	FIELD(xdperf_tx_state, sent_packets); FIELD(xdperf_tx_state, sent_bytes);
	FIELD(xdperf_tx_state, paced_skips); FIELD(xdperf_tx_state, test_drops); FIELD(xdperf_tx_state, rank); FIELD(xdperf_tx_state, last_ns);
	FIELD(xdperf_tx_state, clock_ns); FIELD(xdperf_tx_state, clock_slot); FIELD(xdperf_tx_state, clock_step);
	FIELD(xdperf_tx_state, deficit); FIELD(xdperf_tx_state, cursor);
	FIELD(xdperf_tx_state, stamp); FIELD(xdperf_tx_state, unsent);
	FIELD(xdperf_tx_state, cycle_pos); FIELD(xdperf_tx_state, cycle_turn);

	SIZE(xdperf_test_hook);
	FIELD(xdperf_test_hook, at_seq); FIELD(xdperf_test_hook, action); FIELD(xdperf_test_hook, value);

	SIZE(xdperf_rx_config);
	FIELD(xdperf_rx_config, verdict); FIELD(xdperf_rx_config, burst_interval_ns);
	SIZE(xdperf_rx_burst);
	FIELD(xdperf_rx_burst, tat); FIELD(xdperf_rx_burst, max_excess_ns);

	SIZE(xdperf_rx_stream);
	FIELD(xdperf_rx_stream, packets); FIELD(xdperf_rx_stream, bytes);
	FIELD(xdperf_rx_stream, lat_sum_ns); FIELD(xdperf_rx_stream, lat_count);

	SIZE(xdperf_rx_totals);
	FIELD(xdperf_rx_totals, packets); FIELD(xdperf_rx_totals, bytes);
	FIELD(xdperf_rx_totals, other_packets); FIELD(xdperf_rx_totals, bad_stream);

	SIZE(xdperf_rx_flow);
	FIELD(xdperf_rx_flow, next_seq); FIELD(xdperf_rx_flow, window);
	FIELD(xdperf_rx_flow, duplicates); FIELD(xdperf_rx_flow, reordered); FIELD(xdperf_rx_flow, late);
	FIELD(xdperf_rx_flow, last_transit); FIELD(xdperf_rx_flow, jitter_x16); FIELD(xdperf_rx_flow, last_arrival);

	CONST(XDPERF_MAX_STREAMS); CONST(XDPERF_MAX_CPUS); CONST(XDPERF_HIST_SUB_BITS);
	CONST(XDPERF_HIST_BUCKETS); CONST(XDPERF_TEST_HOOKS); CONST(XDPERF_SEQ_WINDOW); CONST(XDPERF_VERDICTS);
	CONST(XDPERF_MH_MAGIC); CONST(XDPERF_MH_VERSION); CONST(XDPERF_HOOK_DROP);
	CONST(XDPERF_HOOK_STAMP); CONST(XDPERF_VERDICT_DROP); CONST(XDPERF_VERDICT_PASS); CONST(XDPERF_VERDICT_REFLECT);
	CONST(XDPERF_MAX_TEMPLATES); CONST(XDPERF_MAX_FIELDS); CONST(XDPERF_MAX_CSUMS); CONST(XDPERF_TMPL_BYTES); CONST(XDPERF_MIN_FRAME);
	CONST(XDPERF_SCHEDULE_MAX); CONST(XDPERF_LIST_MAX);
	CONST(XDPERF_COPY_ALL); CONST(XDPERF_COPY_RANGE); CONST(XDPERF_COPY_WORDS_MAX); CONST(XDPERF_OP_INC); CONST(XDPERF_OP_DEC);
	CONST(XDPERF_OP_RANDOM); CONST(XDPERF_OP_LIST); CONST(XDPERF_CSUM_IPV4); CONST(XDPERF_CSUM_UDP);
	CONST(XDPERF_CSUM_TCP); CONST(XDPERF_CSUM_ICMP); CONST(XDPERF_CSUM_ICMPV6);
	SIZE(xdperf_feat_config);
	FIELD(xdperf_feat_config, tier); FIELD(xdperf_feat_config, sample_n); FIELD(xdperf_feat_config, verdict);

	SIZE(xdperf_flow_key);
	FIELD(xdperf_flow_key, src); FIELD(xdperf_flow_key, dst); FIELD(xdperf_flow_key, sport);
	FIELD(xdperf_flow_key, dport); FIELD(xdperf_flow_key, proto); FIELD(xdperf_flow_key, family);

	SIZE(xdperf_flow_value);
	FIELD(xdperf_flow_value, packets); FIELD(xdperf_flow_value, bytes); FIELD(xdperf_flow_value, first_ns);
	FIELD(xdperf_flow_value, last_ns); FIELD(xdperf_flow_value, tcp_flags);

	SIZE(xdperf_feat_record);
	FIELD(xdperf_feat_record, ts_ns); FIELD(xdperf_feat_record, src); FIELD(xdperf_feat_record, dst);
	FIELD(xdperf_feat_record, sport); FIELD(xdperf_feat_record, dport); FIELD(xdperf_feat_record, len);
	FIELD(xdperf_feat_record, vlan); FIELD(xdperf_feat_record, proto); FIELD(xdperf_feat_record, family);
	FIELD(xdperf_feat_record, tcp_flags); FIELD(xdperf_feat_record, flags); FIELD(xdperf_feat_record, stream_id);
	FIELD(xdperf_feat_record, tx_cpu); FIELD(xdperf_feat_record, rx_cpu); FIELD(xdperf_feat_record, seq);

	SIZE(xdperf_feat_counters);
	FIELD(xdperf_feat_counters, packets); FIELD(xdperf_feat_counters, bytes); FIELD(xdperf_feat_counters, ip_packets);
	FIELD(xdperf_feat_counters, other_packets); FIELD(xdperf_feat_counters, xdperf_packets);
	FIELD(xdperf_feat_counters, xdperf_bytes); FIELD(xdperf_feat_counters, selected);
	FIELD(xdperf_feat_counters, submitted); FIELD(xdperf_feat_counters, ring_full); FIELD(xdperf_feat_counters, no_ring);
	FIELD(xdperf_feat_counters, flows_created); FIELD(xdperf_feat_counters, flow_failures);

	CONST(XDPERF_FEAT_FLOWS); CONST(XDPERF_FEAT_SAMPLED); CONST(XDPERF_FEAT_FULL);
	CONST(XDPERF_FEAT_HAS_MH); CONST(XDPERF_FEAT_HAS_VLAN); CONST(XDPERF_FEAT_FRAGMENT);
	return 0;
}
