package dev.xdperf.bpf;

/**
 * Java's view of xdperf.h: sizes, offsets and constants. LayoutTest checks every value here
 * against the C compiler's sizeof/offsetof, and every C value against this class.
 */
public final class Structs {
    public static final int MAX_STREAMS = 256;
    public static final int MAX_CPUS = 64;
    public static final int HIST_SUB_BITS = 6;
    public static final int HIST_BUCKETS = (64 - HIST_SUB_BITS + 1) << HIST_SUB_BITS;
    public static final int TEST_HOOKS = 8;
    public static final int SEQ_WINDOW = 64;
    /** Slots of the bench verdict counter: XDP actions 0..4 (aborted, drop, pass, tx, redirect), then "other". */
    public static final int VERDICTS = 6;
    public static final int MH_MAGIC = 0x58DF;
    public static final int MH_VERSION = 1;
    public static final int HOOK_DROP = 1;
    public static final int HOOK_STAMP = 2;
    public static final int VERDICT_DROP = 1;
    public static final int VERDICT_PASS = 2;
    public static final int VERDICT_REFLECT = 3;
    public static final int MAX_TEMPLATES = 1024;
    public static final int MAX_FIELDS = 8;
    public static final int MAX_CSUMS = 4;
    public static final int TMPL_BYTES = 2048;
    public static final int MIN_FRAME = 14;
    public static final int SCHEDULE_MAX = 65536;
    public static final int LIST_MAX = 65536;
    public static final int COPY_ALL = 1;
    public static final int COPY_RANGE = 2;
    public static final int COPY_WORDS_MAX = 16;
    public static final int OP_INC = 1;
    public static final int OP_DEC = 2;
    public static final int OP_RANDOM = 3;
    public static final int OP_LIST = 4;
    public static final int CSUM_IPV4 = 1;
    public static final int CSUM_UDP = 2;
    public static final int CSUM_TCP = 3;
    public static final int CSUM_ICMP = 4;
    public static final int CSUM_ICMPV6 = 5;
    public static final int FEAT_FLOWS = 1;
    public static final int FEAT_SAMPLED = 2;
    public static final int FEAT_FULL = 3;
    public static final int FEAT_HAS_MH = 1;
    public static final int FEAT_HAS_VLAN = 2;
    public static final int FEAT_FRAGMENT = 4;

    private Structs() {}

    /** struct xdperf_mh: on the wire, big-endian. */
    public static final class Mh {
        public static final String C_NAME = "xdperf_mh";
        public static final int SIZE = 18;
        public static final int MAGIC = 0;
        public static final int STREAM_ID = 2;
        public static final int SEQ = 4;
        public static final int TX_NS = 8;
        public static final int CPU = 16;
        public static final int VERSION = 17;
    }

    public static final class TxConfig {
        public static final String C_NAME = "xdperf_tx_config";
        public static final int SIZE = 16;
        public static final int END_NS = 0;
        public static final int STOP = 8;
    }

    /** xdp_tx's read-only data: the run's fixed settings, set before load. */
    public static final class TxPlan {
        public static final String C_NAME = "xdperf_tx_plan";
        public static final int SIZE = 2632;
        public static final int INTERVAL_NS = 0;
        public static final int MAX_LAG_NS = 8;
        public static final int TEST_TX_OFFSET_NS = 16;
        public static final int TEST_HOOKS = 24;
        public static final int N_TEMPLATES = 28;
        public static final int CYCLE_LEN = 32;
        public static final int N_CPUS = 36;
        public static final int COPY = 40;
        public static final int CLOCK_EVERY = 44;
        public static final int LIMITED = 48;
        public static final int SINGLE = 52;
        public static final int FRAME_END = 56;
        public static final int CURSOR_MASK = 60;
        public static final int CSUM_TOUCHED = 64;
        public static final int COPY_FROM = 68;
        public static final int COPY_WORDS = 70;
        public static final int TMPL = 72;
        public static final int STEPS = 2488;
        public static final int CYCLE_POS_STEP = 2616;
        public static final int CYCLE_TURN_STEP = 2620;
        public static final int UNIFORM = 2624;
    }

    /** A counting rule's advance per slot of one CPU (struct xdperf_cursor_step). */
    public static final class CursorStep {
        public static final String C_NAME = "xdperf_cursor_step";
        public static final int SIZE = 16;
        public static final int DELTA = 0;
        public static final int GAP = 8;
    }

    public static final class Field {
        public static final String C_NAME = "xdperf_field";
        public static final int SIZE = 40;
        public static final int OFFSET = 0;
        public static final int WIDTH = 2;
        public static final int OP = 3;
        public static final int SCOPE = 4;
        public static final int CSUM_MASK = 5;
        public static final int LIST_COUNT = 6;
        public static final int LIST_START = 8;
        public static final int RULE_INDEX = 12;
        public static final int MIN = 16;
        public static final int RANGE = 24;
        public static final int STEP = 32;
    }

    public static final class Csum {
        public static final String C_NAME = "xdperf_csum";
        public static final int SIZE = 8;
        public static final int OFFSET = 0;
        public static final int KIND = 2;
        public static final int BASE = 4;
    }

    public static final class Template {
        public static final String C_NAME = "xdperf_template";
        public static final int SIZE = 2416;
        public static final int LEN = 0;
        public static final int STREAM_ID = 2;
        public static final int MH_OFFSET = 4;
        public static final int N_FIELDS = 6;
        public static final int MH_CSUM_MASK = 7;
        public static final int WEIGHT = 8;
        public static final int FLOWS = 12;
        public static final int CSUMS = 16;
        public static final int FIELDS = 48;
        public static final int BYTES = 368;
    }

    public static final class Slot {
        public static final String C_NAME = "xdperf_slot";
        public static final int SIZE = 16;
        public static final int TEMPLATE_ID = 0;
        public static final int RANK = 4;
        public static final int STREAM_RANK = 8;
        public static final int STREAM_WEIGHT = 12;
    }

    public static final class TxState {
        public static final String C_NAME = "xdperf_tx_state";
        public static final int SIZE = 200;
        public static final int NEXT_NS = 0;
        public static final int SEQ = 8;
        public static final int LIMIT = 16;
        public static final int SENT_PACKETS = 24;
        public static final int SENT_BYTES = 32;
        public static final int PACED_SKIPS = 40;
        public static final int TEST_DROPS = 48;
        public static final int RANK = 56;
        public static final int LAST_NS = 64;
        public static final int CLOCK_NS = 72;
        public static final int CLOCK_SLOT = 80;
        public static final int CLOCK_STEP = 88;
        public static final int DEFICIT = 96;
        public static final int CURSOR = 104;
        public static final int STAMP = 168;
        public static final int UNSENT = 176;
        public static final int CYCLE_POS = 184;
        public static final int CYCLE_TURN = 192;
    }

    public static final class TestHook {
        public static final String C_NAME = "xdperf_test_hook";
        public static final int SIZE = 16;
        public static final int AT_SEQ = 0;
        public static final int ACTION = 8;
        public static final int VALUE = 12;
    }

    public static final class RxConfig {
        public static final String C_NAME = "xdperf_rx_config";
        public static final int SIZE = 16;
        public static final int VERDICT = 0;
        public static final int BURST_INTERVAL_NS = 8;
    }

    public static final class RxBurst {
        public static final String C_NAME = "xdperf_rx_burst";
        public static final int SIZE = 16;
        public static final int TAT = 0;
        public static final int MAX_EXCESS_NS = 8;
    }

    public static final class RxStream {
        public static final String C_NAME = "xdperf_rx_stream";
        public static final int SIZE = 32;
        public static final int PACKETS = 0;
        public static final int BYTES = 8;
        public static final int LAT_SUM_NS = 16;
        public static final int LAT_COUNT = 24;
    }

    public static final class RxTotals {
        public static final String C_NAME = "xdperf_rx_totals";
        public static final int SIZE = 32;
        public static final int PACKETS = 0;
        public static final int BYTES = 8;
        public static final int OTHER_PACKETS = 16;
        public static final int BAD_STREAM = 24;
    }

    public static final class RxFlow {
        public static final String C_NAME = "xdperf_rx_flow";
        public static final int SIZE = 64;
        public static final int NEXT_SEQ = 0;
        public static final int WINDOW = 8;
        public static final int DUPLICATES = 16;
        public static final int REORDERED = 24;
        public static final int LATE = 32;
        public static final int LAST_TRANSIT = 40;
        public static final int JITTER_X16 = 48;
        public static final int LAST_ARRIVAL = 56;
    }

    public static final class FeatConfig {
        public static final String C_NAME = "xdperf_feat_config";
        public static final int SIZE = 16;
        public static final int TIER = 0;
        public static final int SAMPLE_N = 4;
        public static final int VERDICT = 8;
    }

    /** struct xdperf_flow_key: the 5-tuple key of feat_flows. */
    public static final class FlowKey {
        public static final String C_NAME = "xdperf_flow_key";
        public static final int SIZE = 40;
        public static final int SRC = 0;
        public static final int DST = 16;
        public static final int SPORT = 32;
        public static final int DPORT = 34;
        public static final int PROTO = 36;
        public static final int FAMILY = 37;
    }

    public static final class FlowValue {
        public static final String C_NAME = "xdperf_flow_value";
        public static final int SIZE = 40;
        public static final int PACKETS = 0;
        public static final int BYTES = 8;
        public static final int FIRST_NS = 16;
        public static final int LAST_NS = 24;
        public static final int TCP_FLAGS = 32;
    }

    /** struct xdperf_feat_record: one per-packet record in a ring buffer. */
    public static final class FeatRecord {
        public static final String C_NAME = "xdperf_feat_record";
        public static final int SIZE = 64;
        public static final int TS_NS = 0;
        public static final int SRC = 8;
        public static final int DST = 24;
        public static final int SPORT = 40;
        public static final int DPORT = 42;
        public static final int LEN = 44;
        public static final int VLAN = 46;
        public static final int PROTO = 48;
        public static final int FAMILY = 49;
        public static final int TCP_FLAGS = 50;
        public static final int FLAGS = 51;
        public static final int STREAM_ID = 52;
        public static final int TX_CPU = 54;
        public static final int RX_CPU = 55;
        public static final int SEQ = 56;
    }

    public static final class FeatCounters {
        public static final String C_NAME = "xdperf_feat_counters";
        public static final int SIZE = 96;
        public static final int PACKETS = 0;
        public static final int BYTES = 8;
        public static final int IP_PACKETS = 16;
        public static final int OTHER_PACKETS = 24;
        public static final int XDPERF_PACKETS = 32;
        public static final int XDPERF_BYTES = 40;
        public static final int SELECTED = 48;
        public static final int SUBMITTED = 56;
        public static final int RING_FULL = 64;
        public static final int NO_RING = 72;
        public static final int FLOWS_CREATED = 80;
        public static final int FLOW_FAILURES = 88;
    }
}
