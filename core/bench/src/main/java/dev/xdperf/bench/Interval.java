package dev.xdperf.bench;

/**
 * A 95% confidence interval for a cost in ns, as the gate compares them: from the spread of
 * repeated measurements (Student's t on their mean) widened by the clock's resolution where the
 * kernel reports whole nanoseconds.
 */
public record Interval(double low, double high) {
    public Interval {
        if (!(low <= high)) {
            throw new IllegalArgumentException("interval [" + low + ", " + high + "]");
        }
    }

    /** A point, for baselines written before reports carried intervals. */
    public static Interval point(double v) {
        return new Interval(v, v);
    }

    public double width() {
        return high - low;
    }

    /** Two-sided 95% quantiles of Student's t for 1..30 degrees of freedom; 1.96 beyond. */
    private static final double[] T95 = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045,
        2.042};

    static double t95(double df) {
        if (df < 1) {
            return T95[0];
        }
        return df > T95.length ? 1.96 : T95[(int) Math.floor(df) - 1];
    }

    /** Mean and half-width of the 95% interval of the mean of {@code xs} (half-width 0 for fewer than 2). */
    static double[] meanAndHalfWidth(double[] xs) {
        double mean = 0;
        for (double x : xs) {
            mean += x;
        }
        mean /= xs.length;
        if (xs.length < 2) {
            return new double[] {mean, 0};
        }
        double ss = 0;
        for (double x : xs) {
            ss += (x - mean) * (x - mean);
        }
        double sd = Math.sqrt(ss / (xs.length - 1));
        return new double[] {mean, t95(xs.length - 1) * sd / Math.sqrt(xs.length)};
    }

    /**
     * The same for values of unequal weight (per-interval ns per packet, weighted by packets):
     * the weighted mean, and the t interval over the effective number of samples.
     */
    static double[] weightedMeanAndHalfWidth(double[] xs, double[] ws) {
        double sw = 0;
        double sw2 = 0;
        double mean = 0;
        for (int i = 0; i < xs.length; i++) {
            sw += ws[i];
            sw2 += ws[i] * ws[i];
            mean += ws[i] * xs[i];
        }
        if (sw <= 0) {
            return new double[] {0, 0};
        }
        mean /= sw;
        double n = sw * sw / sw2;
        if (n < 2) {
            return new double[] {mean, 0};
        }
        double var = 0;
        for (int i = 0; i < xs.length; i++) {
            var += ws[i] * (xs[i] - mean) * (xs[i] - mean);
        }
        var = var / sw * n / (n - 1);
        return new double[] {mean, t95(n - 1) * Math.sqrt(var / n)};
    }
}
