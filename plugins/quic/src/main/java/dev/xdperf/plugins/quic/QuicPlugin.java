package dev.xdperf.plugins.quic;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.OptionSpec;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.PluginDescription;
import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplatePlugin;
import dev.xdperf.abi.TemplateSet;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.security.spec.NamedParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.pf4j.Extension;

/**
 * QUIC client Initial packets (RFC 9000, RFC 9001; version 2 of RFC 9369), complete and
 * protected: a TLS 1.3 ClientHello in a CRYPTO frame, padded to at least 1200 bytes, encrypted
 * with the Initial keys of a Destination Connection ID of its own per flow. Encryption cannot
 * be varied per packet in XDP, so each flow is one template. Optionally, version negotiation
 * probes instead: long headers with a reserved version.
 */
@Extension
public final class QuicPlugin implements TemplatePlugin {
    static final String ID = "quic";
    /** Packet numbers are written in four bytes, as RFC 9001's example does; every flow sends packet 0. */
    static final int PN_LENGTH = 4;

    @Override
    public PluginDescription describe() {
        return PluginDescription.builder(ID, version(), ABI_MAJOR, ABI_MINOR)
                .description("QUIC client Initial packets (v1, RFC 9000/9001; v2, RFC 9369) with a TLS 1.3 ClientHello,"
                        + " protected with per-connection Initial keys; or version negotiation probes")
                .license("Apache-2.0")
                .option(OptionSpec.choice("mode", List.of("initial", "vn-probe"), "initial",
                        "initial: client Initials; vn-probe: long headers with a reserved version (0x?a?a?a?a)"))
                .option(OptionSpec.integer("flows", 1, 1, TemplateSet.MAX_TEMPLATES,
                        "connections, one template each (its own connection ids, keys, ClientHello)"))
                .option(OptionSpec.choice("version", List.of("1", "2"), "1", "QUIC version: 1, or 2 (0x6b3343cf)"))
                .option(OptionSpec.string("sni", "example.com", "server name in the ClientHello; empty: none"))
                .option(OptionSpec.string("alpn", "h3", "ALPN protocols, comma-separated; empty: none"))
                .option(OptionSpec.integer("dst-port", 443, 1, 65535, "UDP destination port"))
                .option(OptionSpec.of("src-ports", "port-range", "49152-65535", "UDP source ports the flows take in turn"))
                .option(OptionSpec.bool("ipv6", false, "send over IPv6 even when the run has IPv4 addresses"))
                .option(OptionSpec.string("dcid", "", "Destination Connection ID in hex (8..20 bytes) for every flow;"
                        + " empty: random per flow"))
                .option(OptionSpec.integer("dcid-len", 8, 8, 20, "length of random Destination Connection IDs"))
                .option(OptionSpec.string("scid", "", "Source Connection ID in hex (0..20 bytes) for every flow;"
                        + " empty: random per flow"))
                .option(OptionSpec.integer("scid-len", 8, 0, 20, "length of random Source Connection IDs"))
                .option(OptionSpec.integer("seed", 0, 0, Long.MAX_VALUE, "seed for connection ids, randoms and key"
                        + " shares; 0: different every run"))
                .build();
    }

    @Override
    public TemplateSet generate(RunRequest r) {
        Map<String, String> o = new HashMap<>();
        r.options().forEach(e -> o.put(e.getKey(), e.getValue()));
        boolean probe = o.getOrDefault("mode", "initial").equals("vn-probe");
        int flows = Integer.parseInt(o.getOrDefault("flows", "1"));
        QuicVersion version = QuicVersion.of(o.getOrDefault("version", "1"));
        String sni = o.getOrDefault("sni", "example.com").trim();
        List<String> alpn = Arrays.stream(o.getOrDefault("alpn", "h3").split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
        int dstPort = Integer.parseInt(o.getOrDefault("dst-port", "443"));
        int[] ports = portRange(o.getOrDefault("src-ports", "49152-65535"));
        byte[] dcid = connectionId("dcid", o.getOrDefault("dcid", ""), 8);
        byte[] scid = connectionId("scid", o.getOrDefault("scid", ""), 0);
        int dcidLength = Integer.parseInt(o.getOrDefault("dcid-len", "8"));
        int scidLength = Integer.parseInt(o.getOrDefault("scid-len", "8"));
        long seed = Long.parseLong(o.getOrDefault("seed", "0"));

        boolean ipv6 = pickIpv6(r, Boolean.parseBoolean(o.getOrDefault("ipv6", "false")));
        InetAddress dst = first(r.dstAddrs(), ipv6, "destination");
        InetAddress src = first(r.srcAddrs(), ipv6, "source");
        int overhead = Datagram.ETH + Datagram.ipHeaderLength(ipv6) + Datagram.UDP;
        int datagram = Math.max(InitialPacket.MIN_DATAGRAM, r.frameSize() > 0 ? r.frameSize() - overhead : 0);
        if (r.frameSize() > 0 && r.frameSize() - overhead < InitialPacket.MIN_DATAGRAM) {
            throw new IllegalArgumentException("a frame of " + r.frameSize() + " bytes is too small for a QUIC Initial: it needs"
                    + " at least " + (overhead + InitialPacket.MIN_DATAGRAM) + " (a 1200-byte UDP payload)");
        }
        if (datagram + overhead - Datagram.ETH > r.mtu()) {
            throw new IllegalArgumentException("the interface's MTU of " + r.mtu() + " is too small for " + (datagram + overhead - Datagram.ETH)
                    + "-byte QUIC Initial datagrams (they need a 1200-byte UDP payload)");
        }

        SecureRandom rng = random(seed);
        KeyPairGenerator x25519 = x25519(rng);
        List<PacketTemplate> templates = new ArrayList<>();
        for (int i = 0; i < flows; i++) {
            byte[] d = dcid != null ? dcid : bytes(rng, dcidLength);
            byte[] s = scid != null ? scid : bytes(rng, scidLength);
            byte[] quic;
            if (probe) {
                int reserved = rng.nextInt() & 0xf0f0f0f0 | 0x0a0a0a0a;
                quic = InitialPacket.versionProbe(reserved, d, s, bytes(rng, datagram), datagram);
            } else {
                byte[] hello = new ClientHello(bytes(rng, 32), sni, alpn, publicKey(x25519),
                        ClientHello.transportParameters(s, version)).encode();
                byte[] frames = InitialPacket.cryptoFrame(0, hello);
                int room = InitialPacket.payloadLength(datagram, d, s, new byte[0], PN_LENGTH);
                if (frames.length > room) {
                    throw new IllegalArgumentException("the ClientHello takes " + frames.length + " bytes, more than the " + room
                            + " an Initial of " + datagram + " bytes has room for (shorten sni or alpn)");
                }
                quic = InitialPacket.build(version, d, s, new byte[0], 0, PN_LENGTH, frames, datagram);
            }
            int srcPort = ports[0] + i % (ports[1] - ports[0] + 1);
            templates.add(Datagram.template(r.srcMac(), r.dstMac(), src, dst, srcPort, dstPort, quic, r.streamBase()));
        }
        return new TemplateSet(new AbiVersion(ABI_MAJOR, ABI_MINOR), templates);
    }

    /** IPv6 when asked for, or when the run has IPv6 addresses and no IPv4 destination (the SDK's rule). */
    static boolean pickIpv6(RunRequest r, boolean force) {
        if (force) {
            return true;
        }
        boolean dst4 = r.dstAddrs().stream().anyMatch(a -> a instanceof Inet4Address);
        boolean any6 = r.dstAddrs().stream().anyMatch(a -> a instanceof Inet6Address)
                || r.srcAddrs().stream().anyMatch(a -> a instanceof Inet6Address);
        return !dst4 && any6;
    }

    private static InetAddress first(List<InetAddress> addrs, boolean ipv6, String what) {
        return addrs.stream().filter(a -> ipv6 ? a instanceof Inet6Address : a instanceof Inet4Address).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("the run has no IPv" + (ipv6 ? 6 : 4) + " " + what + " address"
                        + (ipv6 ? " (option ipv6=true asks for IPv6; run the client with --ipv6)" : "")));
    }

    static int[] portRange(String text) {
        String[] p = text.trim().split("-");
        int lo = Integer.parseInt(p[0].trim());
        int hi = p.length == 2 ? Integer.parseInt(p[1].trim()) : lo;
        if (lo < 1 || hi > 65535 || lo > hi) {
            throw new IllegalArgumentException("src-ports " + text + " is not a range within 1-65535");
        }
        return new int[] {lo, hi};
    }

    /** A configured connection id, or null for "random per flow". */
    static byte[] connectionId(String option, String hex, int minLength) {
        if (hex.isBlank()) {
            return null;
        }
        byte[] id;
        try {
            id = HexFormat.of().parseHex(hex.trim().replace(":", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("option " + option + "=" + hex + " is not hexadecimal");
        }
        if (id.length < minLength || id.length > 20) {
            throw new IllegalArgumentException("option " + option + "=" + hex + " has " + id.length + " bytes; it needs "
                    + minLength + "..20");
        }
        return id;
    }

    /** Seeded: the same bytes every run (SHA1PRNG seeded before first use is deterministic); else the system's. */
    static SecureRandom random(long seed) {
        if (seed == 0) {
            return new SecureRandom();
        }
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this JDK has no SHA1PRNG for seeded runs", e);
        }
    }

    private static KeyPairGenerator x25519(SecureRandom rng) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("XDH");
            g.initialize(NamedParameterSpec.X25519, rng);
            return g;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no X25519 (XDH)", e);
        }
    }

    /** The raw 32-byte X25519 public key: the end of its X.509 encoding. The private key is not kept: no handshake follows. */
    static byte[] publicKey(KeyPairGenerator g) {
        byte[] spki = g.generateKeyPair().getPublic().getEncoded();
        return Arrays.copyOfRange(spki, spki.length - 32, spki.length);
    }

    private static byte[] bytes(SecureRandom rng, int n) {
        byte[] b = new byte[n];
        rng.nextBytes(b);
        return b;
    }

    static String version() {
        try (InputStream in = QuicPlugin.class.getResourceAsStream("/xdperf-quic.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "0.0.0");
        } catch (IOException e) {
            return "0.0.0";
        }
    }
}
