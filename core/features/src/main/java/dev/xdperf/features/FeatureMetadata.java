package dev.xdperf.features;

import dev.xdperf.Version;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every output says about itself: which receiver made it, where, which tier and, for
 * the sampled tier, the sampling rate (1 record per {@code tier.sampleN()} packets).
 */
public record FeatureMetadata(String receiver, String ifname, FeatureTier tier, long startNs) {
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("generator", "xdperf " + Version.XDPERF);
        m.put("receiver", receiver);
        m.put("interface", ifname);
        m.put("tier", tier.kind().name().toLowerCase(java.util.Locale.ROOT));
        m.put("sampling_rate", Integer.toString(tier.sampleN()));
        m.put("sampling", tier.kind() == FeatureTier.Kind.SAMPLED
                ? "1 in " + tier.sampleN() + " IP packets per " + (receiver.equals("xdp") ? "receiving CPU" : "socket")
                : "none");
        m.put("start_time_ns", Long.toString(startNs));
        return m;
    }
}
