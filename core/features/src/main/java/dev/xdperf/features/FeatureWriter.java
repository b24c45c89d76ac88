package dev.xdperf.features;

import java.io.IOException;
import java.util.Map;

/**
 * Where records go. Receivers call {@link #packet} or {@link #flow} from one thread;
 * {@link #flush} ends an export (IPFIX sends its messages then); {@link #finish} writes the
 * completeness summary where the format has room for it and closes the output.
 */
public interface FeatureWriter extends AutoCloseable {
    void packet(PacketRecord r) throws IOException;

    void flow(FlowRecord f) throws IOException;

    void flush() throws IOException;

    void finish(Map<String, Long> summary) throws IOException;

    /** Records written so far. */
    long written();

    @Override
    void close() throws IOException;

    /** Packet record columns, in output order (CSV header, JSON keys, Arrow fields). */
    String[] PACKET_COLUMNS = {"time_ns", "family", "src", "dst", "sport", "dport", "proto", "len", "vlan",
            "tcp_flags", "stream_id", "tx_cpu", "seq"};

    /** Flow record columns. */
    String[] FLOW_COLUMNS = {"family", "src", "dst", "sport", "dport", "proto", "packets", "bytes",
            "first_ns", "last_ns", "tcp_flags"};
}
