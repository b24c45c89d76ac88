package dev.xdperf.analyze.pcap;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads Ethernet frames from a classic pcap file (microsecond or nanosecond timestamps, either
 * byte order), as tcpdump and xdperf client --pcap write them. pcapng is refused with a hint.
 */
public final class PcapReader {
    private static final int LINKTYPE_ETHERNET = 1;

    private PcapReader() {}

    /** Up to {@code limit} frames (all when limit is negative). */
    public static List<byte[]> read(Path file, long limit) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("read " + file + ": " + e.getMessage());
        }
        return parse(file.toString(), all, limit);
    }

    /**
     * The frames of several files, one file after the other or, with {@code interleave}, one
     * frame of each file in turn; up to {@code limit} in all (all when limit is negative).
     */
    public static List<byte[]> readAll(List<Path> files, boolean interleave, long limit) {
        long max = limit < 0 ? Long.MAX_VALUE : limit;
        List<List<byte[]>> each = new ArrayList<>();
        for (Path p : files) {
            each.add(read(p, interleave ? -1 : limit));
        }
        List<byte[]> out = new ArrayList<>();
        if (interleave) {
            for (int i = 0; out.size() < max; i++) {
                boolean any = false;
                for (List<byte[]> f : each) {
                    if (i < f.size() && out.size() < max) {
                        out.add(f.get(i));
                        any = true;
                    }
                }
                if (!any) {
                    break;
                }
            }
        } else {
            each.forEach(out::addAll);
        }
        return out.size() <= max ? out : out.subList(0, (int) max);
    }

    /** The timestamps of up to {@code limit} records, in nanoseconds. */
    public static long[] timestamps(Path file, long limit) {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new IllegalArgumentException("read " + file + ": " + e.getMessage());
        }
        List<byte[]> frames = parse(file.toString(), all, limit);
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
            b.order(ByteOrder.BIG_ENDIAN);
            magic = b.getInt(0);
        }
        boolean nanos = magic == 0xa1b23c4d;
        long[] out = new long[frames.size()];
        int p = 24;
        for (int i = 0; i < out.length; i++) {
            long sec = b.getInt(p) & 0xffffffffL;
            long frac = b.getInt(p + 4) & 0xffffffffL;
            out[i] = sec * 1_000_000_000L + (nanos ? frac : frac * 1000);
            p += 16 + b.getInt(p + 8);
        }
        return out;
    }

    public static List<byte[]> parse(String name, byte[] all, long limit) {
        if (all.length < 24) {
            throw new IllegalArgumentException("read " + name + ": not a pcap file (too short)");
        }
        ByteBuffer b = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        if (magic == 0x0a0d0d0a) {
            throw new IllegalArgumentException("read " + name + ": pcapng is not supported (convert it: editcap -F pcap IN OUT)");
        }
        if (magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1) {
            b.order(ByteOrder.BIG_ENDIAN);
            magic = b.getInt(0);
        }
        if (magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
            throw new IllegalArgumentException("read " + name + ": not a pcap file (magic 0x" + Integer.toHexString(b.getInt(0)) + ")");
        }
        int link = b.getInt(20) & 0x0fffffff;
        if (link != LINKTYPE_ETHERNET) {
            throw new IllegalArgumentException("read " + name + ": link type " + link + " is not Ethernet");
        }
        List<byte[]> out = new ArrayList<>();
        int p = 24;
        while (p + 16 <= all.length && (limit < 0 || out.size() < limit)) {
            int caplen = b.getInt(p + 8);
            int origlen = b.getInt(p + 12);
            if (caplen < 0 || p + 16 + caplen > all.length) {
                throw new IllegalArgumentException("read " + name + ": record " + (out.size() + 1) + " is truncated");
            }
            if (caplen < origlen) {
                throw new IllegalArgumentException("read " + name + ": record " + (out.size() + 1) + " was captured with "
                        + caplen + " of " + origlen + " bytes (capture with a larger snap length)");
            }
            byte[] f = new byte[caplen];
            System.arraycopy(all, p + 16, f, 0, caplen);
            out.add(f);
            p += 16 + caplen;
        }
        return out;
    }
}
