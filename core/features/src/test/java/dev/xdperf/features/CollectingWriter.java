package dev.xdperf.features;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Keeps what a receiver writes, for tests. */
final class CollectingWriter implements FeatureWriter {
    final List<PacketRecord> packets = new ArrayList<>();
    final List<FlowRecord> flows = new ArrayList<>();

    @Override
    public void packet(PacketRecord r) {
        packets.add(r.copy());
    }

    @Override
    public void flow(FlowRecord f) {
        flows.add(f);
    }

    @Override
    public void flush() {
    }

    @Override
    public void finish(Map<String, Long> summary) {
    }

    @Override
    public long written() {
        return packets.size() + flows.size();
    }

    @Override
    public void close() {
    }
}
