package dev.xdperf.features;

import java.io.IOException;
import java.util.Map;

/** A source of features: the XDP program or the AF_PACKET baseline. */
interface FeatureReceiver extends AutoCloseable {
    /** "xdp" or "af_packet". */
    String name();

    /**
     * Hands every packet record available now to {@code w} (per-packet tiers) or folds packets
     * into the flow counters (flows tier); waits up to {@code waitMs} when there is nothing.
     * Returns the packets or records handled.
     */
    int poll(FeatureWriter w, int waitMs) throws IOException;

    /** The flows tier: writes each flow's packets since the previous export. */
    void exportFlows(FeatureWriter w) throws IOException;

    /** Packets this receiver has looked at so far (for the live line). */
    long packetsSeen();

    /** Completeness counters, by name, in report order. */
    Map<String, Long> completeness(FeatureWriter w);

    /** BPF programs this receiver runs on the interface, by name, with their run-time statistics. */
    Map<String, dev.xdperf.bpf.ProgramInfo> programs();

    /** Stops taking new packets where that is possible (XDP: detach), so that a final drain is complete. */
    void detach();

    @Override
    void close();
}
