package dev.xdperf.analyze.trace;

import static dev.xdperf.analyze.vm.Opcodes.*;

import dev.xdperf.analyze.vm.Alu;

/**
 * Plain-terms text for expressions and conditions: {@code bytes[12..13]} is the big-endian
 * number in bytes 12 and 13, {@code le32(bytes[26..29])} a little-endian one, {@code len} the
 * packet length; {@code u32(...)} and {@code s16(...)} truncate and sign-extend.
 */
public final class Render {
    private static final Render RAW = new Render(Headers.NONE);
    private final Headers headers;

    private Render(Headers headers) {
        this.headers = headers;
    }

    /** A condition as the bytes it tests. */
    public static String cond(Cond c) {
        return RAW.condition(c);
    }

    /** A condition with header field names where {@code headers} lays the bytes out ({@code udp.dport}), raw elsewhere. */
    public static String cond(Cond c, Headers headers) {
        return new Render(headers).condition(c);
    }

    public static String expr(Expr e) {
        return RAW.text(e);
    }

    private String condition(Cond c) {
        if (c.a instanceof Expr.MapRead m && m.presence() && c.b instanceof Expr.Const k && !c.is32
                && (c.code == JEQ || c.code == JNE) && (k.value() == 0 || k.value() == 1)) {
            boolean present = (c.code == JNE) == (k.value() == 0);
            return text(m) + (present ? " present" : " absent");
        }
        int width = width(c.a);
        if (c.code == JSET || c.code == Alu.NSET) {
            return "(" + (c.is32 ? "u32(" + text(c.a) + ")" : text(c.a)) + " & " + constant(c.b, width, c.is32, c.code) + ") "
                    + (c.code == JSET ? "!= 0" : "== 0");
        }
        return side(c.a, c.is32, c.code) + " " + op(c.code) + " " + constant(c.b, width, c.is32, c.code);
    }

    private String side(Expr e, boolean is32, int code) {
        String s = e instanceof Expr.Bin b && !b.is32 && b.code != ADD && b.code != SUB && headers.name(e) == null
                ? "(" + text(e) + ")" : text(e);
        if (!is32) {
            return s;
        }
        return (signedOp(code) ? "s32(" : "u32(") + s + ")";
    }

    private String constant(Expr e, int width, boolean is32, int code) {
        if (!(e instanceof Expr.Const k)) {
            return side(e, is32, code);
        }
        long v = k.value();
        if (signedOp(code)) {
            return is32 ? Integer.toString((int) v) : Long.toString(v);
        }
        if (is32) {
            v &= 0xffffffffL;
        }
        boolean equality = code == JEQ || code == JNE || code == JSET || code == Alu.NSET;
        return width == 0 || !equality ? number(v) : hex(v, width);
    }

    private static boolean signedOp(int code) {
        return code == JSGT || code == JSGE || code == JSLT || code == JSLE;
    }

    private static String op(int code) {
        return switch (code) {
            case JEQ -> "==";
            case JNE -> "!=";
            case JGT -> ">";
            case JGE -> ">=";
            case JLT -> "<";
            case JLE -> "<=";
            case JSGT -> "s>";
            case JSGE -> "s>=";
            case JSLT -> "s<";
            case JSLE -> "s<=";
            default -> "?";
        };
    }

    /** Bytes compared: constants next to packet bytes print as hex of that width; 0 means decimal. */
    private int width(Expr e) {
        if (e instanceof Expr.Bytes b) {
            return b.count();
        }
        if (e instanceof Expr.MapRead m) {
            return m.size;
        }
        if (e instanceof Expr.Bin b && (b.code == AND || b.code == OR || b.code == XOR || b.code == RSH || b.code == LSH)) {
            int w = width(b.a);
            return w != 0 ? w : width(b.b);
        }
        if (e instanceof Expr.Swap s) {
            return s.width / 8;
        }
        if (e instanceof Expr.Ext x && !(x.a instanceof Expr.Len)) {
            return width(x.a);
        }
        return 0;
    }

    private String text(Expr e) {
        String named = headers.name(e);
        if (named != null) {
            return named;
        }
        if (e instanceof Expr.Const c) {
            return number(c.value());
        }
        if (e instanceof Expr.Len) {
            return "len";
        }
        if (e instanceof Expr.Bytes b) {
            String range = b.count() == 1 ? "bytes[" + b.offset() + "]" : "bytes[" + b.offset() + ".." + (b.offset() + b.count() - 1) + "]";
            if (b.count() == 1 || b.bigEndian()) {
                return range;
            }
            return "le" + (8 * b.count()) + "(" + range + ")";
        }
        if (e instanceof Expr.Opaque o) {
            return "<" + o.reason() + ">";
        }
        if (e instanceof Expr.MapRead m) {
            String entry = m.map + "[" + key(m) + "]";
            if (m.presence()) {
                return entry;
            }
            return entry + ".value" + (m.offset == 0 && m.size == m.valueSize ? ""
                    : m.size == 1 ? "[" + m.offset + "]" : "[" + m.offset + ".." + (m.offset + m.size - 1) + "]");
        }
        if (e instanceof Expr.Swap s) {
            return "bswap" + s.width + "(" + text(s.a) + ")";
        }
        if (e instanceof Expr.Ext x) {
            return (x.signed ? "s" : "u") + x.bits + "(" + text(x.a) + ")" ;
        }
        Expr.Bin b = (Expr.Bin) e;
        String inner;
        if (b.code == NEG) {
            inner = "-" + operand(b.a);
        } else {
            int w = width(b);
            String right = b.b instanceof Expr.Const k && w != 0 && (b.code == AND || b.code == OR || b.code == XOR)
                    ? hex(k.value(), w) : operand(b.b);
            inner = operand(b.a) + " " + binOp(b) + " " + right;
        }
        return b.is32 ? "u32(" + inner + ")" : inner;
    }

    /** A key as its one value (udp.dport), a number when constant, or its bytes. */
    private String key(Expr.MapRead m) {
        if (m.keyView != null) {
            return text(m.keyView);
        }
        if (m.key.stream().allMatch(k -> k instanceof Expr.Const)) {
            if (m.key.size() <= 8) {
                long v = 0;
                for (int i = m.key.size() - 1; i >= 0; i--) {
                    v = (v << 8) | (((Expr.Const) m.key.get(i)).value() & 0xff);
                }
                return number(v);
            }
            StringBuilder sb = new StringBuilder("0x");
            m.key.forEach(k -> sb.append(String.format("%02x", ((Expr.Const) k).value() & 0xff)));
            return sb.toString();
        }
        // runs of consecutive packet bytes read as bytes[a..b], runs of zeros as 0 x n
        StringBuilder sb = new StringBuilder("{");
        int i = 0;
        while (i < m.key.size()) {
            Expr e = m.key.get(i);
            int j = i + 1;
            if (e instanceof Expr.Bytes b && b.count() == 1) {
                while (j < m.key.size() && m.key.get(j) instanceof Expr.Bytes n && n.count() == 1
                        && n.offset() == b.offset() + (j - i)) {
                    j++;
                }
            } else if (e instanceof Expr.Const c && c.value() == 0) {
                while (j < m.key.size() && m.key.get(j) instanceof Expr.Const n && n.value() == 0) {
                    j++;
                }
            }
            sb.append(i == 0 ? "" : ", ");
            if (j - i == 1) {
                sb.append(text(e));
            } else if (e instanceof Expr.Bytes b) {
                sb.append("bytes[").append(b.offset()).append("..").append(b.offset() + j - i - 1).append("] as bytes");
            } else {
                sb.append("0 x ").append(j - i);
            }
            i = j;
        }
        return sb.append('}').toString();
    }

    private String operand(Expr e) {
        String s = text(e);
        return e instanceof Expr.Bin b && !b.is32 && headers.name(e) == null ? "(" + s + ")" : s;
    }

    private static String binOp(Expr.Bin b) {
        return switch (b.code) {
            case ADD -> "+";
            case SUB -> "-";
            case MUL -> "*";
            case DIV -> b.off == 1 ? "s/" : "/";
            case MOD -> b.off == 1 ? "s%" : "%";
            case OR -> "|";
            case AND -> "&";
            case LSH -> "<<";
            case RSH -> ">>";
            case ARSH -> "s>>";
            case XOR -> "^";
            default -> "op" + b.code;
        };
    }

    static String number(long v) {
        if (v >= 0 && v < 4096) {
            return Long.toString(v);
        }
        if (v < 0 && v > -4096) {
            return Long.toString(v);
        }
        return "0x" + Long.toHexString(v);
    }

    static String hex(long v, int bytes) {
        String h = Long.toHexString(v);
        int digits = Math.min(16, 2 * bytes);
        StringBuilder sb = new StringBuilder("0x");
        for (int i = h.length(); i < digits; i++) {
            sb.append('0');
        }
        return sb.append(h).toString();
    }
}
