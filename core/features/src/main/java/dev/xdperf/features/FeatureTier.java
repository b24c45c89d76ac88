package dev.xdperf.features;

import java.util.Locale;

/**
 * Which features a run extracts: per-flow aggregates, one packet record in {@code sampleN},
 * or a record for every packet.
 */
public record FeatureTier(Kind kind, int sampleN) {
    public enum Kind { FLOWS, SAMPLED, FULL }

    public static final FeatureTier FLOWS = new FeatureTier(Kind.FLOWS, 1);
    public static final FeatureTier FULL = new FeatureTier(Kind.FULL, 1);

    public FeatureTier {
        if (kind == null) {
            throw new IllegalArgumentException("feature tier missing");
        }
        if (sampleN < 1) {
            throw new IllegalArgumentException("sampling rate 1 in " + sampleN + " is not a positive count");
        }
        if (kind != Kind.SAMPLED && sampleN != 1) {
            throw new IllegalArgumentException(kind.name().toLowerCase(Locale.ROOT) + " takes no sampling rate");
        }
    }

    public static FeatureTier sampled(int n) {
        return new FeatureTier(Kind.SAMPLED, n);
    }

    /** Parses {@code flows}, {@code sampled:N} or {@code full}. */
    public static FeatureTier parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("flows")) {
            return FLOWS;
        }
        if (t.equals("full")) {
            return FULL;
        }
        if (t.startsWith("sampled:")) {
            String n = t.substring("sampled:".length());
            try {
                return sampled(Integer.parseInt(n));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--features " + text + ": '" + n + "' is not a whole number (example: sampled:100)");
            }
        }
        throw new IllegalArgumentException("--features " + text + " is not flows, sampled:N or full");
    }

    /** True for the tiers that write one record per (selected) packet. */
    public boolean perPacket() {
        return kind != Kind.FLOWS;
    }

    @Override
    public String toString() {
        return kind == Kind.SAMPLED ? "sampled:" + sampleN : kind.name().toLowerCase(Locale.ROOT);
    }
}
