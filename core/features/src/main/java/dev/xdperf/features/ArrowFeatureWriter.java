package dev.xdperf.features;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Arrow IPC streaming format (columnar format 1.0, metadata version V5), written
 * directly: a Schema message whose custom metadata carries {@link FeatureMetadata} (so the
 * sampling rate travels with the data), one RecordBatch per {@value #BATCH} rows, then the
 * end-of-stream marker. pyarrow.ipc.open_stream, Arrow Java's ArrowStreamReader and
 * similar read it.
 *
 * <p>Why not Arrow Java: it brings Netty or its own allocator, FlatBuffers and Jackson, and
 * on Java 17 it needs --add-opens=java.base/java.nio at run time; the stream format for
 * flat integer and string columns is a few hundred lines. Arrow Java reads our files in
 * the tests, so the two are held to each other.
 */
final class ArrowFeatureWriter implements FeatureWriter {
    static final int BATCH = 65536;
    private static final int CONTINUATION = 0xFFFFFFFF;
    private static final short METADATA_V5 = 4;
    private static final int HEADER_SCHEMA = 1;
    private static final int HEADER_RECORD_BATCH = 3;
    private static final int TYPE_INT = 2;
    private static final int TYPE_UTF8 = 5;

    /** One column being filled: integers of a width (signed or not) or UTF-8 strings. */
    private static final class Column {
        final String name;
        final int bits;          // 0 = utf8
        final boolean signed;
        final long[] values;
        final boolean[] valid;
        final int[] offsets;
        final StringBuilder text;
        int nulls;

        Column(String name, int bits, boolean signed) {
            this.name = name;
            this.bits = bits;
            this.signed = signed;
            this.values = bits == 0 ? null : new long[BATCH];
            this.valid = new boolean[BATCH];
            this.offsets = bits == 0 ? new int[BATCH + 1] : null;
            this.text = bits == 0 ? new StringBuilder() : null;
        }
    }

    private final OutputStream out;
    private final List<Column> columns = new ArrayList<>();
    private final Column[] byIndex;
    private final StringBuilder scratch = new StringBuilder(40);
    private int rows;
    private long written;

    ArrowFeatureWriter(OutputStream out, FeatureMetadata meta) throws IOException {
        this.out = new BufferedOutputStream(out, 1 << 16);
        if (meta.tier().perPacket()) {
            int[][] types = {{64, 1}, {8, 0}, {0, 0}, {0, 0}, {16, 0}, {16, 0}, {8, 0}, {16, 0}, {16, 0}, {8, 0}, {16, 0}, {8, 0}, {32, 0}};
            add(FeatureWriter.PACKET_COLUMNS, types);
        } else {
            int[][] types = {{8, 0}, {0, 0}, {0, 0}, {16, 0}, {16, 0}, {8, 0}, {64, 1}, {64, 1}, {64, 1}, {64, 1}, {8, 0}};
            add(FeatureWriter.FLOW_COLUMNS, types);
        }
        byIndex = columns.toArray(Column[]::new);
        writeMessage(schema(meta), HEADER_SCHEMA, new byte[0]);
    }

    private void add(String[] names, int[][] types) {
        for (int i = 0; i < names.length; i++) {
            columns.add(new Column(names[i], types[i][0], types[i][1] == 1));
        }
    }

    private FlatBuffer.Table schema(FeatureMetadata meta) {
        List<FlatBuffer.Node> fields = new ArrayList<>();
        for (Column c : columns) {
            FlatBuffer.Table type = c.bits == 0 ? new FlatBuffer.Table()
                    : new FlatBuffer.Table().i32(0, c.bits).i8(1, c.signed ? 1 : 0);
            fields.add(new FlatBuffer.Table()
                    .ref(0, new FlatBuffer.Str(c.name))
                    .i8(1, 1)
                    .i8(2, c.bits == 0 ? TYPE_UTF8 : TYPE_INT)
                    .ref(3, type)
                    .ref(5, new FlatBuffer.Vec(List.of())));
        }
        List<FlatBuffer.Node> kv = new ArrayList<>();
        for (var e : meta.asMap().entrySet()) {
            kv.add(new FlatBuffer.Table().ref(0, new FlatBuffer.Str(e.getKey())).ref(1, new FlatBuffer.Str(e.getValue())));
        }
        return new FlatBuffer.Table().i16(0, 0).ref(1, new FlatBuffer.Vec(fields)).ref(2, new FlatBuffer.Vec(kv));
    }

    private void writeMessage(FlatBuffer.Table header, int headerType, byte[] body) throws IOException {
        FlatBuffer.Table message = new FlatBuffer.Table().i16(0, METADATA_V5).i8(1, headerType).ref(2, header)
                .i64(3, body.length);
        byte[] meta = FlatBuffer.encode(message);
        ByteBuffer prefix = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putInt(CONTINUATION).putInt(meta.length);
        out.write(prefix.array());
        out.write(meta);
        out.write(body);
    }

    private void setLong(int col, long v) {
        Column c = byIndex[col];
        c.values[rows] = v;
        c.valid[rows] = true;
    }

    private void setOptional(int col, boolean present, long v) {
        Column c = byIndex[col];
        c.values[rows] = present ? v : 0;
        c.valid[rows] = present;
        if (!present) {
            c.nulls++;
        }
    }

    private void setAddress(int col, byte[] a, int family) {
        Column c = byIndex[col];
        scratch.setLength(0);
        Addresses.append(scratch, a, family);
        c.text.append(scratch);
        c.valid[rows] = true;
        c.offsets[rows + 1] = c.text.length();   // addresses are ASCII: chars are bytes
    }

    @Override
    public void packet(PacketRecord r) throws IOException {
        setLong(0, r.timeNs);
        setLong(1, r.family);
        setAddress(2, r.src, r.family);
        setAddress(3, r.dst, r.family);
        setLong(4, r.sport);
        setLong(5, r.dport);
        setLong(6, r.proto);
        setLong(7, r.len);
        setOptional(8, r.vlan >= 0, r.vlan);
        setLong(9, r.tcpFlags);
        setOptional(10, r.xdperf, r.stream);
        setOptional(11, r.xdperf, r.txCpu);
        setOptional(12, r.xdperf, r.seq);
        row();
    }

    @Override
    public void flow(FlowRecord f) throws IOException {
        FlowKey k = f.key();
        setLong(0, k.family());
        setAddress(1, k.src(), k.family());
        setAddress(2, k.dst(), k.family());
        setLong(3, k.sport());
        setLong(4, k.dport());
        setLong(5, k.proto());
        setLong(6, f.packets());
        setLong(7, f.bytes());
        setLong(8, f.firstNs());
        setLong(9, f.lastNs());
        setLong(10, f.tcpFlags());
        row();
    }

    private void row() throws IOException {
        rows++;
        written++;
        if (rows == BATCH) {
            batch();
        }
    }

    /** Writes the rows collected so far as one RecordBatch. */
    private void batch() throws IOException {
        if (rows == 0) {
            return;
        }
        ByteBuffer nodes = ByteBuffer.allocate(16 * columns.size()).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> buffers = new ArrayList<>();
        for (Column c : columns) {
            nodes.putLong(rows).putLong(c.nulls);
            buffers.add(c.nulls == 0 ? new byte[0] : validity(c));
            if (c.bits == 0) {
                ByteBuffer o = ByteBuffer.allocate(4 * (rows + 1)).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i <= rows; i++) {
                    o.putInt(c.offsets[i]);
                }
                buffers.add(o.array());
                buffers.add(c.text.toString().getBytes(StandardCharsets.US_ASCII));
            } else {
                int width = c.bits / 8;
                ByteBuffer v = ByteBuffer.allocate(width * rows).order(ByteOrder.LITTLE_ENDIAN);
                for (int i = 0; i < rows; i++) {
                    switch (width) {
                        case 1 -> v.put((byte) c.values[i]);
                        case 2 -> v.putShort((short) c.values[i]);
                        case 4 -> v.putInt((int) c.values[i]);
                        default -> v.putLong(c.values[i]);
                    }
                }
                buffers.add(v.array());
            }
        }
        ByteBuffer spans = ByteBuffer.allocate(16 * buffers.size()).order(ByteOrder.LITTLE_ENDIAN);
        int bodyLength = 0;
        for (byte[] b : buffers) {
            spans.putLong(bodyLength).putLong(b.length);
            bodyLength += pad8(b.length);
        }
        byte[] body = new byte[bodyLength];
        int at = 0;
        for (byte[] b : buffers) {
            System.arraycopy(b, 0, body, at, b.length);
            at += pad8(b.length);
        }
        FlatBuffer.Table batch = new FlatBuffer.Table()
                .i64(0, rows)
                .ref(1, new FlatBuffer.Structs(columns.size(), nodes.array()))
                .ref(2, new FlatBuffer.Structs(buffers.size(), spans.array()));
        writeMessage(batch, HEADER_RECORD_BATCH, body);
        rows = 0;
        for (Column c : columns) {
            c.nulls = 0;
            if (c.text != null) {
                c.text.setLength(0);
            }
        }
    }

    private byte[] validity(Column c) {
        byte[] bits = new byte[(rows + 7) / 8];
        for (int i = 0; i < rows; i++) {
            if (c.valid[i]) {
                bits[i >> 3] |= (byte) (1 << (i & 7));
            }
        }
        return bits;
    }

    private static int pad8(int n) {
        return (n + 7) & ~7;
    }

    @Override
    public void flush() throws IOException {
        batch();
        out.flush();
    }

    @Override
    public void finish(Map<String, Long> summary) throws IOException {
        batch();
        ByteBuffer eos = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        eos.putInt(CONTINUATION).putInt(0);
        out.write(eos.array());
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
