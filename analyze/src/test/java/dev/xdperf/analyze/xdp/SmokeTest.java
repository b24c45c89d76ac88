package dev.xdperf.analyze.xdp;

import dev.xdperf.analyze.testing.Packets;
import org.junit.jupiter.api.Test;

class SmokeTest {
    @Test
    void smoke() {
        for (String name : new String[] {"ipv6_filter", "port_filter", "array_counter", "hash_filter", "legacy_maps", "features"}) {
            var spec = Packets.spec(name);
            System.out.println(name + ": " + spec.programs().stream().map(p -> p.name() + "/" + p.length() + " " + p.functions()).toList() + " maps " + spec.maps());
            for (var p : spec.programs()) {
                var m = XdpMachine.builder(spec, p).build();
                for (byte[] pkt : new byte[][] {Packets.ipv4(17, 1000, 53, 40), Packets.ipv6(6, 1000, 22, 40), Packets.ether(0x0800, 10), Packets.ipv4(6, 1, 80, 40)}) {
                    var r = m.run(pkt, true);
                    System.out.println("  " + p.name() + " len " + pkt.length + " -> " + r.verdict() + " insns " + r.instructions()
                        + (r.fault() != null ? " FAULT " + r.fault().getMessage() : "")
                        + " trace: " + (r.trace().traceable() ? r.trace().condition() : "untraceable: " + r.trace().untraceable()));
                }
            }
        }
    }
}
