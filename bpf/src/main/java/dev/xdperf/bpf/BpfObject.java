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

    /** Opens and loads one of the objects packed into this jar: "tx" or "rx". */
    public static BpfObject loadBundled(String name, List<String> programNames) {
        String resource = "/bpf/" + name + ".bpf.o";
        byte[] elf;
        try (InputStream in = BpfObject.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new BpfException("open " + resource + ": not in the jar (was the bpf module built?)");
            }
            elf = in.readAllBytes();
        } catch (IOException e) {
            throw new BpfException("read " + resource + ": " + e.getMessage());
        }
        return load(name, elf, programNames);
    }

    /** Opens an object from its ELF bytes and loads it; verifier logs land in the error. */
    public static BpfObject load(String name, byte[] elf, List<String> programNames) {
        LibBpf bpf = Native.bpf();
        Pointer buf = Memory.allocateDirect(Native.runtime(), elf.length);
        buf.put(0, elf, 0, elf.length);
        Pointer obj = bpf.bpf_object__open_mem(buf, elf.length, null);
        if (obj == null) {
            throw BpfException.fromErrno("open object " + name, Native.lastErrno());
        }
        List<Pointer> logs = new ArrayList<>();
        for (String p : programNames) {
            Pointer prog = bpf.bpf_object__find_program_by_name(obj, p);
            if (prog == null) {
                bpf.bpf_object__close(obj);
                throw new BpfException("open object " + name + ": no program " + p);
            }
            Pointer log = Memory.allocateDirect(Native.runtime(), LOG_SIZE);
            log.putByte(0, (byte) 0);
            bpf.bpf_program__set_log_buf(prog, log, LOG_SIZE);
            logs.add(log);
        }
        int err = bpf.bpf_object__load(obj);
        java.lang.ref.Reference.reachabilityFence(buf);
        if (err != 0) {
            String verifier = "";
            for (Pointer log : logs) {
                String text = log.getString(0, LOG_SIZE, StandardCharsets.UTF_8).strip();
                if (!text.isEmpty()) {
                    verifier = "\n" + tail(text, 30);
                }
            }
            bpf.bpf_object__close(obj);
            BpfException e = BpfException.fromErrno("load object " + name, err);
            throw new BpfException(e.getMessage() + verifier, e.errno());
        }
        BpfObject o = new BpfObject(name, obj);
        for (String p : programNames) {
            Pointer prog = bpf.bpf_object__find_program_by_name(obj, p);
            o.programs.put(p, new BpfProgram(p, bpf.bpf_program__fd(prog)));
        }
        return o;
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
