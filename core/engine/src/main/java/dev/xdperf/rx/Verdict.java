package dev.xdperf.rx;

import dev.xdperf.bpf.Structs;

/** What xdp_rx does with an xdperf frame once it has counted it. */
public enum Verdict {
    DROP(Structs.VERDICT_DROP), PASS(Structs.VERDICT_PASS), REFLECT(Structs.VERDICT_REFLECT);

    final int code;

    Verdict(int code) {
        this.code = code;
    }

    /** The XDPERF_VERDICT_* value the XDP programs take. */
    public int code() {
        return code;
    }
}
