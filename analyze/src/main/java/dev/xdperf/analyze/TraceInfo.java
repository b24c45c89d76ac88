package dev.xdperf.analyze;

import dev.xdperf.analyze.trace.PathCondition;
import java.util.BitSet;

/**
 * One straight-line trace of the program: what selects it ({@code condition}), what it does
 * (verdict, instructions, packet bytes read and written) and a packet that takes it.
 *
 * @param id 1-based, in the order traces were first seen
 * @param packets how many packets of the traffic took it (0 for traces found by mutation)
 * @param firstPacket index of the first packet that took it, or -1 for traces found by mutation
 * @param reads offsets of bytes of the packet as received that the trace reads
 * @param writes offsets the trace writes, relative to the packet as received (negative: headroom)
 */
public record TraceInfo(int id, long packets, String verdict, long instructions, PathCondition condition, BitSet reads,
                        int[] writes, int firstPacket, byte[] witness) {
    public TraceInfo {
        reads = (BitSet) reads.clone();
        writes = writes.clone();
        witness = witness.clone();
    }

    @Override
    public byte[] witness() {
        return witness.clone();
    }

    @Override
    public BitSet reads() {
        return (BitSet) reads.clone();
    }

    @Override
    public int[] writes() {
        return writes.clone();
    }

    public boolean discovered() {
        return firstPacket < 0;
    }

    TraceInfo withPackets(long n) {
        return new TraceInfo(id, n, verdict, instructions, condition, reads, writes, firstPacket, witness);
    }

    /** "0-13, 23" for a set of offsets. */
    public static String ranges(int[] offsets) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < offsets.length) {
            int j = i;
            while (j + 1 < offsets.length && offsets[j + 1] == offsets[j] + 1) {
                j++;
            }
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(offsets[i]);
            if (j > i) {
                sb.append('-').append(offsets[j]);
            }
            i = j + 1;
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }
}
