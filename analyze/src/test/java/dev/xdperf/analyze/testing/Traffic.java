package dev.xdperf.analyze.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Reproducible mixed traffic for tests: IPv4 (with and without options) and IPv6, UDP and TCP, other EtherTypes, odd lengths, flipped bytes. */
public final class Traffic {
    private Traffic() {}

    private static final int[] PORTS = {22, 23, 53, 80, 443, 5201, 8080};

    public static List<byte[]> mixed(long seed, int n, int minLength) {
        SplittableRandom r = new SplittableRandom(seed);
        List<byte[]> out = new ArrayList<>();
        while (out.size() < n) {
            int kind = r.nextInt(10);
            int proto = r.nextBoolean() ? Packets.UDP : Packets.TCP;
            int sport = r.nextInt(4) == 0 ? r.nextInt(65536) : PORTS[r.nextInt(PORTS.length)];
            int dport = r.nextInt(4) == 0 ? r.nextInt(65536) : PORTS[r.nextInt(PORTS.length)];
            int payload = 32 + r.nextInt(64);
            byte[] p = switch (kind) {
                case 0, 1, 2, 3 -> Packets.ipv4(proto, 0xc6120000 | r.nextInt(8), 0xc6120002, sport, dport, payload, 5);
                case 4 -> Packets.ipv4(proto, 0xc6120000 | r.nextInt(8), 0xc6120002, sport, dport, payload, 5 + r.nextInt(4));
                case 5, 6, 7 -> Packets.ipv6(proto, sport, dport, payload);
                case 8 -> Packets.ether(r.nextBoolean() ? 0x0806 : 0x88cc, 14 + r.nextInt(80));
                default -> Packets.ether(r.nextBoolean() ? 0x0800 : 0x86dd, 14 + r.nextInt(60));
            };
            if (r.nextInt(5) == 0) {
                int flips = 1 + r.nextInt(3);
                for (int i = 0; i < flips; i++) {
                    int at = 12 + r.nextInt(Math.max(1, Math.min(p.length - 12, 48)));
                    if (at < p.length) {
                        p[at] = (byte) r.nextInt(256);
                    }
                }
            }
            if (r.nextInt(8) == 0) {
                p = java.util.Arrays.copyOf(p, Math.max(minLength, r.nextInt(p.length + 1)));
            }
            if (p.length >= minLength) {
                out.add(p);
            }
        }
        return out;
    }
}
