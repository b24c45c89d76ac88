package dev.xdperf.plugin;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.abi.AbiCodec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compiled form of WASM plugins on disk: reused by the next process, and never trusted blindly. */
class AotCacheTest {
    @TempDir
    Path base;
    String saved;

    @BeforeEach
    void useTemporaryCache() {
        saved = System.getProperty("xdperf.cache.dir");
        System.setProperty("xdperf.cache.dir", base.toString());
        AotCache.clearMemory();
    }

    @AfterEach
    void restore() {
        if (saved == null) {
            System.clearProperty("xdperf.cache.dir");
        } else {
            System.setProperty("xdperf.cache.dir", saved);
        }
        AotCache.clearMemory();
    }

    /** Loads the good test plugin and returns what it generates, encoded. */
    static byte[] loadAndGenerate() throws Exception {
        try (WasmPlugin p = WasmPlugin.load("good", WasmPluginTest.wasm("good"), PluginLimits.DEFAULT)) {
            return AbiCodec.encode(p.generate(WasmPluginTest.request(p.describe().resolveOptions(Map.of("templates", "3")))));
        }
    }

    Path entry() throws Exception {
        return base.resolve("aot").resolve(AotCache.sha256(WasmPluginTest.wasm("good")) + ".aot");
    }

    @Test
    void aCompiledPluginIsLoadedFromDiskByTheNextProcessAndBehavesTheSame() throws Exception {
        byte[] compiled = loadAndGenerate();
        assertEquals(AotCache.Source.COMPILED, AotCache.lastSource());
        assertTrue(Files.isRegularFile(entry()), "cache entry written");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(entry())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(base.resolve("aot"))));

        loadAndGenerate();
        assertEquals(AotCache.Source.MEMORY, AotCache.lastSource(), "same process: from memory");

        AotCache.clearMemory();   // as a new process
        byte[] fromDisk = loadAndGenerate();
        assertEquals(AotCache.Source.DISK, AotCache.lastSource());
        assertArrayEquals(compiled, fromDisk, "the machines from disk generate the same templates");
    }

    @Test
    void aDamagedEntryIsIgnoredAndReplaced() throws Exception {
        byte[] expected = loadAndGenerate();
        byte[] file = Files.readAllBytes(entry());
        for (int flip : List.of(file.length / 2, 3, file.length - 1)) {
            byte[] bad = file.clone();
            bad[flip] ^= 0x20;
            Files.write(entry(), bad);
            assertNull(AotCache.read(entry()), "a flipped byte at " + flip + " is caught");
            AotCache.clearMemory();
            assertArrayEquals(expected, loadAndGenerate());
            assertEquals(AotCache.Source.COMPILED, AotCache.lastSource(), "compiled again after damage at " + flip);
            assertArrayEquals(file, Files.readAllBytes(entry()), "and the entry rewritten");
        }
        Files.write(entry(), java.util.Arrays.copyOf(file, file.length / 3));   // truncated, as by a full disk
        AotCache.clearMemory();
        assertArrayEquals(expected, loadAndGenerate());
        assertEquals(AotCache.Source.COMPILED, AotCache.lastSource());
    }

    @Test
    void anEntryFromAnotherCompilerIsNotUsed() throws Exception {
        loadAndGenerate();
        byte[] file = Files.readAllBytes(entry());
        byte[] body = java.util.Arrays.copyOf(file, file.length - 32);
        int formatLength = 2 + (((body[0] & 0xff) << 8) | (body[1] & 0xff));
        var other = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.DataOutputStream(other)) {
            out.writeUTF("xdperf-aot 1 chicory-compiler 0.0.1");   // checksummed, but not ours
            out.write(body, formatLength, body.length - formatLength);
        }
        byte[] rest = other.toByteArray();
        byte[] sum = java.security.MessageDigest.getInstance("SHA-256").digest(rest);
        Files.write(entry(), java.nio.ByteBuffer.allocate(rest.length + 32).put(rest).put(sum).array());
        assertNull(AotCache.read(entry()));
        assertTrue(AotCache.FORMAT.startsWith("xdperf-aot 1 chicory-compiler 1."), AotCache.FORMAT);
    }

    @Test
    void aDirectoryOthersCanWriteIsNotUsed() throws Exception {
        Path dir = Files.createDirectory(base.resolve("aot"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        assertNull(AotCache.directory());
        loadAndGenerate();
        assertEquals(AotCache.Source.COMPILED, AotCache.lastSource());
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "nothing written to a shared directory");
        }
    }

    @Test
    void noUsableDirectoryOnlyCostsTheSpeedUp() throws Exception {
        Files.writeString(base.resolve("aot"), "a file where the directory should be");
        assertNull(AotCache.directory());
        byte[] first = loadAndGenerate();
        AotCache.clearMemory();
        assertArrayEquals(first, loadAndGenerate());
        assertEquals(AotCache.Source.COMPILED, AotCache.lastSource());
        assertFalse(Files.isDirectory(base.resolve("aot")));
    }
}
