package dev.xdperf.plugin;

import com.dylibso.chicory.compiler.internal.Compiler;
import com.dylibso.chicory.compiler.internal.CompilerResult;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * WebAssembly modules compiled to JVM bytecode by Chicory's compiler, kept per module digest:
 * in memory for the life of the process, and on disk so that the next process starts
 * without compiling. A cache file holds the generated classes and a SHA-256 of its own
 * contents; a file that is truncated, altered or from another compiler is ignored, the
 * module compiled again and the file replaced. Loading a file means running its bytecode, so
 * the directory must belong to this user and admit nobody else (mode 0700, created so);
 * otherwise the disk is not used. A disk that is full or read-only only costs the speed-up.
 *
 * <p>Where: {@code $XDPERF_CACHE_DIR/aot}, else {@code $XDG_CACHE_HOME/xdperf/aot}, else
 * {@code $HOME/.cache/xdperf/aot} (the HOME variable, not the passwd entry); the system property {@code xdperf.cache.dir} overrides all,
 * and {@code XDPERF_AOT_CACHE=off} keeps it in memory only.
 */
public final class AotCache {
    /** The file format and the compiler that wrote the classes: an entry from another is not used. */
    static final String FORMAT = "xdperf-aot 1 chicory-compiler " + compilerVersion();
    private static final String KERNEL_RESOURCE = "extism-runtime.wasm";
    private static final Map<String, Function<Instance, Machine>> MEMORY = new ConcurrentHashMap<>();
    private static volatile Function<Instance, Machine> kernel;

    /** Where a {@link #machines} call got its machines from. */
    public enum Source { MEMORY, DISK, COMPILED }

    private static volatile Source last;

    private AotCache() {
    }

    /** The machines of a module whose bytes have SHA-256 {@code digest}. */
    public static Function<Instance, Machine> machines(String digest, WasmModule module) {
        Function<Instance, Machine> m = MEMORY.get(digest);
        if (m != null) {
            last = Source.MEMORY;
            return m;
        }
        Found found = find(digest, module);
        last = found.source();
        return found.machines();
    }

    private record Found(Function<Instance, Machine> machines, Source source) {}

    private static Found find(String digest, WasmModule module) {
        Path dir = directory();
        Function<Instance, Machine> m = dir == null ? null : read(dir.resolve(digest + ".aot"));
        Source source = Source.DISK;
        if (m == null) {
            CompilerResult compiled = Compiler.builder(module).build().compile();
            m = compiled.machineFactory();
            if (dir != null) {
                write(dir.resolve(digest + ".aot"), compiled.classBytes());
            }
            source = Source.COMPILED;
        }
        MEMORY.put(digest, m);
        return new Found(m, source);
    }

    /** Where the last {@link #machines} call (of any thread) found its machines. */
    public static Source lastSource() {
        return last;
    }

    /** The machines of the Extism kernel module that every plugin links with (the SDK's own). */
    public static Function<Instance, Machine> kernel() {
        Function<Instance, Machine> k = kernel;
        if (k == null) {
            synchronized (AotCache.class) {
                if (kernel == null) {
                    byte[] wasm;
                    try (InputStream in = org.extism.sdk.chicory.Plugin.class.getClassLoader().getResourceAsStream(KERNEL_RESOURCE)) {
                        if (in == null) {
                            throw new IllegalStateException("the Extism SDK lacks its kernel module " + KERNEL_RESOURCE);
                        }
                        wasm = in.readAllBytes();
                    } catch (IOException e) {
                        throw new IllegalStateException("cannot read the Extism kernel module: " + e.getMessage(), e);
                    }
                    kernel = find(sha256(wasm), Parser.parse(wasm)).machines();
                }
                k = kernel;
            }
        }
        return k;
    }

    /** Forgets what is in memory, as a new process would (tests and benchmarks: the next load comes from disk). */
    public static void clearMemory() {
        MEMORY.clear();
        synchronized (AotCache.class) {
            kernel = null;
        }
    }

    /** The cache directory, created 0700 if missing; null when off or not safe to load code from. */
    static Path directory() {
        if ("off".equalsIgnoreCase(System.getenv("XDPERF_AOT_CACHE"))) {
            return null;
        }
        Path base;
        String prop = System.getProperty("xdperf.cache.dir");
        String env = System.getenv("XDPERF_CACHE_DIR");
        if (prop != null && !prop.isBlank()) {
            base = Path.of(prop);
        } else if (env != null && !env.isBlank()) {
            base = Path.of(env);
        } else {
            base = dev.xdperf.XdgDirs.cache();   // $XDG_CACHE_HOME/xdperf, else $HOME/.cache/xdperf
        }
        Path dir = base.resolve("aot");
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(base);
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Set<PosixFilePermission> p = a.permissions();
            boolean mine = a.owner().getName().equals(System.getProperty("user.name"));
            boolean shared = p.contains(PosixFilePermission.GROUP_WRITE) || p.contains(PosixFilePermission.OTHERS_WRITE);
            return a.isDirectory() && mine && !shared ? dir : null;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    /** The machines in a cache file, or null when it is missing or not exactly what {@link #write} wrote. */
    static Function<Instance, Machine> read(Path file) {
        byte[] all;
        try {
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
                return null;
            }
            all = Files.readAllBytes(file);
        } catch (IOException e) {
            return null;
        }
        if (all.length < 32) {
            return null;
        }
        byte[] body = Arrays.copyOf(all, all.length - 32);
        if (!MessageDigest.isEqual(sha256Bytes(body), Arrays.copyOfRange(all, all.length - 32, all.length))) {
            return null;
        }
        Map<String, byte[]> classes = new LinkedHashMap<>();
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(body))) {
            if (!FORMAT.equals(in.readUTF())) {
                return null;
            }
            int n = in.readInt();
            if (n < 1 || n > 100_000) {
                return null;
            }
            for (int i = 0; i < n; i++) {
                String name = in.readUTF();
                byte[] b = new byte[in.readInt()];
                in.readFully(b);
                classes.put(name, b);
            }
            if (in.available() != 0) {
                return null;
            }
        } catch (IOException | RuntimeException | OutOfMemoryError e) {
            return null;
        }
        try {
            return define(classes);
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }

    /** Writes the classes atomically (temporary file, then rename); failures only lose the cache entry. */
    static void write(Path file, Map<String, byte[]> classes) {
        Path tmp = null;
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeUTF(FORMAT);
                out.writeInt(classes.size());
                for (var e : classes.entrySet()) {
                    out.writeUTF(e.getKey());
                    out.writeInt(e.getValue().length);
                    out.write(e.getValue());
                }
            }
            byte[] body = bytes.toByteArray();
            tmp = Files.createTempFile(file.getParent(), ".aot-", ".tmp");
            Files.write(tmp, ByteBuffer.allocate(body.length + 32).put(body).put(sha256Bytes(body)).array());
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException | RuntimeException e) {
            // full disk, read-only file system, a name in the way: the module stays compiled in memory
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // nothing more to lose
                }
            }
        }
    }

    /**
     * Defines the classes in a loader of their own and returns a factory of the main class's
     * machines: what Chicory's compiler does with the classes it has just generated.
     */
    private static Function<Instance, Machine> define(Map<String, byte[]> classes) throws ReflectiveOperationException {
        String mainName = classes.keySet().iterator().next();
        ClassLoader loader = new ClassLoader(Compiler.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                byte[] b = classes.get(name.replace('.', '/'));
                if (b == null) {
                    b = classes.get(name);
                }
                if (b == null) {
                    throw new ClassNotFoundException(name);
                }
                return defineClass(null, b, 0, b.length);
            }
        };
        Class<? extends Machine> main = loader.loadClass(mainName.replace('/', '.')).asSubclass(Machine.class);
        MethodHandle ctor = MethodHandles.publicLookup().findConstructor(main, MethodType.methodType(void.class, Instance.class));
        return instance -> {
            try {
                return (Machine) ctor.invoke(instance);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        };
    }

    /** Chicory's compiler version as Maven packed it, or the compiler class's own digest when that is missing. */
    private static String compilerVersion() {
        try (InputStream in = Compiler.class.getResourceAsStream("/META-INF/maven/com.dylibso.chicory/compiler/pom.properties")) {
            if (in != null) {
                java.util.Properties p = new java.util.Properties();
                p.load(in);
                String v = p.getProperty("version");
                if (v != null && !v.isBlank()) {
                    return v.strip();
                }
            }
            try (InputStream cls = Compiler.class.getResourceAsStream("Compiler.class")) {
                return cls == null ? "unknown" : "class-" + sha256(cls.readAllBytes()).substring(0, 16);
            }
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String sha256(byte[] data) {
        return java.util.HexFormat.of().formatHex(sha256Bytes(data));
    }

    private static byte[] sha256Bytes(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
