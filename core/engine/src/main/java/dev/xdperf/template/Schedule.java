package dev.xdperf.template;

import java.util.ArrayList;
import java.util.List;

/**
 * The weighted cycle of templates: smooth weighted round-robin over the weights divided by
 * their greatest common divisor, so a 3:1 mix runs A A B A rather than A A A B.
 */
public record Schedule(int[] weights, int[] templateAt, int[] rankAt) {
    public static final int MAX_CYCLE = 65536;

    public static Schedule of(List<Integer> rawWeights) {
        int g = 0;
        for (int w : rawWeights) {
            g = gcd(g, w);
        }
        int[] w = new int[rawWeights.size()];
        long total = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = rawWeights.get(i) / g;
            total += w[i];
        }
        if (total > MAX_CYCLE) {
            throw new IllegalArgumentException("template weights add up to a cycle of " + total
                    + " packets (after dividing by their common divisor " + g + "); at most " + MAX_CYCLE);
        }
        int n = (int) total;
        int[] at = new int[n];
        int[] rank = new int[n];
        long[] current = new long[w.length];
        int[] seen = new int[w.length];
        for (int p = 0; p < n; p++) {
            int best = 0;
            for (int i = 0; i < w.length; i++) {
                current[i] += w[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            at[p] = best;
            rank[p] = seen[best]++;
        }
        return new Schedule(w, at, rank);
    }

    private static int gcd(int a, int b) {
        while (b != 0) {
            int t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    public int length() {
        return templateAt.length;
    }

    /** Template and template-local packet index of global packet {@code k}: {t, j} (j unsigned). */
    public long[] locate(long k) {
        if (length() == 1) {
            return new long[] {0, k};
        }
        int pos = (int) Long.remainderUnsigned(k, length());
        int t = templateAt[pos];
        long j = Long.divideUnsigned(k, length()) * weights[t] + rankAt[pos];
        return new long[] {t, j};
    }

    /**
     * For each position of the cycle: {earlier positions whose template has the same stream id,
     * positions per cycle of that stream}, given each template's stream id. Packet {@code k} is
     * then packet {@code (k div L) × weight + rank} of its stream (a per-stream field rule's number).
     */
    public int[][] streamPositions(int[] streamOf) {
        int n = length();
        int[] rank = new int[n];
        int[] weight = new int[n];
        java.util.Map<Integer, Integer> seen = new java.util.HashMap<>();
        for (int p = 0; p < n; p++) {
            rank[p] = seen.merge(streamOf[templateAt[p]], 1, Integer::sum) - 1;
        }
        for (int p = 0; p < n; p++) {
            weight[p] = seen.get(streamOf[templateAt[p]]);
        }
        return new int[][] {rank, weight};
    }

    /** The global packet number of packet {@code j} (unsigned) of template {@code t}: the inverse of {@link #locate}. */
    public long globalIndex(int t, long j) {
        if (length() == 1) {
            return j;
        }
        long turn = Long.divideUnsigned(j, weights[t]);
        int r = (int) Long.remainderUnsigned(j, weights[t]);
        for (int p = 0; p < length(); p++) {
            if (templateAt[p] == t && rankAt[p] == r) {
                return turn * length() + p;
            }
        }
        throw new IllegalArgumentException("template " + t + " is not in the cycle");
    }

    public List<Integer> cycle() {
        List<Integer> out = new ArrayList<>();
        for (int t : templateAt) {
            out.add(t);
        }
        return out;
    }
}
