package dev.xdperf.analyze.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The type information of a .BTF section, as far as a loader needs it: sizes of types,
 * members of structs (the shape of BTF-defined maps) and data sections with their variables.
 */
public final class Btf {
    public static final int KIND_INT = 1;
    public static final int KIND_PTR = 2;
    public static final int KIND_ARRAY = 3;
    public static final int KIND_STRUCT = 4;
    public static final int KIND_UNION = 5;
    public static final int KIND_ENUM = 6;
    public static final int KIND_FWD = 7;
    public static final int KIND_TYPEDEF = 8;
    public static final int KIND_VOLATILE = 9;
    public static final int KIND_CONST = 10;
    public static final int KIND_RESTRICT = 11;
    public static final int KIND_FUNC = 12;
    public static final int KIND_FUNC_PROTO = 13;
    public static final int KIND_VAR = 14;
    public static final int KIND_DATASEC = 15;
    public static final int KIND_FLOAT = 16;
    public static final int KIND_DECL_TAG = 17;
    public static final int KIND_TYPE_TAG = 18;
    public static final int KIND_ENUM64 = 19;

    /** One type; {@code ref} is the size or the referenced type id depending on the kind. */
    public record Type(int id, int kind, String name, int vlen, int ref, int dataOffset, boolean kindFlag) {
    }

    /** A struct or union member: bit offset and type. */
    public record Member(String name, int type, long bitOffset) {
    }

    /** A variable placed in a data section. */
    public record SectionVar(int type, long offset, long size) {
    }

    private final ByteBuffer buf;
    private final int strStart;
    private final int strLen;
    private final List<Type> types = new ArrayList<>();

    private Btf(byte[] bytes) {
        buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 24 || Short.toUnsignedInt(buf.getShort(0)) != 0xeb9f) {
            throw new ElfFile.ElfException("section .BTF has no BTF header (bad magic)");
        }
        int hdrLen = buf.getInt(4);
        int typeOff = buf.getInt(8);
        int typeLen = buf.getInt(12);
        int strOff = buf.getInt(16);
        strLen = buf.getInt(20);
        int typeStart = hdrLen + typeOff;
        strStart = hdrLen + strOff;
        if (hdrLen < 24 || typeStart < 0 || typeLen < 0 || (long) typeStart + typeLen > bytes.length
                || strStart < 0 || strLen < 0 || (long) strStart + strLen > bytes.length) {
            throw new ElfFile.ElfException("section .BTF: header points outside the section");
        }
        types.add(new Type(0, 0, "void", 0, 0, 0, false));
        int p = typeStart;
        int end = typeStart + typeLen;
        while (p < end) {
            if (p + 12 > end) {
                throw new ElfFile.ElfException("section .BTF: truncated type " + types.size());
            }
            String name = string(buf.getInt(p));
            int info = buf.getInt(p + 4);
            int vlen = info & 0xffff;
            int kind = (info >>> 24) & 0x1f;
            int ref = buf.getInt(p + 8);
            int data = p + 12;
            int extra = switch (kind) {
                case KIND_INT, KIND_VAR, KIND_DECL_TAG -> 4;
                case KIND_ARRAY -> 12;
                case KIND_STRUCT, KIND_UNION, KIND_DATASEC, KIND_ENUM64 -> 12 * vlen;
                case KIND_ENUM, KIND_FUNC_PROTO -> 8 * vlen;
                case KIND_PTR, KIND_FWD, KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT, KIND_FUNC,
                        KIND_FLOAT, KIND_TYPE_TAG -> 0;
                default -> throw new ElfFile.ElfException("section .BTF: type " + types.size() + " has unknown kind " + kind);
            };
            if (data + extra > end) {
                throw new ElfFile.ElfException("section .BTF: truncated type " + types.size());
            }
            types.add(new Type(types.size(), kind, name, vlen, ref, data, info < 0));
            p = data + extra;
        }
    }

    public static Btf parse(byte[] section) {
        return new Btf(section);
    }

    public Type type(int id) {
        if (id < 0 || id >= types.size()) {
            throw new ElfFile.ElfException("BTF type " + id + " does not exist");
        }
        return types.get(id);
    }

    public int count() {
        return types.size();
    }

    /** Skips typedefs and qualifiers. */
    public Type resolve(int id) {
        Type t = type(id);
        for (int guard = 0; guard < 64; guard++) {
            switch (t.kind()) {
                case KIND_TYPEDEF, KIND_VOLATILE, KIND_CONST, KIND_RESTRICT, KIND_TYPE_TAG -> t = type(t.ref());
                default -> {
                    return t;
                }
            }
        }
        throw new ElfFile.ElfException("BTF type " + id + ": qualifier chain too long");
    }

    /** Size in bytes of a type, as C's sizeof. */
    public long sizeOf(int id) {
        Type t = resolve(id);
        return switch (t.kind()) {
            case KIND_INT, KIND_STRUCT, KIND_UNION, KIND_ENUM, KIND_ENUM64, KIND_FLOAT, KIND_DATASEC -> Integer.toUnsignedLong(t.ref());
            case KIND_PTR -> 8;
            case KIND_ARRAY -> sizeOf(buf.getInt(t.dataOffset())) * Integer.toUnsignedLong(buf.getInt(t.dataOffset() + 8));
            case KIND_VAR -> sizeOf(t.ref());
            default -> throw new ElfFile.ElfException("BTF type " + id + " (" + t.name() + ") has no size");
        };
    }

    /** Element type and element count of an array type. */
    public int[] array(int id) {
        Type t = resolve(id);
        if (t.kind() != KIND_ARRAY) {
            throw new ElfFile.ElfException("BTF type " + id + " is not an array");
        }
        return new int[] {buf.getInt(t.dataOffset()), buf.getInt(t.dataOffset() + 8)};
    }

    public List<Member> members(int id) {
        Type t = resolve(id);
        if (t.kind() != KIND_STRUCT && t.kind() != KIND_UNION) {
            throw new ElfFile.ElfException("BTF type " + id + " (" + t.name() + ") is not a struct");
        }
        boolean bitfields = t.kindFlag();
        List<Member> out = new ArrayList<>();
        for (int i = 0; i < t.vlen(); i++) {
            int p = t.dataOffset() + 12 * i;
            long off = Integer.toUnsignedLong(buf.getInt(p + 8));
            // with kind_flag set, the offset holds the bit-field size in its top 8 bits
            if (bitfields) {
                off &= 0xffffff;
            }
            out.add(new Member(string(buf.getInt(p)), buf.getInt(p + 4), off));
        }
        return out;
    }

    public List<SectionVar> sectionVars(int datasecId) {
        Type t = type(datasecId);
        if (t.kind() != KIND_DATASEC) {
            throw new ElfFile.ElfException("BTF type " + datasecId + " is not a data section");
        }
        List<SectionVar> out = new ArrayList<>();
        for (int i = 0; i < t.vlen(); i++) {
            int p = t.dataOffset() + 12 * i;
            out.add(new SectionVar(buf.getInt(p), Integer.toUnsignedLong(buf.getInt(p + 4)),
                    Integer.toUnsignedLong(buf.getInt(p + 8))));
        }
        return out;
    }

    public Optional<Type> datasec(String name) {
        return types.stream().filter(t -> t.kind() == KIND_DATASEC && t.name().equals(name)).findFirst();
    }

    private String string(int off) {
        if (off < 0 || off >= strLen) {
            throw new ElfFile.ElfException("section .BTF: string offset " + off + " is outside the string table");
        }
        int start = strStart + off;
        int end = start;
        while (end < strStart + strLen && buf.get(end) != 0) {
            end++;
        }
        byte[] b = new byte[end - start];
        buf.get(start, b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
