package dev.xdperf.analyze.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PcapReaderReadAllTest {
    @TempDir
    Path dir;

    /** A classic little-endian Ethernet pcap whose frames are 60 bytes, each filled with one of {@code marks}. */
    private Path pcap(String name, int... marks) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(24 + marks.length * (16 + 60)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(1);
        for (int i = 0; i < marks.length; i++) {
            b.putInt(i).putInt(0).putInt(60).putInt(60);
            for (int k = 0; k < 60; k++) {
                b.put((byte) marks[i]);
            }
        }
        Path p = dir.resolve(name);
        Files.write(p, b.array());
        return p;
    }

    private static List<Integer> marks(List<byte[]> frames) {
        return frames.stream().map(f -> (int) f[0]).toList();
    }

    @Test
    void filesOneAfterTheOtherOrInTurnUpToTheLimit() throws IOException {
        List<Path> files = List.of(pcap("a.pcap", 1, 2, 3), pcap("b.pcap", 7, 8));
        assertEquals(List.of(1, 2, 3, 7, 8), marks(PcapReader.readAll(files, false, -1)));
        assertEquals(List.of(1, 2, 3, 7), marks(PcapReader.readAll(files, false, 4)));
        assertEquals(List.of(1, 7, 2, 8, 3), marks(PcapReader.readAll(files, true, -1)));
        assertEquals(List.of(1, 7, 2), marks(PcapReader.readAll(files, true, 3)));
    }
}
