package dev.xdperf.packet;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes Ethernet frames to a classic pcap file (microsecond timestamps), as Wireshark reads it. */
public final class PcapWriter implements AutoCloseable {
    private final OutputStream out;
    private final ByteBuffer header = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);

    public PcapWriter(Path file) throws IOException {
        out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        ByteBuffer g = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        g.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        out.write(g.array());
    }

    public void write(byte[] frame, long timeNs) throws IOException {
        header.clear();
        header.putInt((int) (timeNs / 1_000_000_000L)).putInt((int) (timeNs % 1_000_000_000L / 1000))
                .putInt(frame.length).putInt(frame.length);
        out.write(header.array());
        out.write(frame);
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
