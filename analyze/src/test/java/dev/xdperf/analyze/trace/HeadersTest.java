package dev.xdperf.analyze.trace;

import static dev.xdperf.analyze.vm.Opcodes.AND;
import static dev.xdperf.analyze.vm.Opcodes.JEQ;
import static dev.xdperf.analyze.vm.Opcodes.JGT;
import static dev.xdperf.analyze.vm.Opcodes.JNE;
import static dev.xdperf.analyze.vm.Opcodes.JSET;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Conditions read as header fields where the condition itself lays the headers out, raw bytes elsewhere. */
class HeadersTest {
    private static Expr b(int off, int n) {
        return new Expr.Bytes(off, n, true);
    }

    private static Cond eq(Expr a, long v) {
        return Cond.of(JEQ, false, a, new Expr.Const(v));
    }

    private static Expr and(Expr a, long mask) {
        return new Expr.Bin(AND, false, a, new Expr.Const(mask), 0);
    }

    @Test
    void udpOverIpv4WithItsHeaderLengthPinned() {
        PathCondition pc = PathCondition.of(List.of(eq(b(12, 2), 0x0800), eq(and(b(14, 1), 0x0f), 5), eq(b(23, 1), 17),
                eq(b(36, 2), 53), Cond.of(JNE, false, and(b(20, 2), 0x1fff), new Expr.Const(0))));
        assertEquals("eth.type == 0x0800 && ipv4.ihl == 0x05 && ipv4.proto == 0x11 && udp.dport == 0x0035"
                + " && ipv4.frag_off != 0x0000", pc.toNamedString());
        // the raw form stays what it was
        assertEquals("bytes[12..13] == 0x0800 && (bytes[14] & 0x0f) == 0x05 && bytes[23] == 0x11 && bytes[36..37] == 0x0035"
                + " && (bytes[20..21] & 0x1fff) != 0x0000", pc.toString());
    }

    @Test
    void tcpFlagsBehindAVlanTagOverIpv6() {
        PathCondition pc = PathCondition.of(List.of(eq(b(12, 2), 0x8100), eq(and(b(14, 2), 0x0fff), 10), eq(b(16, 2), 0x86dd),
                eq(b(24, 1), 6), Cond.of(JSET, false, b(18 + 40 + 13, 1), new Expr.Const(0x02))));
        assertEquals("eth.type == 0x8100 && vlan.id == 0x000a && vlan.type == 0x86dd && ipv6.nexthdr == 0x06"
                + " && (tcp.flags & 0x02) != 0", pc.toNamedString());
    }

    @Test
    void nothingIsNamedThatTheConditionDoesNotLayOut() {
        // no EtherType pinned: byte 23 is not known to be the IPv4 protocol, and stays raw
        PathCondition pc = PathCondition.of(List.of(Cond.of(JGT, false, new Expr.Len(), new Expr.Const(33)), eq(b(23, 1), 17)));
        assertEquals("len >= 34 && bytes[23] == 0x11", pc.toNamedString());
        // IPv4 without a known header length: the transport header is not named
        PathCondition v4 = PathCondition.of(List.of(eq(b(12, 2), 0x0800), eq(b(23, 1), 17), eq(b(36, 2), 53)));
        assertEquals("eth.type == 0x0800 && ipv4.proto == 0x11 && bytes[36..37] == 0x0035", v4.toNamedString());
    }
}
