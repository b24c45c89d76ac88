package dev.xdperf.analyze.object;

import dev.xdperf.analyze.elf.Btf;
import dev.xdperf.analyze.elf.ElfFile;
import dev.xdperf.analyze.elf.ElfFile.Relocation;
import dev.xdperf.analyze.elf.ElfFile.Section;
import dev.xdperf.analyze.elf.ElfFile.Symbol;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a BPF ELF object (as clang -target bpf writes it) into an {@link ObjectSpec}:
 * programs with their subprograms linked in, map references resolved to map indexes, maps
 * from BTF-described .maps, from legacy "maps" definitions and from global data sections.
 * It does what libbpf does before loading, without a kernel.
 */
public final class ObjectLoader {
    static final int R_BPF_64_64 = 1;
    static final int R_BPF_64_ABS64 = 2;
    static final int R_BPF_64_ABS32 = 3;
    static final int R_BPF_64_NODYLD32 = 4;
    static final int R_BPF_64_32 = 10;
    private static final int OP_LD_IMM64 = 0x18;
    private static final int OP_CALL = 0x85;
    private static final int PSEUDO_CALL = 1;
    private static final int PSEUDO_FUNC = 4;

    private final String name;
    private final ElfFile elf;
    private final List<MapSpec> maps = new ArrayList<>();
    /** Map index by (section index, symbol offset) for .maps/maps, or by section index for data. */
    private final Map<Long, Integer> mapBySymbol = new HashMap<>();
    private final Map<Integer, Integer> dataMapBySection = new HashMap<>();
    private final Map<Integer, long[]> code = new HashMap<>();

    private ObjectLoader(String name, ElfFile elf) {
        this.name = name;
        this.elf = elf;
    }

    /** Parses {@code bytes}; {@code name} is used in messages and as the object's name. */
    public static ObjectSpec load(String name, byte[] bytes) {
        ElfFile elf;
        try {
            elf = ElfFile.parse(bytes);
        } catch (ElfFile.ElfException e) {
            throw new ObjectLoadException("load object " + name + ": " + e.getMessage());
        }
        try {
            return new ObjectLoader(name, elf).build();
        } catch (ElfFile.ElfException e) {
            throw new ObjectLoadException("load object " + name + ": " + e.getMessage());
        }
    }

    private ObjectSpec build() {
        if (elf.machine() != ElfFile.EM_BPF) {
            throw new ObjectLoadException("load object " + name + ": not a BPF object (ELF machine " + elf.machine()
                    + "; build it with clang -target bpf)");
        }
        if (elf.type() != 1) {
            throw new ObjectLoadException("load object " + name + ": not a relocatable object (ELF type " + elf.type() + ")");
        }
        Btf btf = elf.section(".BTF").map(s -> Btf.parse(elf.data(s))).orElse(null);
        readBtfMaps(btf);
        readLegacyMaps();
        readDataSections();
        for (Section s : elf.sections()) {
            if (s.executable() && s.size() > 0) {
                byte[] d = elf.data(s);
                if (d.length % 8 != 0) {
                    throw new ObjectLoadException("load object " + name + ": section " + s.name() + " is "
                            + d.length + " bytes, not a whole number of instructions");
                }
                long[] insns = new long[d.length / 8];
                ByteBuffer.wrap(d).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer().get(insns);
                code.put(s.index(), insns);
            }
        }
        List<ProgramSpec> programs = new ArrayList<>();
        for (Section s : elf.sections()) {
            if (!code.containsKey(s.index()) || s.name().equals(".text")) {
                continue;
            }
            List<Symbol> funcs = functions(s.index());
            if (funcs.isEmpty()) {
                programs.add(link(s.name(), s, 0, code.get(s.index()).length));
                continue;
            }
            for (Symbol f : funcs) {
                programs.add(link(f.name(), s, (int) (f.value() / 8), (int) (f.size() / 8)));
            }
        }
        String license = elf.section("license").map(s -> cString(elf.data(s))).orElse("");
        return new ObjectSpec(name, programs, maps, license);
    }

    // ---- maps -------------------------------------------------------------------------------

    private void readBtfMaps(Btf btf) {
        Optional<Section> sec = elf.section(".maps");
        if (sec.isEmpty()) {
            return;
        }
        if (btf == null) {
            throw new ObjectLoadException("load object " + name + ": it has a .maps section but no .BTF to describe it"
                    + " (compile with -g)");
        }
        Btf.Type datasec = btf.datasec(".maps").orElseThrow(() -> new ObjectLoadException("load object " + name
                + ": .BTF does not describe the .maps section"));
        for (Btf.SectionVar v : btf.sectionVars(datasec.id())) {
            Btf.Type var = btf.type(v.type());
            if (var.kind() != Btf.KIND_VAR) {
                throw new ObjectLoadException("load object " + name + ": .maps entry " + v.type() + " is not a variable");
            }
            String mapName = var.name();
            Symbol sym = elf.symbols().stream()
                    .filter(s -> s.sectionIndex() == sec.get().index() && s.name().equals(mapName))
                    .findFirst()
                    .orElseThrow(() -> new ObjectLoadException("load object " + name + ": map " + mapName
                            + " has no symbol in .maps"));
            int type = 0;
            long keySize = -1;
            long valueSize = -1;
            long maxEntries = 0;
            long flags = 0;
            for (Btf.Member m : btf.members(var.ref())) {
                switch (m.name()) {
                    case "type" -> type = (int) uintMember(btf, m, mapName);
                    case "max_entries" -> maxEntries = uintMember(btf, m, mapName);
                    case "map_flags" -> flags = uintMember(btf, m, mapName);
                    case "key_size" -> keySize = uintMember(btf, m, mapName);
                    case "value_size" -> valueSize = uintMember(btf, m, mapName);
                    case "key" -> keySize = pointeeSize(btf, m, mapName);
                    case "value" -> valueSize = pointeeSize(btf, m, mapName);
                    case "pinning", "numa_node", "map_extra" -> { }
                    case "values", "inner_map" -> throw new ObjectLoadException("load object " + name + ": map " + mapName
                            + " uses '" + m.name() + "' (maps of maps and initialised program arrays are not supported)");
                    default -> throw new ObjectLoadException("load object " + name + ": map " + mapName
                            + " has an unknown attribute '" + m.name() + "'");
                }
            }
            MapType mt = MapType.of(type);
            if (keySize < 0) {
                keySize = defaultKeySize(mt);
            }
            if (valueSize < 0) {
                valueSize = defaultValueSize(mt);
            }
            add(new MapSpec(mapName, mt, (int) keySize, (int) valueSize, (int) maxEntries, (int) flags, null, false, "btf"),
                    key(sec.get().index(), sym.value()));
        }
    }

    private static long defaultKeySize(MapType t) {
        return switch (t) {
            case ARRAY, PERCPU_ARRAY, DEVMAP, PROG_ARRAY, CPUMAP, XSKMAP -> 4;
            default -> 0;
        };
    }

    private static long defaultValueSize(MapType t) {
        return switch (t) {
            case DEVMAP, PROG_ARRAY, XSKMAP, CPUMAP -> 4;
            default -> 0;
        };
    }

    /** __uint(name, val) is encoded as "int (*name)[val]". */
    private long uintMember(Btf btf, Btf.Member m, String mapName) {
        Btf.Type ptr = btf.resolve(m.type());
        if (ptr.kind() != Btf.KIND_PTR) {
            throw new ObjectLoadException("load object " + name + ": map " + mapName + " attribute " + m.name()
                    + " is not declared with __uint()");
        }
        return Integer.toUnsignedLong(btf.array(ptr.ref())[1]);
    }

    /** __type(name, T) is encoded as "T *name". */
    private long pointeeSize(Btf btf, Btf.Member m, String mapName) {
        Btf.Type ptr = btf.resolve(m.type());
        if (ptr.kind() != Btf.KIND_PTR) {
            throw new ObjectLoadException("load object " + name + ": map " + mapName + " attribute " + m.name()
                    + " is not declared with __type()");
        }
        return btf.sizeOf(ptr.ref());
    }

    private void readLegacyMaps() {
        for (Section sec : elf.sections()) {
            if (!sec.name().equals("maps") && !sec.name().startsWith("maps/")) {
                continue;
            }
            List<Symbol> syms = elf.symbols().stream()
                    .filter(s -> s.sectionIndex() == sec.index() && s.type() != ElfFile.STT_SECTION && !s.name().isEmpty())
                    .sorted(Comparator.comparingLong(Symbol::value))
                    .toList();
            if (syms.isEmpty()) {
                continue;
            }
            byte[] data = elf.data(sec);
            int defSize = data.length / syms.size();
            if (defSize < 16 || defSize * syms.size() != data.length) {
                throw new ObjectLoadException("load object " + name + ": section " + sec.name() + " holds "
                        + data.length + " bytes for " + syms.size() + " maps: not a legacy map definition array");
            }
            ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
            for (Symbol s : syms) {
                int o = (int) s.value();
                if (o + 16 > data.length) {
                    throw new ObjectLoadException("load object " + name + ": map " + s.name() + " lies outside " + sec.name());
                }
                int flags = o + 20 <= data.length ? b.getInt(o + 16) : 0;
                add(new MapSpec(s.name(), MapType.of(b.getInt(o)), b.getInt(o + 4), b.getInt(o + 8), b.getInt(o + 12), flags,
                        null, false, "legacy"), key(sec.index(), s.value()));
            }
        }
    }

    private void readDataSections() {
        for (Section sec : elf.sections()) {
            String n = sec.name();
            boolean data = n.equals(".data") || n.startsWith(".data.");
            boolean rodata = n.equals(".rodata") || n.startsWith(".rodata.");
            boolean bss = n.equals(".bss") || n.startsWith(".bss.");
            if (!(data || rodata || bss) || sec.size() == 0 || (sec.flags() & ElfFile.SHF_ALLOC) == 0) {
                continue;
            }
            if (sec.size() > Integer.MAX_VALUE / 2) {
                throw new ObjectLoadException("load object " + name + ": section " + n + " is too large");
            }
            int idx = maps.size();
            maps.add(new MapSpec(n, MapType.ARRAY, 4, (int) sec.size(), 1, 0, elf.data(sec), rodata, "data"));
            dataMapBySection.put(sec.index(), idx);
        }
    }

    private void add(MapSpec m, long symKey) {
        if (maps.stream().anyMatch(x -> x.name().equals(m.name()))) {
            throw new ObjectLoadException("load object " + name + ": map " + m.name() + " is defined twice");
        }
        mapBySymbol.put(symKey, maps.size());
        maps.add(m);
    }

    private static long key(int section, long offset) {
        return ((long) section << 40) | offset;
    }

    // ---- programs ----------------------------------------------------------------------------

    private List<Symbol> functions(int section) {
        return elf.symbols().stream()
                .filter(s -> s.sectionIndex() == section && s.type() == ElfFile.STT_FUNC)
                .sorted(Comparator.comparingLong(Symbol::value))
                .toList();
    }

    /** Links one program: its body, then each subprogram it reaches, once, with calls and maps resolved. */
    private ProgramSpec link(String progName, Section sec, int start, int len) {
        if (len <= 0 || start + len > code.get(sec.index()).length) {
            throw new ObjectLoadException("load object " + name + ": program " + progName + " has no instructions in "
                    + sec.name());
        }
        List<Long> out = new ArrayList<>();
        List<ProgramSpec.Function> funcs = new ArrayList<>();
        Map<Long, Integer> placed = new LinkedHashMap<>();
        Deque<long[]> pending = new ArrayDeque<>();  // {section, start, len, linkedStart}
        placed.put(key(sec.index(), start), 0);
        pending.add(new long[] {sec.index(), start, len, 0});
        funcs.add(new ProgramSpec.Function(progName, 0));
        appendBody(out, sec.index(), start, len);
        while (!pending.isEmpty()) {
            long[] f = pending.poll();
            int fsec = (int) f[0];
            int fstart = (int) f[1];
            int flen = (int) f[2];
            int base = (int) f[3];
            Map<Integer, Relocation> relocs = relocationsByInsn(elf.section(fsec));
            for (int i = 0; i < flen; i++) {
                int si = fstart + i;
                int li = base + i;
                long insn = out.get(li);
                int op = (int) (insn & 0xff);
                int srcReg = (int) ((insn >>> 12) & 0xf);
                Relocation r = relocs.get(si);
                if (op == OP_CALL && srcReg == PSEUDO_CALL) {
                    int imm = (int) (insn >> 32);
                    int tsec;
                    int tidx;
                    if (r != null) {
                        Symbol s = elf.symbols().get(r.symbolIndex());
                        if (s.sectionIndex() == ElfFile.SHN_UNDEF) {
                            throw new ObjectLoadException("load object " + name + ": program " + progName + " calls "
                                    + s.name() + ", which is not defined in the object (kfuncs and externs are not supported)");
                        }
                        tsec = s.sectionIndex();
                        tidx = (int) (s.value() / 8) + imm + 1;
                    } else {
                        tsec = fsec;
                        tidx = si + imm + 1;
                    }
                    int target = place(out, funcs, placed, pending, tsec, tidx, progName);
                    out.set(li, withImm(insn, target - li - 1));
                } else if (op == OP_CALL && srcReg != 0) {
                    throw new ObjectLoadException("load object " + name + ": program " + progName + " calls a kernel function"
                            + " (kfunc) at " + sec.name() + "+" + si + ", which is not supported");
                } else if (op == OP_LD_IMM64) {
                    if (li + 1 >= out.size()) {
                        throw new ObjectLoadException("load object " + name + ": program " + progName
                                + " ends inside a wide immediate load");
                    }
                    if (r != null) {
                        resolveLoad(out, li, r, progName);
                    } else if (srcReg == PSEUDO_FUNC) {
                        throw new ObjectLoadException("load object " + name + ": program " + progName
                                + " takes the address of a function (callbacks are not supported)");
                    }
                    i++;
                } else if (r != null && r.type() != R_BPF_64_NODYLD32) {
                    throw new ObjectLoadException("load object " + name + ": program " + progName + " has a relocation of type "
                            + r.type() + " on instruction " + sec.name() + "+" + si + " (opcode 0x" + Integer.toHexString(op)
                            + "), which is not supported");
                }
            }
        }
        long[] insns = out.stream().mapToLong(Long::longValue).toArray();
        return new ProgramSpec(progName, sec.name(), insns, funcs);
    }

    private int place(List<Long> out, List<ProgramSpec.Function> funcs, Map<Long, Integer> placed, Deque<long[]> pending,
                      int tsec, int tidx, String progName) {
        Integer at = placed.get(key(tsec, tidx));
        if (at != null) {
            return at;
        }
        Section s = elf.section(tsec);
        if (!code.containsKey(tsec)) {
            throw new ObjectLoadException("load object " + name + ": program " + progName + " calls into section " + s.name()
                    + ", which holds no code");
        }
        Symbol fn = functions(tsec).stream().filter(f -> f.value() / 8 == tidx).findFirst().orElse(null);
        int flen;
        String fname;
        if (fn != null && fn.size() > 0) {
            flen = (int) (fn.size() / 8);
            fname = fn.name();
        } else {
            // a call into the middle of nothing we know: take the code up to the next function
            long next = functions(tsec).stream().mapToLong(f -> f.value() / 8).filter(v -> v > tidx).min()
                    .orElse(code.get(tsec).length);
            flen = (int) (next - tidx);
            fname = s.name() + "+" + tidx;
        }
        if (tidx < 0 || tidx + flen > code.get(tsec).length || flen <= 0) {
            throw new ObjectLoadException("load object " + name + ": program " + progName + " calls instruction " + tidx
                    + " of " + s.name() + ", which does not exist");
        }
        int linked = out.size();
        placed.put(key(tsec, tidx), linked);
        funcs.add(new ProgramSpec.Function(fname, linked));
        appendBody(out, tsec, tidx, flen);
        pending.add(new long[] {tsec, tidx, flen, linked});
        return linked;
    }

    private void appendBody(List<Long> out, int section, int start, int len) {
        long[] c = code.get(section);
        for (int i = 0; i < len; i++) {
            out.add(c[start + i]);
        }
    }

    private void resolveLoad(List<Long> out, int li, Relocation r, String progName) {
        Symbol s = elf.symbols().get(r.symbolIndex());
        if (r.type() != R_BPF_64_64) {
            throw new ObjectLoadException("load object " + name + ": program " + progName + " has relocation type "
                    + r.type() + " on a wide immediate load");
        }
        long insn = out.get(li);
        long next = out.get(li + 1);
        if (s.sectionIndex() == ElfFile.SHN_UNDEF) {
            throw new ObjectLoadException("load object " + name + ": program " + progName + " refers to extern " + s.name()
                    + " (kconfig and ksym externs are not supported)");
        }
        Integer mapIdx = mapBySymbol.get(key(s.sectionIndex(), s.value()));
        if (mapIdx != null) {
            out.set(li, withImm(withSrc(insn, ProgramSpec.PSEUDO_MAP_IDX), mapIdx));
            return;
        }
        Integer dataIdx = dataMapBySection.get(s.sectionIndex());
        if (dataIdx != null) {
            long offset = (int) (insn >> 32) + s.value();
            out.set(li, withImm(withSrc(insn, ProgramSpec.PSEUDO_MAP_IDX_VALUE), dataIdx));
            out.set(li + 1, withImm(next, (int) offset));
            return;
        }
        Section target = elf.section(s.sectionIndex());
        if (target.executable()) {
            throw new ObjectLoadException("load object " + name + ": program " + progName
                    + " takes the address of a function (callbacks are not supported)");
        }
        throw new ObjectLoadException("load object " + name + ": program " + progName + " refers to "
                + (s.name().isEmpty() ? "section " + target.name() : s.name() + " in " + target.name())
                + ", which is neither a map nor global data");
    }

    private Map<Integer, Relocation> relocationsByInsn(Section s) {
        Map<Integer, Relocation> out = new HashMap<>();
        for (Relocation r : elf.relocations(s)) {
            if (r.offset() % 8 != 0) {
                throw new ObjectLoadException("load object " + name + ": relocation at " + s.name() + "+" + r.offset()
                        + " is not on an instruction boundary");
            }
            out.put((int) (r.offset() / 8), r);
        }
        return out;
    }

    private static long withImm(long insn, int imm) {
        return (insn & 0xffffffffL) | ((long) imm << 32);
    }

    private static long withSrc(long insn, int src) {
        return (insn & ~0xf000L) | ((long) (src & 0xf) << 12);
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }
}
