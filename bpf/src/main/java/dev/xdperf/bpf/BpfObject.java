package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.LibBpf;
import dev.xdperf.bpf.internal.Native;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * An ELF object opened and loaded into the kernel. Owns every program and map fd; closing
 * it releases them (links attached from its programs hold their own references).
 */
public final class BpfObject implements AutoCloseable {
    private static final int LOG_SIZE = 1 << 20;

    private final String name;
    private Pointer obj;
    private final Map<String, BpfProgram> programs = new HashMap<>();
    private final Map<String, BpfMap> maps = new HashMap<>();

    private BpfObject(String name, Pointer obj) {
        this.name = name;
        this.obj = obj;
    }

    /** Opens and loads one of the objects packed into this jar: "tx", "rx", "features", "verdict" or "probe". */
    public static BpfObject loadBundled(String name, List<String> programNames) {
        return load(name, bundled(name), programNames);
    }

    /** Opens one of the objects packed into this jar without loading it (to size maps first). */
    public static Opened openBundled(String name) {
        return open(name, bundled(name));
    }

    /** The ELF bytes of an object packed into this jar. */
    static byte[] bundled(String name) {
        String resource = "/bpf/" + name + ".bpf.o";
        try (InputStream in = BpfObject.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new BpfException("open " + resource + ": not in the jar (was the bpf module built?)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new BpfException("read " + resource + ": " + e.getMessage());
        }
    }

    /** Opens an object from its ELF bytes and loads it; verifier logs land in the error. */
    public static BpfObject load(String name, byte[] elf, List<String> programNames) {
        return open(name, elf).loadOnly(programNames);
    }

    /** A program of an opened object, before load: its function name, ELF section and type. */
    public record ProgramSpec(String name, String section, int type) {}

    /**
     * Parses an object without loading it, so that its programs can be inspected and adjusted
     * (autoload, attach target) first. Fails with one sentence when the bytes are not a BPF ELF object.
     */
    public static Opened open(String name, byte[] elf) {
        return open(name, elf, null);
    }

    /** struct bpf_object_open_opts (libbpf 1.1): sz, object_name, relaxed_maps, pin_root_path, ...; 80 bytes. */
    private static final int OPEN_OPTS_SIZE = 80;
    private static final int OPEN_OPTS_PIN_ROOT_PATH = 24;

    /**
     * As {@link #open(String, byte[])}, with maps pinned by name ({@code LIBBPF_PIN_BY_NAME}) pinned
     * under {@code pinRoot} instead of /sys/fs/bpf (null: libbpf's default). {@code pinRoot} must be
     * on a BPF filesystem by the time the object is loaded.
     */
    public static Opened open(String name, byte[] elf, java.nio.file.Path pinRoot) {
        LibBpf bpf = Native.bpf();
        Pointer buf = Memory.allocateDirect(Native.runtime(), Math.max(1, elf.length));
        buf.put(0, elf, 0, elf.length);
        Pointer opts = null;
        Pointer root = null;
        if (pinRoot != null) {
            byte[] path = (pinRoot.toString() + "\0").getBytes(StandardCharsets.UTF_8);
            root = Memory.allocateDirect(Native.runtime(), path.length);
            root.put(0, path, 0, path.length);
            opts = Memory.allocateDirect(Native.runtime(), OPEN_OPTS_SIZE);
            for (int i = 0; i < OPEN_OPTS_SIZE; i += 8) {
                opts.putLong(i, 0);
            }
            opts.putLong(0, OPEN_OPTS_SIZE);
            opts.putAddress(OPEN_OPTS_PIN_ROOT_PATH, root.address());
        }
        Pointer obj = bpf.bpf_object__open_mem(buf, elf.length, opts);   // libbpf copies the pin root path
        java.lang.ref.Reference.reachabilityFence(root);
        if (obj == null) {
            int e = Native.lastErrno();
            if (e >= 4000 || e == 22 || e == 8) {
                throw new BpfException("open object " + name + ": not a BPF object file (" + libbpfError(e)
                        + "; build it with clang -target bpf -g -O2)", e);
            }
            throw BpfException.fromErrno("open object " + name, e);
        }
        return new Opened(name, buf, obj);
    }

    /** An object opened but not loaded yet. Closing it without loading releases it. */
    public static final class Opened implements AutoCloseable {
        private final String name;
        private final Pointer buf;
        private Pointer obj;
        private final Map<String, Pointer> progs = new java.util.LinkedHashMap<>();

        private Opened(String name, Pointer buf, Pointer obj) {
            this.name = name;
            this.buf = buf;
            this.obj = obj;
            LibBpf bpf = Native.bpf();
            for (Pointer p = bpf.bpf_object__next_program(obj, null); p != null; p = bpf.bpf_object__next_program(obj, p)) {
                progs.put(bpf.bpf_program__name(p), p);
            }
        }

        public String name() {
            return name;
        }

        /** Every program in the object, in ELF order. */
        public List<ProgramSpec> programs() {
            LibBpf bpf = Native.bpf();
            List<ProgramSpec> out = new ArrayList<>();
            progs.forEach((n, p) -> out.add(new ProgramSpec(n, bpf.bpf_program__section_name(p), bpf.bpf_program__type(p))));
            return out;
        }

        /** The program named {@code programName}, or null. */
        public ProgramSpec spec(String programName) {
            return programs().stream().filter(p -> p.name().equals(programName)).findFirst().orElse(null);
        }

        /** Before load: the program's type, for section names libbpf does not type by itself (legacy "xdp_*"). */
        public Opened setType(String programName, int type) {
            int err = Native.bpf().bpf_program__set_type(prog(programName), type);
            if (err != 0) {
                throw BpfException.fromErrno("set the type of " + programName, err);
            }
            return this;
        }

        /** The files that maps will be pinned at on load, by map name (maps without pinning are absent). */
        public Map<String, String> pinPaths() {
            requireOpen();
            LibBpf bpf = Native.bpf();
            Map<String, String> out = new java.util.LinkedHashMap<>();
            for (Pointer m = bpf.bpf_object__next_map(obj, null); m != null; m = bpf.bpf_object__next_map(obj, m)) {
                String path = bpf.bpf_map__pin_path(m);
                if (path != null) {
                    out.put(bpf.bpf_map__name(m), path);
                }
            }
            return out;
        }

        public Opened setAutoload(String programName, boolean autoload) {
            Native.bpf().bpf_program__set_autoload(prog(programName), autoload);
            return this;
        }

        /** For a tracing program: the loaded program (by fd) and its BTF function to attach to. */
        public Opened setAttachTarget(String programName, int targetFd, String function) {
            int err = Native.bpf().bpf_program__set_attach_target(prog(programName), targetFd, function);
            if (err != 0) {
                throw BpfException.fromErrno("set the attach target of " + programName + " to " + function, err);
            }
            return this;
        }

        /**
         * Before load: the contents of the object's read-only data (its {@code const volatile}
         * globals, libbpf's ".rodata" map), exactly as large as the section. The kernel freezes
         * them, and the verifier reads them as constants.
         */
        public Opened setReadOnlyData(java.nio.ByteBuffer data) {
            requireOpen();
            LibBpf bpf = Native.bpf();
            Pointer m = null;
            for (Pointer p = bpf.bpf_object__next_map(obj, null); p != null; p = bpf.bpf_object__next_map(obj, p)) {
                if (bpf.bpf_map__name(p).endsWith(".rodata")) {
                    m = p;
                }
            }
            if (m == null) {
                throw new BpfException("set the read-only data of " + name + ": the object has none");
            }
            int size = bpf.bpf_map__value_size(m);
            if (size != data.remaining()) {
                throw new BpfException("set the read-only data of " + name + ": " + data.remaining()
                        + " bytes given, the section holds " + size + " (is the object from this build?)");
            }
            byte[] bytes = new byte[size];
            data.duplicate().get(bytes);
            Pointer copy = Memory.allocateDirect(Native.runtime(), size);
            copy.put(0, bytes, 0, size);
            int err = bpf.bpf_map__set_initial_value(m, copy, size);
            if (err != 0) {
                throw BpfException.fromErrno("set the read-only data of " + name, Math.abs(err));
            }
            return this;
        }

        /**
         * Loads only {@code programNames} (the verifier takes ~0.1 s over xdp_tx, which a probe
         * that needs only xdp_pass should not pay); fails in one sentence if one is missing.
         */
        public BpfObject loadOnly(List<String> programNames) {
            for (String p : programNames) {
                if (spec(p) == null) {
                    close();
                    throw new BpfException("open object " + name + ": no program " + p);
                }
            }
            for (String p : progs.keySet()) {
                if (!programNames.contains(p)) {
                    setAutoload(p, false);
                }
            }
            return load();
        }

        /** Sizes a map before load (a hash's capacity, an array's length). */
        public Opened setMaxEntries(String mapName, int maxEntries) {
            requireOpen();
            Pointer m = Native.bpf().bpf_object__find_map_by_name(obj, mapName);
            if (m == null) {
                throw new BpfException("find map " + mapName + " in " + name + ": no such map");
            }
            int err = Native.bpf().bpf_map__set_max_entries(m, maxEntries);
            if (err != 0) {
                throw BpfException.fromErrno("size map " + mapName + " to " + maxEntries + " entries", err);
            }
            return this;
        }

        private Pointer prog(String programName) {
            requireOpen();
            Pointer p = progs.get(programName);
            if (p == null) {
                throw new BpfException("find program " + programName + " in " + name + ": no such program");
            }
            return p;
        }

        private void requireOpen() {
            if (obj == null) {
                throw new IllegalStateException("object " + name + " is closed or loaded");
            }
        }

        /**
         * Loads every program left to autoload and creates the maps. On a verifier rejection the
         * error's first line says which program and why, and the tail of the verifier's log follows.
         */
        public BpfObject load() {
            requireOpen();
            LibBpf bpf = Native.bpf();
            Map<String, Pointer> logs = new java.util.LinkedHashMap<>();
            for (Map.Entry<String, Pointer> e : progs.entrySet()) {
                Pointer log = Memory.allocateDirect(Native.runtime(), LOG_SIZE);
                log.putByte(0, (byte) 0);
                bpf.bpf_program__set_log_buf(e.getValue(), log, LOG_SIZE);
                logs.put(e.getKey(), log);
            }
            int err = bpf.bpf_object__load(obj);
            java.lang.ref.Reference.reachabilityFence(buf);
            if (err != 0) {
                String failed = null;
                String verifier = "";
                for (Map.Entry<String, Pointer> e : logs.entrySet()) {
                    String text = e.getValue().getString(0, LOG_SIZE, StandardCharsets.UTF_8).strip();
                    if (!text.isEmpty()) {
                        failed = e.getKey();
                        verifier = text;
                    }
                }
                close();
                int errno = Math.abs(err);
                if (failed != null) {
                    throw new VerifierException("load program " + failed + " from " + name + ": the verifier rejected it: "
                            + VerifierException.reason(verifier) + " (its log follows)", errno, tail(verifier, 30));
                }
                if (errno >= 4000) {
                    throw new BpfException("load object " + name + ": " + libbpfError(errno), errno);
                }
                throw BpfException.fromErrno("load object " + name, errno);
            }
            BpfObject o = new BpfObject(name, obj);
            for (Map.Entry<String, Pointer> e : progs.entrySet()) {
                int fd = bpf.bpf_program__fd(e.getValue());
                if (fd >= 0) {
                    o.programs.put(e.getKey(), new BpfProgram(e.getKey(), fd));
                }
            }
            obj = null;
            return o;
        }

        @Override
        public void close() {
            if (obj != null) {
                Native.bpf().bpf_object__close(obj);
                obj = null;
            }
        }
    }

    static String libbpfError(int errno) {
        Pointer b = Memory.allocateDirect(Native.runtime(), 256);
        Native.bpf().libbpf_strerror(-Math.abs(errno), b, 256);
        String s = b.getString(0, 256, StandardCharsets.UTF_8);
        return s.isEmpty() ? "error " + errno : Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    public String name() {
        return name;
    }

    public BpfProgram program(String programName) {
        BpfProgram p = programs.get(programName);
        if (p == null) {
            throw new BpfException("find program " + programName + " in " + name + ": not loaded");
        }
        return p;
    }

    /** The names of the object's maps, in ELF order (libbpf's internal .bss/.data/.rodata included). */
    public synchronized List<String> mapNames() {
        requireOpen();
        List<String> out = new ArrayList<>();
        for (Pointer m = Native.bpf().bpf_object__next_map(obj, null); m != null; m = Native.bpf().bpf_object__next_map(obj, m)) {
            out.add(Native.bpf().bpf_map__name(m));
        }
        return out;
    }

    public synchronized BpfMap map(String mapName) {
        requireOpen();
        return maps.computeIfAbsent(mapName, n -> {
            Pointer m = Native.bpf().bpf_object__find_map_by_name(obj, n);
            if (m == null) {
                throw new BpfException("find map " + n + " in " + name + ": no such map");
            }
            return new BpfMap(n, m);
        });
    }

    private void requireOpen() {
        if (obj == null) {
            throw new IllegalStateException("object " + name + " is closed");
        }
    }

    @Override
    public synchronized void close() {
        if (obj != null) {
            Native.bpf().bpf_object__close(obj);
            obj = null;
        }
    }

    private static String tail(String text, int lines) {
        String[] all = text.split("\n");
        int from = Math.max(0, all.length - lines);
        return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length));
    }
}
