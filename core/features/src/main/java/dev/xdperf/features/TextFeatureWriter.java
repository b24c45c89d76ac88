package dev.xdperf.features;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * CSV and JSON lines. CSV starts with {@code # key=value} metadata lines (pandas:
 * {@code comment='#'}), then a header; JSON lines start with one {@code {"meta":{...}}}
 * object. Both end with the completeness summary ({@code # summary ...} lines or a
 * {@code {"summary":{...}}} object). Absent values (no VLAN tag, no xdperf header) are
 * empty in CSV and null in JSON.
 */
final class TextFeatureWriter implements FeatureWriter {
    private final boolean json;
    private final boolean flows;
    private final OutputStream out;
    private final StringBuilder sb = new StringBuilder(256);
    private long written;

    TextFeatureWriter(OutputStream out, boolean json, FeatureMetadata meta) throws IOException {
        this.out = new BufferedOutputStream(out, 1 << 16);
        this.json = json;
        this.flows = !meta.tier().perPacket();
        if (json) {
            sb.append("{\"meta\":{");
            boolean first = true;
            for (var e : meta.asMap().entrySet()) {
                sb.append(first ? "" : ",").append('"').append(e.getKey()).append("\":\"").append(e.getValue()).append('"');
                first = false;
            }
            sb.append("}}\n");
        } else {
            for (var e : meta.asMap().entrySet()) {
                sb.append("# ").append(e.getKey()).append('=').append(e.getValue()).append('\n');
            }
            sb.append(String.join(",", flows ? FLOW_COLUMNS : PACKET_COLUMNS)).append('\n');
        }
        emit();
    }

    private void emit() throws IOException {
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        sb.setLength(0);
    }

    private void key(int i, String[] cols) {
        if (json) {
            sb.append(i == 0 ? "{\"" : ",\"").append(cols[i]).append("\":");
        } else if (i > 0) {
            sb.append(',');
        }
    }

    private void num(int i, String[] cols, long v) {
        key(i, cols);
        sb.append(v);
    }

    private void optional(int i, String[] cols, boolean present, long v) {
        key(i, cols);
        if (present) {
            sb.append(v);
        } else if (json) {
            sb.append("null");
        }
    }

    private void address(int i, String[] cols, byte[] a, int family) {
        key(i, cols);
        if (json) {
            sb.append('"');
        }
        Addresses.append(sb, a, family);
        if (json) {
            sb.append('"');
        }
    }

    private void end() throws IOException {
        sb.append(json ? "}\n" : "\n");
        emit();
        written++;
    }

    @Override
    public void packet(PacketRecord r) throws IOException {
        String[] c = PACKET_COLUMNS;
        num(0, c, r.timeNs);
        num(1, c, r.family);
        address(2, c, r.src, r.family);
        address(3, c, r.dst, r.family);
        num(4, c, r.sport);
        num(5, c, r.dport);
        num(6, c, r.proto);
        num(7, c, r.len);
        optional(8, c, r.vlan >= 0, r.vlan);
        num(9, c, r.tcpFlags);
        optional(10, c, r.xdperf, r.stream);
        optional(11, c, r.xdperf, r.txCpu);
        optional(12, c, r.xdperf, r.seq);
        end();
    }

    @Override
    public void flow(FlowRecord f) throws IOException {
        String[] c = FLOW_COLUMNS;
        FlowKey k = f.key();
        num(0, c, k.family());
        address(1, c, k.src(), k.family());
        address(2, c, k.dst(), k.family());
        num(3, c, k.sport());
        num(4, c, k.dport());
        num(5, c, k.proto());
        num(6, c, f.packets());
        num(7, c, f.bytes());
        num(8, c, f.firstNs());
        num(9, c, f.lastNs());
        num(10, c, f.tcpFlags());
        end();
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void finish(Map<String, Long> summary) throws IOException {
        if (json) {
            sb.append("{\"summary\":{");
            boolean first = true;
            for (var e : summary.entrySet()) {
                sb.append(first ? "" : ",").append('"').append(e.getKey()).append("\":").append(e.getValue());
                first = false;
            }
            sb.append("}}\n");
        } else {
            for (var e : summary.entrySet()) {
                sb.append("# summary ").append(e.getKey()).append('=').append(e.getValue()).append('\n');
            }
        }
        emit();
        close();
    }

    @Override
    public long written() {
        return written;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
