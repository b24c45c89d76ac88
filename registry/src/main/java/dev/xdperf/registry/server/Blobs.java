package dev.xdperf.registry.server;

import dev.xdperf.registry.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Artifacts on disk, named by their sha256: DATA/blobs/ab/abcd... An upload is streamed into
 * DATA/tmp (hashed and counted as it is written, forced to disk), and renamed into place only
 * inside the transaction that inserts its version ({@link Store#insertVersion(Store.VersionRow,
 * Store.BlobPlacement)}), so a crash leaves either nothing or the whole file, and a refused or
 * lost publish leaves no file behind; a stray temporary file is removed at the next start.
 */
public final class Blobs {
    private final Path root;
    private final Path tmp;
    /** What each blob looked like (size, mtime, inode) when its bytes last hashed to its name. */
    private final Map<String, Stamp> verified = new ConcurrentHashMap<>();

    private record Stamp(long size, FileTime modified, Object fileKey) {}

    Blobs(Path data) throws IOException {
        this(data, true);
    }

    private Blobs(Path data, boolean cleanTmp) throws IOException {
        this.root = data.resolve("blobs");
        this.tmp = data.resolve("tmp");
        Files.createDirectories(root);
        Files.createDirectories(tmp);
        if (cleanTmp) {
            try (var stale = Files.list(tmp)) {
                for (Path p : (Iterable<Path>) stale::iterator) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    Path path(String sha256) {
        if (!Digests.isSha256Hex(sha256)) {
            throw new IllegalArgumentException("'" + sha256 + "' is not a sha256 digest");
        }
        return root.resolve(sha256.substring(0, 2)).resolve(sha256);
    }

    /** An upload being written to DATA/tmp: its bytes are hashed and counted on the way to disk. */
    final class Staged implements AutoCloseable {
        final Path file;
        private final FileChannel channel;
        private final MessageDigest digest = Digests.sha256();
        private long size;
        private String sha256;

        Staged() throws IOException {
            this.file = Files.createTempFile(tmp, "upload", ".part");
            this.channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        }

        void write(byte[] b, int off, int len) throws IOException {
            digest.update(b, off, len);
            ByteBuffer buf = ByteBuffer.wrap(b, off, len);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            size += len;
        }

        long size() {
            return size;
        }

        /** Forces the file to disk and returns its sha256. */
        String finish() throws IOException {
            if (sha256 == null) {
                channel.force(true);
                channel.close();
                sha256 = HexFormat.of().formatHex(digest.digest());
            }
            return sha256;
        }

        /** Puts the finished file in place as its digest's blob, for {@link Store#insertVersion}. */
        Store.BlobPlacement placement() {
            return new Store.BlobPlacement() {
                @Override
                public boolean place() throws IOException {
                    return Blobs.this.place(file, finish());
                }

                @Override
                public void remove() {
                    Blobs.this.remove(sha256);
                }
            };
        }

        /** Removes the temporary file if it is still there. */
        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // closing what is discarded anyway
            }
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // removed at the next start
            }
        }
    }

    Staged stage() throws IOException {
        return new Staged();
    }

    /**
     * Moves a finished temporary file into place as the blob {@code sha256}; true when that blob
     * did not exist before (so undoing the publish removes it). A whole blob that is already
     * there (the same bytes published as another version) is kept.
     */
    boolean place(Path temp, String sha256) throws IOException {
        Path target = path(sha256);
        boolean existed = Files.isRegularFile(target);
        if (existed && sha256OfFile(target).equals(sha256)) {
            Files.deleteIfExists(temp);
            return false;
        }
        Files.createDirectories(target.getParent());
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        forceDirectory(target.getParent());
        verified.remove(sha256);
        return !existed;
    }

    void remove(String sha256) {
        try {
            Files.deleteIfExists(path(sha256));
            verified.remove(sha256);
        } catch (IOException e) {
            // an unreferenced file is what `registry admin gc` removes
        }
    }

    /** Stores {@code data} under its digest through a temporary file (the seed releases, which are in memory anyway). */
    Staged stage(byte[] data) throws IOException {
        Staged s = new Staged();
        try {
            s.write(data, 0, data.length);
            s.finish();
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * The blob's path once its bytes are known to hash to its name and its size is the one
     * recorded at publish. The hash is computed streaming (no file is held in memory), and only
     * again when the file changed (size, modification time or inode) since it last checked.
     */
    Path verified(String sha256, long size) throws IOException {
        Path p = path(sha256);
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(p, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new CorruptBlobException("stored artifact sha256:" + sha256 + " is missing on disk");
        }
        if (!a.isRegularFile()) {
            throw new CorruptBlobException("stored artifact sha256:" + sha256 + " is not a file on disk");
        }
        if (a.size() != size) {
            throw new CorruptBlobException("stored artifact sha256:" + sha256 + " is corrupt on disk (" + a.size()
                    + " bytes; it was " + size + " when published)");
        }
        Stamp stamp = new Stamp(a.size(), a.lastModifiedTime(), a.fileKey());
        if (stamp.fileKey() != null && stamp.equals(verified.get(sha256))) {
            return p;
        }
        String actual = sha256OfFile(p);
        if (!actual.equals(sha256)) {
            verified.remove(sha256);
            throw new CorruptBlobException("stored artifact sha256:" + sha256 + " is corrupt on disk (its bytes hash to " + actual + ")");
        }
        verified.put(sha256, stamp);
        return p;
    }

    static String sha256OfFile(Path p) throws IOException {
        MessageDigest d = Digests.sha256();
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(p)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    /** Writes the blob to {@code out}, streaming. */
    void copy(Path blob, OutputStream out) throws IOException {
        try (InputStream in = Files.newInputStream(blob)) {
            in.transferTo(out);
        }
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

    /** A file under blobs/ that no version refers to (its path under the data directory): removed by {@link #collectGarbage}. */
    public record Unreferenced(String file, long bytes) {}

    /**
     * Removes every file under DATA/blobs that no version refers to (left by an older registry
     * after a lost publish race, a crash between placing a file and committing its row, or a
     * file put there by hand), and returns them. It holds SQLite's write lock meanwhile, so a
     * publish in a running server waits and no file of a version being published is taken.
     */
    public static List<Unreferenced> collectGarbage(Path data, Store store, boolean dryRun) throws IOException, SQLException {
        Blobs blobs = new Blobs(data, false);
        List<Unreferenced> out = new ArrayList<>();
        IOException[] failed = {null};
        store.withReferencedDigests(refs -> {
            try (var files = Files.walk(blobs.root)) {
                for (Path p : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                    String name = p.getFileName().toString();
                    if (Digests.isSha256Hex(name) && refs.contains(name) && Objects.equals(p, blobs.path(name))) {
                        continue;
                    }
                    long size = Files.size(p);
                    if (!dryRun) {
                        Files.delete(p);
                        blobs.verified.remove(name);
                    }
                    out.add(new Unreferenced(blobs.root.getParent().relativize(p).toString(), size));
                }
            } catch (IOException e) {
                failed[0] = e;
            }
            return null;
        });
        if (failed[0] != null) {
            throw failed[0];
        }
        return out;
    }
}
