package dev.xdperf.bench;

import dev.xdperf.analyze.maps.MapContents;
import dev.xdperf.bpf.BpfObject;
import dev.xdperf.bpf.BpfProgram;
import dev.xdperf.bpf.PrivateBpfFs;
import dev.xdperf.bpf.ProgramInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The user's XDP program, loaded from its object file exactly as built: one program chosen by
 * section or function name (or the only XDP program in the file), every program of the object
 * loaded as libbpf would. Owns the object; closing it unloads the program (links keep their own
 * reference until they are closed).
 */
public final class ProgramUnderTest implements AutoCloseable {
    private final Path file;
    private final String section;
    private final BpfObject object;
    private final BpfProgram program;
    private final PrivateBpfFs pins;
    private final int id;

    private ProgramUnderTest(Path file, String section, BpfObject object, BpfProgram program, PrivateBpfFs pins) {
        this.file = file;
        this.section = section;
        this.object = object;
        this.program = program;
        this.pins = pins;
        this.id = ProgramInfo.of(program.fd()).id();
    }

    /**
     * Opens {@code file}, picks the program ({@code select} is a section name such as "xdp" or
     * "xdp.frags", or a function name; null: the only XDP program) and loads it. Maps the object
     * pins by name are pinned in a private BPF filesystem that {@link #close()} removes, so a run
     * works where /sys/fs/bpf is absent and leaves nothing pinned on the host. Programs in legacy
     * sections ("xdp_icmp_echo") are XDP programs, as ip and xdp-loader take them.
     */
    public static ProgramUnderTest load(Path file, String select) {
        return load(file, select, List.of());
    }

    /** As {@link #load(Path, String)}, then fills maps with {@code contents} (`--map NAME=FILE.json`). */
    public static ProgramUnderTest load(Path file, String select, List<MapContents> contents) {
        ProgramUnderTest p = loadOnly(file, select);
        try {
            for (MapContents c : contents) {
                p.fill(c);
            }
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    private void fill(MapContents c) {
        String file = this.file.getFileName().toString();
        if (!object.mapNames().contains(c.map())) {
            throw new IllegalArgumentException("fill map " + c.map() + " of " + file + ": no such map (it has "
                    + String.join(", ", object.mapNames().stream().filter(n -> !n.contains(".")).toList()) + ")");
        }
        dev.xdperf.bpf.BpfMap m = object.map(c.map());
        for (int i = 0; i < c.entries().size(); i++) {
            MapContents.Entry e = c.entries().get(i);
            if (e.key().length != m.keySize() || e.value().length != m.valueSize()) {
                throw new IllegalArgumentException("fill map " + c.map() + " from " + c.file() + ": entry " + (i + 1) + " has a "
                        + e.key().length + "-byte key and a " + e.value().length + "-byte value, the map takes "
                        + m.keySize() + " and " + m.valueSize());
            }
            try {
                m.updateBytes(e.key(), e.value());
            } catch (RuntimeException x) {
                throw new IllegalArgumentException("fill map " + c.map() + " from " + c.file() + ": entry " + (i + 1) + ": "
                        + x.getMessage());
            }
        }
    }

    private static ProgramUnderTest loadOnly(Path file, String select) {
        byte[] elf;
        try {
            elf = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("read program " + file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("read program " + file + ": " + e.getMessage());
        }
        String name = file.getFileName().toString();
        PrivateBpfFs pins = PrivateBpfFs.create();
        BpfObject.Opened opened = null;
        try {
            opened = BpfObject.open(name, elf, pins.dir());
            for (BpfObject.ProgramSpec p : opened.programs()) {
                if (isLegacyXdp(p)) {
                    opened.setType(p.name(), ProgramInfo.TYPE_XDP);
                }
            }
            BpfObject.ProgramSpec chosen = choose(name, opened.programs(), select);
            for (BpfObject.ProgramSpec p : opened.programs()) {
                if (p.type() == TYPE_UNSPEC && !p.name().equals(chosen.name())) {
                    opened.setAutoload(p.name(), false);   // libbpf cannot load an untyped program; it is not the one measured
                }
            }
            if (!opened.pinPaths().isEmpty()) {
                pins.mount();
            }
            BpfObject o = opened.load();
            return new ProgramUnderTest(file, chosen.section(), o, o.program(chosen.name()), pins);
        } catch (RuntimeException e) {
            if (opened != null) {
                opened.close();
            }
            pins.close();
            throw e;
        }
    }

    static final int TYPE_UNSPEC = 0;

    /** A section libbpf 1.x leaves untyped but iproute2's and xdp-loader's conventions make XDP: "xdp_*", "xdp-*", "xdp/*". */
    static boolean isLegacyXdp(BpfObject.ProgramSpec p) {
        return p.type() == TYPE_UNSPEC && p.section().startsWith("xdp");
    }

    static BpfObject.ProgramSpec choose(String file, List<BpfObject.ProgramSpec> programs, String select) {
        if (programs.isEmpty()) {
            throw new IllegalArgumentException("open program " + file + ": the object has no programs");
        }
        BpfObject.ProgramSpec chosen;
        if (select != null) {
            List<BpfObject.ProgramSpec> bySection = programs.stream().filter(p -> p.section().equals(select)).toList();
            List<BpfObject.ProgramSpec> byName = programs.stream().filter(p -> p.name().equals(select)).toList();
            if (byName.size() == 1) {
                chosen = byName.get(0);
            } else if (bySection.size() == 1) {
                chosen = bySection.get(0);
            } else if (bySection.size() > 1) {
                throw new IllegalArgumentException("choose program in " + file + ": section " + select + " holds "
                        + names(bySection) + " (give the function name to --section)");
            } else {
                throw new IllegalArgumentException("choose program in " + file + ": no section or function named " + select
                        + " (it has " + describe(programs) + ")");
            }
        } else {
            List<BpfObject.ProgramSpec> xdp = programs.stream().filter(p -> p.type() == ProgramInfo.TYPE_XDP).toList();
            if (xdp.size() > 1) {
                throw new IllegalArgumentException("choose program in " + file + ": it has " + xdp.size()
                        + " XDP programs, " + names(xdp) + " (choose one with --section)");
            }
            chosen = xdp.isEmpty() ? programs.get(0) : xdp.get(0);
        }
        if (chosen.type() != ProgramInfo.TYPE_XDP) {
            throw new IllegalArgumentException("load program " + chosen.name() + " from " + file + ": not an XDP program"
                    + " (section \"" + chosen.section() + "\" makes it a " + ProgramInfo.typeName(chosen.type())
                    + " program; XDP programs live in section \"xdp\")");
        }
        return chosen;
    }

    private static String names(List<BpfObject.ProgramSpec> ps) {
        return ps.stream().map(BpfObject.ProgramSpec::name).collect(Collectors.joining(", "));
    }

    private static String describe(List<BpfObject.ProgramSpec> ps) {
        return ps.stream().map(p -> p.name() + " in section " + p.section()).collect(Collectors.joining(", "));
    }

    public Path file() {
        return file;
    }

    /** The function name: what BTF, bpftool and the kernel call the program. */
    public String name() {
        return program.name();
    }

    public String section() {
        return section;
    }

    public BpfProgram program() {
        return program;
    }

    /** A map of the loaded object, by name. */
    public dev.xdperf.bpf.BpfMap map(String name) {
        if (!object.mapNames().contains(name)) {
            throw new IllegalArgumentException("find map " + name + " in " + file.getFileName() + ": no such map");
        }
        return object.map(name);
    }

    /** The kernel's id of the loaded program. */
    public int id() {
        return id;
    }

    public ProgramInfo info() {
        return ProgramInfo.of(program.fd());
    }

    @Override
    public void close() {
        try {
            object.close();
        } finally {
            pins.close();
        }
    }
}
