package dev.xdperf.template;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.TemplateSet;
import java.util.ArrayList;
import java.util.List;

/**
 * Several streams in one run: each stream's templates keep their relative weights, scaled so
 * that the stream gets its share of the packets; one weighted cycle then interleaves them all.
 */
public final class StreamMix {
    /** Resolution of the shares: weights are scaled to this many parts in all. */
    static final int PARTS = 1000;

    private StreamMix() {}

    /** One stream's templates and its share of the total rate (any positive number; shares are normalised). */
    public record Part(String name, TemplateSet set, double share) {
        public Part {
            if (!(share > 0)) {
                throw new IllegalArgumentException("stream " + name + ": share must be positive");
            }
        }
    }

    public static TemplateSet combine(List<Part> parts) {
        if (parts.isEmpty()) {
            throw new IllegalArgumentException("no streams to combine");
        }
        double total = parts.stream().mapToDouble(Part::share).sum();
        List<PacketTemplate> out = new ArrayList<>();
        for (Part p : parts) {
            long sum = p.set().templates().stream().mapToLong(PacketTemplate::weight).sum();
            for (PacketTemplate t : p.set().templates()) {
                double w = p.share() / total * PARTS * t.weight() / sum;
                int weight = (int) Math.max(1, Math.round(w));
                out.add(new PacketTemplate(t.frame(), t.streamId(), weight, t.flows(), t.mhOffset(), t.fields(), t.checksums()));
            }
        }
        AbiVersion abi = parts.stream().map(p -> p.set().abi()).reduce((a, b) -> a.minor() >= b.minor() ? a : b).orElseThrow();
        return new TemplateSet(abi.major() == AbiVersion.HOST.major() ? AbiVersion.HOST : abi, out);
    }
}
