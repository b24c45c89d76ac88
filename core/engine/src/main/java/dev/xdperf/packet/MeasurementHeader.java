package dev.xdperf.packet;

import dev.xdperf.bpf.Structs;
import java.nio.ByteBuffer;

/** The xdperf measurement header (struct xdperf_mh), big-endian on the wire. */
public record MeasurementHeader(int streamId, long seq, long txNs, int cpu, int version) {
    public static final int SIZE = Structs.Mh.SIZE;

    /** Writes a fresh header (sequence and timestamp 0; xdp_tx stamps them) at {@code off}. */
    public static void writeTemplate(byte[] frame, int off, int streamId) {
        ByteBuffer b = ByteBuffer.wrap(frame);
        b.putShort(off + Structs.Mh.MAGIC, (short) Structs.MH_MAGIC);
        b.putShort(off + Structs.Mh.STREAM_ID, (short) streamId);
        b.putInt(off + Structs.Mh.SEQ, 0);
        b.putLong(off + Structs.Mh.TX_NS, 0);
        frame[off + Structs.Mh.CPU] = 0;
        frame[off + Structs.Mh.VERSION] = (byte) Structs.MH_VERSION;
    }

    /** Reads a header at {@code off}, or null when the magic is not there. */
    public static MeasurementHeader read(byte[] frame, int off) {
        if (off < 0 || off + SIZE > frame.length) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(frame);
        if ((b.getShort(off + Structs.Mh.MAGIC) & 0xffff) != Structs.MH_MAGIC) {
            return null;
        }
        return new MeasurementHeader(b.getShort(off + Structs.Mh.STREAM_ID) & 0xffff,
                b.getInt(off + Structs.Mh.SEQ) & 0xffffffffL, b.getLong(off + Structs.Mh.TX_NS),
                frame[off + Structs.Mh.CPU] & 0xff, frame[off + Structs.Mh.VERSION] & 0xff);
    }
}
