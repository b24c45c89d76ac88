package dev.xdperf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The class archive's training run really reaches what it claims to train: both bundled plugins' frames, from a filled cache. */
class CdsTrainingTest {
    @Test
    void trainsBothBundledPluginsFromTheCompiledCache(@TempDir Path tmp) throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("train"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        String before = System.getProperty("xdperf.cache.dir");
        try {
            assertEquals(0, CdsTraining.train(dir, true), "the warm-up step");
            long cached;
            try (Stream<Path> s = Files.list(dir.resolve("aot"))) {
                cached = s.filter(p -> p.toString().endsWith(".aot")).count();
            }
            assertTrue(cached >= 1, "the warm-up left no compiled plugin in " + dir.resolve("aot"));
            Files.delete(dir.resolve("tcp.pcap"));
            assertEquals(0, CdsTraining.train(dir, false), "the archived step");
            for (String plugin : new String[] {"tcp", "quic"}) {
                Path pcap = dir.resolve(plugin + ".pcap");
                // 24-byte pcap header and 64 frames of at least 16 + 42 bytes each
                assertTrue(Files.size(pcap) > 24 + 64 * 58, plugin + ": " + Files.size(pcap) + " bytes in " + pcap);
            }
        } finally {
            if (before == null) {
                System.clearProperty("xdperf.cache.dir");
            } else {
                System.setProperty("xdperf.cache.dir", before);
            }
        }
    }
}
