package dev.xdperf.analyze.trace;

import static dev.xdperf.analyze.vm.Opcodes.AND;
import static dev.xdperf.analyze.vm.Opcodes.JEQ;
import static dev.xdperf.analyze.vm.Opcodes.LSH;
import static dev.xdperf.analyze.vm.Opcodes.RSH;

import java.util.HashMap;
import java.util.Map;

/**
 * The headers a path condition itself lays out: Ethernet at 0; up to two VLAN tags when the
 * condition pins the EtherType to 0x8100 or 0x88a8; IPv4 or IPv6 when it pins the (inner)
 * EtherType; UDP, TCP, ICMP or ICMPv6 when it pins the protocol (and, for IPv4, the header
 * length). Only what every packet of the trace shares is named: a byte range gets a field's name
 * only where the condition fixes the layout that puts the field there.
 */
public final class Headers {
    /** Field names by (offset, length) of big-endian byte ranges, and of the masked nibbles and bits below. */
    private final Map<Long, String> fields = new HashMap<>();
    private final Map<Long, String> masked = new HashMap<>();

    public static final Headers NONE = new Headers();

    private Headers() {}

    /** Field name of bytes[offset .. offset + count − 1], or null. */
    String field(int offset, int count) {
        return fields.get(key(offset, count));
    }

    /** Name of {@code bytes[offset] & mask} (or of {@code bytes[offset] >> shift}, as a negative mask), or null. */
    String masked(int offset, int count, long mask) {
        return masked.get(key(offset, count) * 1_000_003L + mask);
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    public static Headers of(PathCondition pc) {
        Map<Long, Long> pins = new HashMap<>();
        Map<Long, Long> ihl = new HashMap<>();
        for (Cond c : pc.conjuncts()) {
            if (c.code != JEQ || c.is32 || !(c.b instanceof Expr.Const k)) {
                continue;
            }
            if (c.a instanceof Expr.Bytes b && (b.bigEndian() || b.count() == 1)) {
                pins.put(key(b.offset(), b.count()), k.value());
            } else if (c.a instanceof Expr.Bin bin && bin.code == AND && bin.a instanceof Expr.Bytes b && b.count() == 1
                    && bin.b instanceof Expr.Const m && m.value() == 0x0f) {
                ihl.put((long) b.offset(), k.value());
            } else if (c.a instanceof Expr.Bin bin && bin.code == AND && bin.b instanceof Expr.Const m && m.value() == 0x3c
                    && bin.a instanceof Expr.Bin sh && sh.code == LSH && sh.a instanceof Expr.Bytes b && b.count() == 1
                    && sh.b instanceof Expr.Const two && two.value() == 2) {
                // the header length in bytes as compilers compute it: (ver_ihl << 2) & 0x3c
                ihl.put((long) b.offset(), k.value() / 4);
            }
        }
        Headers h = new Headers();
        h.put(0, 6, "eth.dst");
        h.put(6, 6, "eth.src");
        h.put(12, 2, "eth.type");
        int at = 14;
        Long type = pins.get(key(12, 2));
        for (int tag = 0; tag < 2 && type != null && (type == 0x8100 || type == 0x88a8); tag++) {
            String v = tag == 0 ? "vlan" : "vlan2";
            h.put(at, 2, v + ".tci");
            h.mask(at, 2, 0x0fff, v + ".id");
            h.put(at + 2, 2, v + ".type");
            type = pins.get(key(at + 2, 2));
            at += 4;
        }
        if (type == null) {
            return h;
        }
        int l4;
        Long proto;
        if (type == 0x0800) {
            h.put(at, 1, "ipv4.ver_ihl");
            h.mask(at, 1, 0x0f, "ipv4.ihl");
            h.mask(at, 1, -4, "ipv4.version");
            h.put(at + 1, 1, "ipv4.tos");
            h.put(at + 2, 2, "ipv4.len");
            h.put(at + 4, 2, "ipv4.id");
            h.put(at + 6, 2, "ipv4.frag");
            h.mask(at + 6, 2, 0x1fff, "ipv4.frag_off");
            h.mask(at + 6, 2, 0x3fff, "ipv4.mf_frag_off");
            h.put(at + 8, 1, "ipv4.ttl");
            h.put(at + 9, 1, "ipv4.proto");
            h.put(at + 10, 2, "ipv4.csum");
            h.put(at + 12, 4, "ipv4.src");
            h.put(at + 16, 4, "ipv4.dst");
            proto = pins.get(key(at + 9, 1));
            Long verIhl = pins.get(key(at, 1));
            Long words = ihl.containsKey((long) at) ? ihl.get((long) at) : verIhl != null ? verIhl & 0x0f : null;
            if (words == null || words < 5) {
                return h;
            }
            l4 = at + (int) (4 * words);
        } else if (type == 0x86dd) {
            h.put(at, 4, "ipv6.ver_tc_flow");
            h.put(at + 4, 2, "ipv6.plen");
            h.put(at + 6, 1, "ipv6.nexthdr");
            h.put(at + 7, 1, "ipv6.hlim");
            h.put(at + 8, 16, "ipv6.src");
            h.put(at + 24, 16, "ipv6.dst");
            proto = pins.get(key(at + 6, 1));
            l4 = at + 40;
        } else {
            return h;
        }
        if (proto == null) {
            return h;
        }
        switch (proto.intValue()) {
            case 17 -> {
                h.put(l4, 2, "udp.sport");
                h.put(l4 + 2, 2, "udp.dport");
                h.put(l4 + 4, 2, "udp.len");
                h.put(l4 + 6, 2, "udp.csum");
            }
            case 6 -> {
                h.put(l4, 2, "tcp.sport");
                h.put(l4 + 2, 2, "tcp.dport");
                h.put(l4 + 4, 4, "tcp.seq");
                h.put(l4 + 8, 4, "tcp.ack");
                h.put(l4 + 12, 1, "tcp.doff");
                h.put(l4 + 13, 1, "tcp.flags");
                h.put(l4 + 14, 2, "tcp.win");
            }
            case 1, 58 -> {
                String p = proto == 1 ? "icmp" : "icmp6";
                h.put(l4, 1, p + ".type");
                h.put(l4 + 1, 1, p + ".code");
                h.put(l4 + 2, 2, p + ".csum");
            }
            default -> { }
        }
        return h;
    }

    private void put(int offset, int count, String name) {
        if (count <= 8) {
            fields.put(key(offset, count), name);
        }
    }

    /** A masked field: {@code mask} > 0 is an AND mask, a negative one a right shift by its magnitude. */
    private void mask(int offset, int count, long mask, String name) {
        masked.put(key(offset, count) * 1_000_003L + mask, name);
    }

    private static long key(int offset, int count) {
        return ((long) offset << 8) | count;
    }

    /** The name Render gives {@code e}, if this layout names it. */
    String name(Expr e) {
        if (e instanceof Expr.Bytes b && (b.bigEndian() || b.count() == 1)) {
            return field(b.offset(), b.count());
        }
        if (e instanceof Expr.Bin bin && bin.a instanceof Expr.Bytes b && (b.bigEndian() || b.count() == 1)
                && bin.b instanceof Expr.Const k && !bin.is32) {
            if (bin.code == AND) {
                return masked(b.offset(), b.count(), k.value());
            }
            if (bin.code == RSH) {
                return masked(b.offset(), b.count(), -k.value());
            }
        }
        return null;
    }
}
