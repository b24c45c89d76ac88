package dev.xdperf.packet;

import dev.xdperf.XdperfException.ConfigException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The frames of a capture file, classic pcap (either byte order, micro- or nanosecond) or
 * pcapng (section header, interface descriptions, enhanced and simple packet blocks), in file
 * order, each with its link type and the length it had on the wire.
 */
public record Capture(String format, List<Frame> frames) {
    public static final int LINKTYPE_ETHERNET = 1;

    /** One captured frame: {@code data} may be shorter than {@code wireLength} (the snaplen cut it). */
    public record Frame(int linkType, byte[] data, int wireLength) {
        public boolean truncated() {
            return data.length < wireLength;
        }
    }

    public Capture {
        frames = List.copyOf(frames);
    }

    /** Reads {@code file}; anything that is not a pcap or pcapng capture is one sentence naming the file and the place. */
    public static Capture read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException("read capture " + file + ": no such file");
        } catch (IOException e) {
            throw new ConfigException("read capture " + file + ": " + e.getMessage());
        }
        if (bytes.length < 4) {
            throw new ConfigException(file + ": not a pcap or pcapng capture (" + bytes.length + " bytes)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        try {
            if (magic == 0x0A0D0D0A) {
                return pcapng(file, b);
            }
            for (ByteOrder order : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
                int m = b.order(order).getInt(0);
                if (m == 0xa1b2c3d4 || m == 0xa1b23c4d) {
                    return pcap(file, b);
                }
            }
        } catch (BufferUnderflowException | IndexOutOfBoundsException e) {
            throw new ConfigException(file + ": the capture ends inside its header");
        }
        throw new ConfigException(file + ": not a pcap or pcapng capture (starts with 0x"
                + String.format("%08x", Integer.reverseBytes(magic)) + ")");
    }

    private static Capture pcap(Path file, ByteBuffer b) {
        if (b.remaining() < 24) {
            throw new ConfigException(file + ": the pcap header is cut short (" + b.remaining() + " of 24 bytes)");
        }
        int linkType = b.getInt(20) & 0x0fffffff;   // the upper bits may carry FCS information
        b.position(24);
        List<Frame> frames = new ArrayList<>();
        int record = 0;
        while (b.remaining() > 0) {
            if (b.remaining() < 16) {
                throw new ConfigException(file + ": record " + (record + 1) + " at byte " + b.position() + " is cut short");
            }
            b.getInt();
            b.getInt();
            int incl = b.getInt();
            int orig = b.getInt();
            if (incl < 0 || incl > b.remaining()) {
                throw new ConfigException(file + ": record " + (record + 1) + " at byte " + (b.position() - 16) + " claims "
                        + Integer.toUnsignedString(incl) + " bytes, " + b.remaining() + " are left");
            }
            byte[] data = new byte[incl];
            b.get(data);
            frames.add(new Frame(linkType, data, Math.max(orig, incl)));
            record++;
        }
        return new Capture("pcap", frames);
    }

    private static Capture pcapng(Path file, ByteBuffer b) {
        List<Frame> frames = new ArrayList<>();
        List<int[]> interfaces = new ArrayList<>();   // {link type, snaplen} per interface of the section
        int pos = 0;
        while (pos < b.limit()) {
            if (b.limit() - pos < 12) {
                throw new ConfigException(file + ": block at byte " + pos + " is cut short");
            }
            int type = b.getInt(pos);
            if (type == 0x0A0D0D0A) {
                int bom = b.order(ByteOrder.LITTLE_ENDIAN).getInt(pos + 8);
                if (bom == 0x4D3C2B1A) {
                    b.order(ByteOrder.BIG_ENDIAN);
                } else if (bom != 0x1A2B3C4D) {
                    throw new ConfigException(file + ": section header at byte " + pos + " has no byte-order magic");
                }
                interfaces.clear();
            }
            int len = b.getInt(pos + 4);
            if (len < 12 || len % 4 != 0 || len > b.limit() - pos) {
                throw new ConfigException(file + ": block at byte " + pos + " has length " + Integer.toUnsignedString(len)
                        + " (" + (b.limit() - pos) + " bytes left)");
            }
            int body = pos + 8;
            switch (type) {
                case 1 -> interfaces.add(new int[] {b.getShort(body) & 0xffff, b.getInt(body + 4)});
                case 6 -> {
                    int iface = b.getInt(body);
                    if (iface < 0 || iface >= interfaces.size()) {
                        throw new ConfigException(file + ": packet block at byte " + pos + " names interface " + iface
                                + ", which the section does not describe");
                    }
                    int cap = b.getInt(body + 12);
                    int orig = b.getInt(body + 16);
                    if (cap < 0 || cap > len - 32) {
                        throw new ConfigException(file + ": packet block at byte " + pos + " claims " + cap + " bytes");
                    }
                    byte[] data = new byte[cap];
                    b.get(body + 20, data);
                    frames.add(new Frame(interfaces.get(iface)[0], data, Math.max(orig, cap)));
                }
                case 3 -> {
                    if (interfaces.isEmpty()) {
                        throw new ConfigException(file + ": simple packet block at byte " + pos + " before any interface");
                    }
                    int orig = b.getInt(body);
                    int snap = interfaces.get(0)[1];
                    int cap = Math.min(orig, Math.min(len - 16, snap == 0 ? Integer.MAX_VALUE : snap));
                    byte[] data = new byte[cap];
                    b.get(body + 4, data);
                    frames.add(new Frame(interfaces.get(0)[0], data, orig));
                }
                default -> {
                    // section header, statistics, name resolution, custom blocks: nothing to send
                }
            }
            pos += len;
        }
        return new Capture("pcapng", frames);
    }
}
