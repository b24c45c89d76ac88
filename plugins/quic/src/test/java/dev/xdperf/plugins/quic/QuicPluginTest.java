package dev.xdperf.plugins.quic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.ChecksumFiller;
import dev.xdperf.abi.ChecksumRule;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.PluginDescription;
import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.abi.TemplateValidator;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the plugin generates, decrypted and taken apart again by an independent reader. */
class QuicPluginTest {
    static final QuicPlugin PLUGIN = new QuicPlugin();
    static final PluginDescription DESCRIPTION = PLUGIN.describe();

    static RunRequest request(int frameSize, int mtu, Map<String, String> options, String... addrs) throws Exception {
        List<InetAddress> src = addrs.length == 0 ? List.of(InetAddress.getByName("198.18.0.1"), InetAddress.getByName("fd00:5844::1"))
                : List.of(InetAddress.getByName(addrs[0]));
        List<InetAddress> dst = addrs.length == 0 ? List.of(InetAddress.getByName("198.18.0.2"), InetAddress.getByName("fd00:5844::2"))
                : List.of(InetAddress.getByName(addrs[1]));
        return new RunRequest(AbiVersion.HOST, mtu, 2, new byte[] {2, 0, 0, 0, 0, 1}, new byte[] {2, 0, 0, 0, 0, 2}, frameSize, 7,
                src, dst, DESCRIPTION.resolveOptions(options));
    }

    static TemplateSet generate(Map<String, String> options) throws Exception {
        TemplateSet set = PLUGIN.generate(request(0, 1500, options));
        TemplateValidator.validate(set, 1500);
        return set;
    }

    /** The UDP payload of a template, after checking Ethernet, IP and UDP around it (checksums as the host fills them in). */
    static byte[] udpPayload(PacketTemplate t, int dstPort) {
        byte[] f = ChecksumFiller.fill(t).frame();
        assertTrue(ChecksumFiller.verifies(t, f));
        ByteBuffer b = ByteBuffer.wrap(f);
        boolean v6 = b.getShort(12) == (short) 0x86dd;
        int l4 = 14 + (v6 ? 40 : 20);
        if (!v6) {
            assertEquals(0x45, f[14] & 0xff);
            assertEquals(f.length - 14, b.getShort(16) & 0xffff, "IPv4 total length");
            assertEquals(0x4000, b.getShort(20) & 0xffff, "don't fragment");
            assertEquals(17, f[23]);
            assertEquals(List.of(ChecksumRule.ipv4Header(14), ChecksumRule.of(ChecksumRule.Kind.UDP, 14, 34)), t.checksums());
        } else {
            assertEquals(6, (f[14] & 0xff) >> 4);
            assertEquals(f.length - 54, b.getShort(18) & 0xffff, "IPv6 payload length");
            assertEquals(17, f[20]);
            assertEquals(List.of(ChecksumRule.of(ChecksumRule.Kind.UDP, 14, 54)), t.checksums());
        }
        assertEquals(dstPort, b.getShort(l4 + 2) & 0xffff);
        assertEquals(f.length - l4, b.getShort(l4 + 4) & 0xffff, "UDP length");
        assertEquals(0, t.mhOffset(), "no measurement header: the payload is encrypted");
        assertEquals(List.of(), t.fields(), "no field rules: nothing in a protected packet may change");
        return Arrays.copyOfRange(f, l4 + 8, f.length);
    }

    @Test
    void describesItsOptions() {
        assertEquals("quic", DESCRIPTION.id());
        assertEquals(AbiVersion.HOST, DESCRIPTION.abi());
        assertEquals(List.of("mode", "flows", "version", "sni", "alpn", "dst-port", "src-ports", "ipv6", "dcid", "dcid-len",
                "scid", "scid-len", "seed"), DESCRIPTION.options().stream().map(o -> o.name()).toList());
    }

    @Test
    void everyFlowIsAProtectedInitialWithAClientHelloThatParsesBack() throws Exception {
        TemplateSet set = generate(Map.of("flows", "5", "sni", "quic.example.net", "alpn", "h3, hq-interop", "src-ports", "40000-40002"));
        assertEquals(5, set.templates().size());
        Set<String> dcids = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            PacketTemplate t = set.templates().get(i);
            assertEquals(7, t.streamId(), "the run's stream");
            byte[] quic = udpPayload(t, 443);
            assertEquals(1200, quic.length, "exactly the minimum datagram");
            assertEquals(40000 + i % 3, ByteBuffer.wrap(t.frame()).getShort(34) & 0xffff, "source ports in turn");
            InitialReader.Packet p = InitialReader.open(quic);
            assertEquals(1, p.version());
            assertEquals(8, p.dcid().length);
            assertEquals(8, p.scid().length);
            assertTrue(dcids.add(java.util.HexFormat.of().formatHex(p.dcid())), "each flow its own connection");
            assertEquals(0, p.packetNumber());
            InitialReader.Hello h = InitialReader.clientHello(InitialReader.cryptoData(p.payload()));
            assertEquals("quic.example.net", h.sni());
            assertEquals(List.of("h3", "hq-interop"), h.alpn());
            assertEquals(Set.of(0x001d), h.keyShares().keySet());
            assertEquals(32, h.keyShares().get(0x001d).length);
            assertEquals(List.of(0x0304), h.versions());
            assertArrayEquals(p.scid(), h.transportParameters().get(0x0fL), "initial_source_connection_id is the SCID");
            assertEquals(30_000, InitialReader.varint(h.transportParameters().get(0x01L)));
            assertFalse(h.transportParameters().containsKey(0x11L), "version_information only for v2");
        }
    }

    @Test
    void keySharesAreRealX25519PublicKeys() throws Exception {
        byte[] quic = udpPayload(generate(Map.of()).templates().get(0), 443);
        byte[] share = InitialReader.clientHello(InitialReader.cryptoData(InitialReader.open(quic).payload())).keyShares().get(0x001d);
        // agreeing with our own fresh key pair must work and give a non-zero secret
        var kpg = java.security.KeyPairGenerator.getInstance("X25519");
        var mine = kpg.generateKeyPair();
        byte[] le = share.clone();
        for (int i = 0; i < 16; i++) {
            byte x = le[i];
            le[i] = le[31 - i];
            le[31 - i] = x;
        }
        var theirs = java.security.KeyFactory.getInstance("XDH").generatePublic(new java.security.spec.XECPublicKeySpec(
                java.security.spec.NamedParameterSpec.X25519, new java.math.BigInteger(1, le)));
        var ka = javax.crypto.KeyAgreement.getInstance("X25519");
        ka.init(mine.getPrivate());
        ka.doPhase(theirs, true);
        assertFalse(Arrays.equals(new byte[32], ka.generateSecret()));
    }

    @Test
    void version2UsesItsOwnVersionPacketTypeKeysAndVersionInformation() throws Exception {
        byte[] quic = udpPayload(generate(Map.of("version", "2")).templates().get(0), 443);
        assertEquals(0x6b3343cf, ByteBuffer.wrap(quic).getInt(1));
        assertEquals(0b01, (quic[0] & 0x30) >> 4, "Initial is type 0b01 in version 2");
        InitialReader.Packet p = InitialReader.open(quic);
        byte[] info = InitialReader.clientHello(InitialReader.cryptoData(p.payload())).transportParameters().get(0x11L);
        assertEquals(12, info.length);
        assertEquals(0x6b3343cf, ByteBuffer.wrap(info).getInt(0), "chosen version");
    }

    @Test
    void aSeedMakesRunsRepeatableAndConfiguredIdsAreUsed() throws Exception {
        Map<String, String> seeded = Map.of("flows", "3", "seed", "42");
        assertEquals(generate(seeded), generate(seeded));
        assertNotEquals(generate(Map.of("flows", "3", "seed", "43")), generate(seeded));
        assertNotEquals(generate(Map.of("flows", "3")), generate(Map.of("flows", "3")), "unseeded: new ids every run");

        TemplateSet set = generate(Map.of("dcid", "0001020304050607080910", "scid", "", "scid-len", "0", "sni", ""));
        InitialReader.Packet p = InitialReader.open(udpPayload(set.templates().get(0), 443));
        assertArrayEquals(java.util.HexFormat.of().parseHex("0001020304050607080910"), p.dcid());
        assertEquals(0, p.scid().length);
        InitialReader.Hello h = InitialReader.clientHello(InitialReader.cryptoData(p.payload()));
        assertEquals(null, h.sni(), "sni= leaves the extension out");
        assertFalse(h.extensionOrder().contains(0));
    }

    @Test
    void ipv6AndLargerFrames() throws Exception {
        TemplateSet set = PLUGIN.generate(request(1400, 1500, Map.of("ipv6", "true", "dst-port", "8443")));
        TemplateValidator.validate(set, 1500);
        PacketTemplate t = set.templates().get(0);
        assertEquals(1400, t.length(), "--size makes the Initial bigger (more PADDING)");
        byte[] quic = udpPayload(t, 8443);
        assertEquals(1400 - 62, quic.length);
        InitialReader.open(quic);
        // a run with only IPv6 addresses picks IPv6 by itself
        TemplateSet v6 = PLUGIN.generate(request(0, 1500, Map.of(), "fd00:5844::1", "fd00:5844::2"));
        assertEquals(14 + 40 + 8 + 1200, v6.templates().get(0).length());
    }

    @Test
    void versionNegotiationProbesCarryAReservedVersion() throws Exception {
        TemplateSet set = generate(Map.of("mode", "vn-probe", "flows", "4", "seed", "7"));
        Set<Integer> versions = new HashSet<>();
        for (PacketTemplate t : set.templates()) {
            byte[] quic = udpPayload(t, 443);
            assertEquals(1200, quic.length, "at least 1200 bytes, or a server need not answer");
            assertEquals(0xc0, quic[0] & 0xc0, "long header");
            int version = ByteBuffer.wrap(quic).getInt(1);
            assertTrue(QuicVersion.isReserved(version), Integer.toHexString(version));
            versions.add(version);
            assertEquals(8, quic[5], "DCID length");
        }
        assertTrue(versions.size() > 1, "greasing versions vary: " + versions);
    }

    @Test
    void impossibleRunsAreRefusedInOneSentence() throws Exception {
        assertEquals("a frame of 1000 bytes is too small for a QUIC Initial: it needs at least 1242 (a 1200-byte UDP payload)",
                assertThrows(IllegalArgumentException.class, () -> PLUGIN.generate(request(1000, 1500, Map.of()))).getMessage());
        assertEquals("the interface's MTU of 1200 is too small for 1228-byte QUIC Initial datagrams (they need a 1200-byte"
                + " UDP payload)", assertThrows(IllegalArgumentException.class, () -> PLUGIN.generate(request(0, 1200, Map.of()))).getMessage());
        assertEquals("the run has no IPv6 destination address (option ipv6=true asks for IPv6; run the client with --ipv6)",
                assertThrows(IllegalArgumentException.class,
                        () -> PLUGIN.generate(request(0, 1500, Map.of("ipv6", "true"), "198.18.0.1", "198.18.0.2"))).getMessage());
        assertEquals("option dcid=0102 has 2 bytes; it needs 8..20",
                assertThrows(IllegalArgumentException.class, () -> PLUGIN.generate(request(0, 1500, Map.of("dcid", "0102")))).getMessage());
        assertEquals("option scid=xyz is not hexadecimal",
                assertThrows(IllegalArgumentException.class, () -> PLUGIN.generate(request(0, 1500, Map.of("scid", "xyz")))).getMessage());
        String longAlpn = String.join(",", java.util.Collections.nCopies(40, "a-rather-long-protocol-name"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PLUGIN.generate(request(0, 1500, Map.of("alpn", longAlpn))))
                .getMessage().contains("(shorten sni or alpn)"));
    }
}
