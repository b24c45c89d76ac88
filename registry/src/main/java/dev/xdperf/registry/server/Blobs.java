package dev.xdperf.registry.server;

import dev.xdperf.registry.Digests;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Artifacts on disk, named by their sha256: DATA/blobs/ab/abcd... A blob is written to
 * DATA/tmp, forced to disk and renamed into place, so a crash leaves either nothing or the
 * whole file; a stray temporary file is removed at the next start.
 */
final class Blobs {
    private final Path root;
    private final Path tmp;

    Blobs(Path data) throws IOException {
        this.root = data.resolve("blobs");
        this.tmp = data.resolve("tmp");
        Files.createDirectories(root);
        Files.createDirectories(tmp);
        try (var stale = Files.list(tmp)) {
            for (Path p : (Iterable<Path>) stale::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    Path path(String sha256) {
        if (!Digests.isSha256Hex(sha256)) {
            throw new IllegalArgumentException("'" + sha256 + "' is not a sha256 digest");
        }
        return root.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    /** Stores {@code data} under its digest (already computed by the caller) and returns once it is durable. */
    void put(String sha256, byte[] data) throws IOException {
        Path target = path(sha256);
        if (Files.isRegularFile(target) && Files.size(target) == data.length
                && Digests.sha256Hex(Files.readAllBytes(target)).equals(sha256)) {
            return;
        }
        Files.createDirectories(target.getParent());
        Path t = Files.createTempFile(tmp, sha256.substring(0, 8), ".part");
        try {
            try (FileChannel ch = FileChannel.open(t, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            try {
                Files.move(t, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
                Files.move(t, target, StandardCopyOption.REPLACE_EXISTING);
            }
            forceDirectory(target.getParent());
        } finally {
            Files.deleteIfExists(t);
        }
    }

    /** The blob's bytes, or null when there is none; throws when the bytes no longer match their name. */
    byte[] get(String sha256) throws IOException {
        Path p = path(sha256);
        if (!Files.isRegularFile(p)) {
            return null;
        }
        byte[] data = Files.readAllBytes(p);
        String actual = Digests.sha256Hex(data);
        if (!actual.equals(sha256)) {
            throw new CorruptBlobException("stored artifact sha256:" + sha256 + " is corrupt on disk (its bytes hash to " + actual + ")");
        }
        return data;
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not every file system lets a directory be opened; the rename is still atomic
        }
    }

    static final class CorruptBlobException extends IOException {
        CorruptBlobException(String message) {
            super(message);
        }
    }
}
