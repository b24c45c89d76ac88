package dev.xdperf.rx;

import dev.xdperf.bpf.Structs;
import java.util.Arrays;

/**
 * The receiver's log-linear latency histogram: values below 64 ns exactly, above that 64
 * sub-buckets per power of two (each at most 1/64 wide), as xdp_rx fills it.
 */
public final class LatencyHistogram {
    private static final int SUB = Structs.HIST_SUB_BITS;
    private final long[] counts;

    public LatencyHistogram(long[] counts) {
        if (counts.length != Structs.HIST_BUCKETS) {
            throw new IllegalArgumentException("histogram needs " + Structs.HIST_BUCKETS + " buckets");
        }
        this.counts = counts.clone();
    }

    public static LatencyHistogram empty() {
        return new LatencyHistogram(new long[Structs.HIST_BUCKETS]);
    }

    /** The bucket xdp_rx puts {@code v} in (the same arithmetic as hist_index in rx.bpf.c). */
    public static int index(long v) {
        if (v < 0) {
            v = 0;
        }
        if (v < (1L << SUB)) {
            return (int) v;
        }
        int msb = 63 - Long.numberOfLeadingZeros(v);
        int shift = msb - SUB;
        int sub = (int) ((v >>> shift) & ((1 << SUB) - 1));
        return ((shift + 1) << SUB) + sub;
    }

    public static long lowerBound(int index) {
        if (index < (1 << SUB)) {
            return index;
        }
        int shift = (index >> SUB) - 1;
        long mantissa = (index & ((1 << SUB) - 1)) | (1L << SUB);
        return mantissa << shift;
    }

    public static long width(int index) {
        return index < (1 << SUB) ? 1 : 1L << ((index >> SUB) - 1);
    }

    /** A representative value of the bucket: its middle (exact below 64 ns). */
    public static long midpoint(int index) {
        return lowerBound(index) + (width(index) - 1) / 2;
    }

    public LatencyHistogram plus(LatencyHistogram other) {
        long[] sum = counts.clone();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += other.counts[i];
        }
        return new LatencyHistogram(sum);
    }

    public long count() {
        return Arrays.stream(counts).sum();
    }

    /** The value at percentile {@code p} (0..100), or -1 when the histogram is empty. */
    public long percentile(double p) {
        long total = count();
        if (total == 0) {
            return -1;
        }
        long rank = Math.max(1, (long) Math.ceil(p / 100.0 * total));
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= rank) {
                return midpoint(i);
            }
        }
        return midpoint(counts.length - 1);
    }

    public long min() {
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                return lowerBound(i);
            }
        }
        return -1;
    }

    public long max() {
        for (int i = counts.length - 1; i >= 0; i--) {
            if (counts[i] > 0) {
                return lowerBound(i) + width(i) - 1;
            }
        }
        return -1;
    }

    /**
     * The same distribution as an HdrHistogram (3 significant digits), each kernel bucket
     * recorded at its midpoint: the form to merge across CPUs, runs and agents.
     */
    public org.HdrHistogram.Histogram toHdr() {
        org.HdrHistogram.Histogram h = new org.HdrHistogram.Histogram(3);
        for (int i = 0; i < counts.length; i++) {
            if (counts[i] > 0) {
                h.recordValueWithCount(Math.min(midpoint(i), Long.MAX_VALUE / 4), counts[i]);
            }
        }
        return h;
    }

    public long[] counts() {
        return counts.clone();
    }
}
