package dev.xdperf.abi;

import java.util.Arrays;
import java.util.List;

/** One template of a set: frame bytes, weight, stream, flows, rules (docs/abi.md, "Template"). */
public record PacketTemplate(byte[] frame, int streamId, int weight, long flows, int mhOffset,
                             List<FieldRule> fields, List<ChecksumRule> checksums) {
    public static final int HEADER_SIZE = 16;

    public PacketTemplate {
        frame = frame.clone();
        fields = List.copyOf(fields);
        checksums = List.copyOf(checksums);
    }

    public static PacketTemplate of(byte[] frame) {
        return new PacketTemplate(frame, 0, 1, 1, 0, List.of(), List.of());
    }

    @Override
    public byte[] frame() {
        return frame.clone();
    }

    public int length() {
        return frame.length;
    }

    public PacketTemplate withFrame(byte[] newFrame) {
        return new PacketTemplate(newFrame, streamId, weight, flows, mhOffset, fields, checksums);
    }

    public PacketTemplate withStreamId(int id) {
        return new PacketTemplate(frame, id, weight, flows, mhOffset, fields, checksums);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PacketTemplate t && Arrays.equals(frame, t.frame) && streamId == t.streamId
                && weight == t.weight && flows == t.flows && mhOffset == t.mhOffset
                && fields.equals(t.fields) && checksums.equals(t.checksums);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(frame) * 31 + fields.hashCode();
    }

    @Override
    public String toString() {
        return "PacketTemplate[" + frame.length + " bytes, stream " + streamId + ", weight " + weight
                + ", flows " + flows + ", mh " + mhOffset + ", " + fields + ", " + checksums + "]";
    }
}
