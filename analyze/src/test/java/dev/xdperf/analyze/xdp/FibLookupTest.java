package dev.xdperf.analyze.xdp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.analyze.Analysis;
import dev.xdperf.analyze.Analyzer;
import dev.xdperf.analyze.fib.Fib;
import dev.xdperf.analyze.testing.Kernel;
import dev.xdperf.analyze.testing.Netns;
import dev.xdperf.analyze.testing.Packets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bpf_fib_lookup in the interpreter against the kernel's: a namespace with two links, a
 * direct and a gatewayed route, blackhole, unreachable and prohibit routes, a link with a
 * small MTU, a local address and a neighbour missing; a router program over packets to each.
 * The interpreter takes the same tables from the namespace (--fib host) and from a file.
 */
class FibLookupTest {
    @TempDir
    Path dir;

    static int ip4(int a, int b, int c, int d) {
        return a << 24 | b << 16 | c << 8 | d;
    }

    static List<byte[]> traffic() {
        int[] dsts = {ip4(10, 1, 0, 1), ip4(10, 1, 0, 9), ip4(10, 2, 3, 4), ip4(10, 3, 0, 1), ip4(10, 4, 0, 1),
                ip4(10, 5, 0, 1), ip4(10, 6, 0, 1), ip4(10, 1, 0, 2), ip4(192, 0, 2, 1)};
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < 90; i++) {
            int dst = dsts[i % dsts.length];
            int payload = i % 2 == 0 ? 40 : 1400;  // over the 1280-byte MTU of the second link
            byte[] p = Packets.ipv4(Packets.UDP, ip4(10, 9, 0, 1), dst, 1000 + i, 53, payload, 5);
            if (i % 10 == 7) {
                p[22] = 1;  // TTL 1: not routed
            }
            out.add(p);
        }
        return out;
    }

    static final String FILE = """
            {"links": [{"ifindex": 1, "ifname": "lo", "mtu": 65536, "address": "00:00:00:00:00:00"},
                       {"ifindex": 2, "ifname": "d0", "mtu": 1500, "address": "02:00:00:00:0d:00"},
                       {"ifindex": 3, "ifname": "d1", "mtu": 1280, "address": "02:00:00:00:0d:01"}],
             "routes": [{"dst": "10.1.0.0/24", "dev": "d0"},
                        {"dst": "10.2.0.0/16", "gateway": "10.1.0.254", "dev": "d0"},
                        {"dst": "10.3.0.0/16", "type": "blackhole"},
                        {"dst": "10.4.0.0/16", "type": "unreachable"},
                        {"dst": "10.5.0.0/16", "type": "prohibit"},
                        {"dst": "10.6.0.0/24", "dev": "d1"},
                        {"dst": "10.1.0.2", "type": "local", "dev": "d0"}],
             "neighbours": [{"dst": "10.1.0.1", "dev": "d0", "lladdr": "02:00:00:00:00:a1", "state": ["PERMANENT"]},
                            {"dst": "10.1.0.254", "dev": "d0", "lladdr": "02:00:00:00:00:fe", "state": ["PERMANENT"]},
                            {"dst": "10.6.0.1", "dev": "d1", "lladdr": "02:00:00:00:00:61", "state": ["REACHABLE"]}]}
            """;

    @Test
    void theRouterFollowsTheTablesFromAFile() throws Exception {
        Path f = dir.resolve("fib.json");
        Files.writeString(f, FILE);
        Fib fib = Fib.read(f);
        Analysis a = Analyzer.builder(Packets.spec("fib_router")).program("fib_router_lo").fib(fib).build().run(traffic());
        // 10.1.0.1, 10.2.3.4 and small packets to 10.6.0.1 are forwarded unless TTL 1; 10.3-10.5 dropped; the rest passed
        assertEquals(Map.of("XDP_REDIRECT", 23L, "XDP_DROP", 27L, "XDP_PASS", 40L), a.verdicts(), a.toText());
        assertEquals(0, a.untraceablePackets(), a.toText());
        assertTrue(a.toText().contains("fib["), a.toText());
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"routes\": [{\"dst\": \"10.0.0.0/33\", \"dev\": \"x\"}]}");
        assertEquals("read fib file " + bad + ": route 1: prefix length of 10.0.0.0/33 is out of range",
                assertThrows(IllegalArgumentException.class, () -> Fib.read(bad)).getMessage());
    }

    @Test
    void theKernelAgreesWithTheHostsTablesAndTheFile() throws Exception {
        Kernel.require();
        try (Netns ns = Netns.create("xdperf-fib")) {
            ns.ip("link", "set", "lo", "up");
            ns.ip("link", "add", "d0", "address", "02:00:00:00:0d:00", "type", "veth", "peer", "name", "p0");
            ns.ip("link", "add", "d1", "mtu", "1280", "address", "02:00:00:00:0d:01", "type", "veth", "peer", "name", "p1");
            ns.ip("link", "set", "p1", "mtu", "1280");
            for (String l : List.of("d0", "p0", "d1", "p1")) {
                ns.ip("link", "set", l, "up");
            }
            ns.ip("addr", "add", "10.1.0.2/24", "dev", "d0");
            ns.ip("addr", "add", "10.6.0.2/24", "dev", "d1");
            ns.ip("route", "add", "10.2.0.0/16", "via", "10.1.0.254", "dev", "d0");
            ns.ip("route", "add", "blackhole", "10.3.0.0/16");
            ns.ip("route", "add", "unreachable", "10.4.0.0/16");
            ns.ip("route", "add", "prohibit", "10.5.0.0/16");
            ns.ip("neigh", "add", "10.1.0.1", "lladdr", "02:00:00:00:00:a1", "dev", "d0", "nud", "permanent");
            ns.ip("neigh", "add", "10.1.0.254", "lladdr", "02:00:00:00:00:fe", "dev", "d0", "nud", "permanent");
            ns.ip("neigh", "add", "10.6.0.1", "lladdr", "02:00:00:00:00:61", "dev", "d1", "nud", "permanent");
            ns.exec("sysctl", "-qw", "net.ipv4.conf.all.forwarding=1");
            ns.enter();
            Fib host = Fib.host();
            assertTrue(host.links().stream().anyMatch(l -> l.name().equals("d1") && l.mtu() == 1280), host.describe());
            Path f = dir.resolve("fib.json");
            Files.writeString(f, FILE.replace("\"d0\"", "\"d0\"").replace("\"ifindex\": 2", "\"ifindex\": " + ifindex(host, "d0"))
                    .replace("\"ifindex\": 3", "\"ifindex\": " + ifindex(host, "d1")));
            for (String program : List.of("fib_router", "fib_router_lo")) {
                for (Fib fib : List.of(host, Fib.read(f))) {
                    Analyzer an = Analyzer.builder(Packets.spec("fib_router")).program(program).fib(fib).build();
                    assertEquals(List.of(), StatefulProgramsTest.compare("fib_router", program, an, traffic(), List.of()),
                            program + " with " + fib.describe());
                }
            }
        }
    }

    static int ifindex(Fib f, String name) {
        return f.links().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow().ifindex();
    }
}
