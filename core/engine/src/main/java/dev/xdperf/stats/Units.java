package dev.xdperf.stats;

import java.util.Locale;

/** Human formatting of rates, counts and durations for the terminal. */
public final class Units {
    private Units() {}

    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    public static String pps(double pps) {
        if (pps >= 1e6) {
            return String.format(Locale.ROOT, "%.3f Mpps", pps / 1e6);
        }
        if (pps >= 1e3) {
            return String.format(Locale.ROOT, "%.1f kpps", pps / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f pps", pps);
    }

    public static String bits(double bps) {
        if (bps >= 1e9) {
            return String.format(Locale.ROOT, "%.2f Gbit/s", bps / 1e9);
        }
        if (bps >= 1e6) {
            return String.format(Locale.ROOT, "%.1f Mbit/s", bps / 1e6);
        }
        return String.format(Locale.ROOT, "%.1f kbit/s", bps / 1e3);
    }

    public static String nanos(long ns) {
        if (ns < 0) {
            return "-";
        }
        if (ns >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f s", ns / 1e9);
        }
        if (ns >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.2f ms", ns / 1e6);
        }
        if (ns >= 1_000L) {
            return String.format(Locale.ROOT, "%.1f µs", ns / 1e3);
        }
        return ns + " ns";
    }

    public static String percent(double p) {
        return String.format(Locale.ROOT, "%.3f%%", p);
    }
}
