package dev.xdperf.analyze.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The parts of a 64-bit little-endian ELF relocatable object that a BPF loader needs:
 * section headers, the symbol table and REL relocation sections. Every offset and size is
 * checked against the file, so a truncated or hostile object fails with a message instead
 * of an exception from deep inside.
 */
public final class ElfFile {
    public static final int SHT_PROGBITS = 1;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;
    public static final int SHT_RELA = 4;
    public static final int SHT_NOBITS = 8;
    public static final int SHT_REL = 9;
    public static final long SHF_WRITE = 0x1;
    public static final long SHF_ALLOC = 0x2;
    public static final long SHF_EXECINSTR = 0x4;
    public static final int EM_BPF = 247;

    public static final int STT_NOTYPE = 0;
    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;
    public static final int STT_SECTION = 3;
    public static final int STB_LOCAL = 0;
    public static final int STB_GLOBAL = 1;
    public static final int STB_WEAK = 2;
    public static final int SHN_UNDEF = 0;

    /** One section header, with its name resolved. */
    public record Section(int index, String name, int type, long flags, long offset, long size, int link, int info,
                          long entrySize) {
        public boolean executable() {
            return (flags & SHF_EXECINSTR) != 0;
        }
    }

    /** One symbol of .symtab. */
    public record Symbol(int index, String name, int type, int bind, int sectionIndex, long value, long size) {
    }

    /** One entry of a REL section: {@code offset} is relative to the section it applies to. */
    public record Relocation(long offset, int type, int symbolIndex) {
    }

    private final byte[] bytes;
    private final ByteBuffer buf;
    private final List<Section> sections;
    private final List<Symbol> symbols;

    private ElfFile(byte[] bytes) {
        this.bytes = bytes;
        this.buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        this.sections = readSections();
        this.symbols = readSymbols();
    }

    /** Parses an object; throws {@link ElfException} naming what is wrong. */
    public static ElfFile parse(byte[] bytes) {
        if (bytes.length < 64 || bytes[0] != 0x7f || bytes[1] != 'E' || bytes[2] != 'L' || bytes[3] != 'F') {
            throw new ElfException("not an ELF file");
        }
        if (bytes[4] != 2) {
            throw new ElfException("not a 64-bit ELF file (BPF objects are ELF64)");
        }
        if (bytes[5] != 1) {
            throw new ElfException("big-endian ELF is not supported (build with -target bpfel or -target bpf on x86)");
        }
        return new ElfFile(bytes);
    }

    public int machine() {
        return Short.toUnsignedInt(buf.getShort(18));
    }

    public int type() {
        return Short.toUnsignedInt(buf.getShort(16));
    }

    public List<Section> sections() {
        return sections;
    }

    public List<Symbol> symbols() {
        return symbols;
    }

    public Optional<Section> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public Section section(int index) {
        if (index <= 0 || index >= sections.size()) {
            throw new ElfException("section index " + index + " is out of range");
        }
        return sections.get(index);
    }

    /** The contents of a section (zeros for SHT_NOBITS, such as .bss). */
    public byte[] data(Section s) {
        if (s.type() == SHT_NOBITS) {
            return new byte[checkedInt(s.size(), "size of section " + s.name())];
        }
        checkRange(s.offset(), s.size(), "section " + s.name());
        byte[] out = new byte[(int) s.size()];
        System.arraycopy(bytes, (int) s.offset(), out, 0, out.length);
        return out;
    }

    /** The relocations that apply to {@code target}, from every SHT_REL section whose sh_info names it. */
    public List<Relocation> relocations(Section target) {
        List<Relocation> out = new ArrayList<>();
        for (Section s : sections) {
            if (s.type() == SHT_RELA && s.info() == target.index()) {
                throw new ElfException("section " + s.name() + ": RELA relocations are not used by BPF objects");
            }
            if (s.type() != SHT_REL || s.info() != target.index()) {
                continue;
            }
            checkRange(s.offset(), s.size(), "section " + s.name());
            if (s.entrySize() != 16 && s.entrySize() != 0) {
                throw new ElfException("section " + s.name() + ": relocation entry size " + s.entrySize() + " is not 16");
            }
            for (long p = s.offset(); p + 16 <= s.offset() + s.size(); p += 16) {
                long off = buf.getLong((int) p);
                long info = buf.getLong((int) p + 8);
                int sym = (int) (info >>> 32);
                if (sym < 0 || sym >= symbols.size()) {
                    throw new ElfException("section " + s.name() + ": relocation names symbol " + sym
                            + " but the symbol table has " + symbols.size());
                }
                out.add(new Relocation(off, (int) (info & 0xffffffffL), sym));
            }
        }
        return out;
    }

    private List<Section> readSections() {
        long shoff = buf.getLong(40);
        int shentsize = Short.toUnsignedInt(buf.getShort(58));
        int shnum = Short.toUnsignedInt(buf.getShort(60));
        int shstrndx = Short.toUnsignedInt(buf.getShort(62));
        if (shnum == 0) {
            throw new ElfException("no section headers");
        }
        if (shentsize != 64) {
            throw new ElfException("section header size " + shentsize + " is not 64");
        }
        checkRange(shoff, (long) shnum * shentsize, "section header table");
        long[][] raw = new long[shnum][];
        for (int i = 0; i < shnum; i++) {
            int p = (int) (shoff + (long) i * 64);
            raw[i] = new long[] {Integer.toUnsignedLong(buf.getInt(p)), Integer.toUnsignedLong(buf.getInt(p + 4)),
                    buf.getLong(p + 8), buf.getLong(p + 24), buf.getLong(p + 32),
                    Integer.toUnsignedLong(buf.getInt(p + 40)), Integer.toUnsignedLong(buf.getInt(p + 44)),
                    buf.getLong(p + 56)};
        }
        if (shstrndx >= shnum) {
            throw new ElfException("section name table index " + shstrndx + " is out of range");
        }
        long strOff = raw[shstrndx][3];
        long strSize = raw[shstrndx][4];
        checkRange(strOff, strSize, "section name table");
        List<Section> out = new ArrayList<>(shnum);
        for (int i = 0; i < shnum; i++) {
            long[] r = raw[i];
            String name = string(strOff, strSize, r[0], "section name");
            out.add(new Section(i, name, (int) r[1], r[2], r[3], r[4], (int) r[5], (int) r[6], r[7]));
        }
        return Collections.unmodifiableList(out);
    }

    private List<Symbol> readSymbols() {
        Section symtab = null;
        for (Section s : sections) {
            if (s.type() == SHT_SYMTAB) {
                symtab = s;
            }
        }
        if (symtab == null) {
            return List.of();
        }
        checkRange(symtab.offset(), symtab.size(), "symbol table");
        if (symtab.link() <= 0 || symtab.link() >= sections.size()) {
            throw new ElfException("symbol table links to section " + symtab.link() + ", which does not exist");
        }
        Section strtab = sections.get(symtab.link());
        checkRange(strtab.offset(), strtab.size(), "symbol name table");
        List<Symbol> out = new ArrayList<>();
        int n = (int) (symtab.size() / 24);
        for (int i = 0; i < n; i++) {
            int p = (int) (symtab.offset() + (long) i * 24);
            long nameOff = Integer.toUnsignedLong(buf.getInt(p));
            int info = Byte.toUnsignedInt(buf.get(p + 4));
            int shndx = Short.toUnsignedInt(buf.getShort(p + 6));
            long value = buf.getLong(p + 8);
            long size = buf.getLong(p + 16);
            String name = string(strtab.offset(), strtab.size(), nameOff, "symbol name");
            out.add(new Symbol(i, name, info & 0xf, info >> 4, shndx, value, size));
        }
        return Collections.unmodifiableList(out);
    }

    private String string(long tableOff, long tableSize, long at, String what) {
        if (at >= tableSize) {
            throw new ElfException(what + " offset " + at + " is outside its string table");
        }
        int start = (int) (tableOff + at);
        int end = start;
        int limit = (int) (tableOff + tableSize);
        while (end < limit && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, start, end - start, StandardCharsets.UTF_8);
    }

    private void checkRange(long off, long size, String what) {
        if (off < 0 || size < 0 || off + size > bytes.length) {
            throw new ElfException(what + " lies outside the file (offset " + off + ", size " + size
                    + ", file " + bytes.length + " bytes)");
        }
    }

    private static int checkedInt(long v, String what) {
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new ElfException(what + " " + v + " is too large");
        }
        return (int) v;
    }

    /** A malformed or unsupported ELF file. */
    public static final class ElfException extends IllegalArgumentException {
        public ElfException(String message) {
            super(message);
        }
    }
}
