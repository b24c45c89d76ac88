package dev.xdperf.abi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AbiCodecTest {
    static PacketTemplate basic() {
        return GoldenVectorsTest.sets().get("set-basic").templates().get(0);
    }

    static TemplateSet with(FieldRule... rules) {
        PacketTemplate b = basic();
        return new TemplateSet(AbiVersion.HOST, List.of(new PacketTemplate(b.frame(), 0, 1, 10, b.mhOffset(),
                List.of(rules), b.checksums())));
    }

    static void refused(TemplateSet set, String fragment) {
        AbiException e = assertThrows(AbiException.class, () -> TemplateValidator.validate(set, 1500));
        assertTrue(e.getMessage().contains(fragment), "expected '" + fragment + "' in: " + e.getMessage());
    }

    @Test
    void validatorNamesTemplateRuleAndValue() {
        refused(with(FieldRule.increment(62, 4, FieldRule.Scope.PACKET, 0, 10, 1)), "template 0 field rule 0: bytes 62..65 are outside the 64-byte frame");
        refused(with(FieldRule.increment(34, 3, FieldRule.Scope.PACKET, 0, 10, 1)), "field rule 0: width 3 is not 1, 2, 4 or 8");
        refused(with(FieldRule.increment(34, 2, FieldRule.Scope.PACKET, 10, 5, 1)), "min 10 is above max 5");
        refused(with(FieldRule.increment(34, 1, FieldRule.Scope.PACKET, 0, 256, 1)), "max 256 does not fit 1 bytes");
        refused(with(FieldRule.increment(34, 2, FieldRule.Scope.PACKET, 0, 10, 0)), "step 0");
        refused(with(FieldRule.list(34, 2, FieldRule.Scope.PACKET, List.of())), "a list holds 1..256 values, not 0");
        refused(with(FieldRule.increment(39, 2, FieldRule.Scope.PACKET, 0, 10, 1)), "overlap the checksum of checksum rule 1");
        refused(with(FieldRule.increment(44, 2, FieldRule.Scope.PACKET, 0, 10, 1)), "overlap the measurement header");
        refused(with(FieldRule.increment(34, 2, FieldRule.Scope.PACKET, 0, 10, 1),
                FieldRule.increment(35, 1, FieldRule.Scope.PACKET, 0, 10, 1)), "field rule 1: bytes 35..35 overlap field rule 0");
        PacketTemplate b = basic();
        PacketTemplate twice = new PacketTemplate(b.frame(), 0, 1, 1, 0, List.of(),
                List.of(ChecksumRule.of(ChecksumRule.Kind.UDP, 14, 34), ChecksumRule.of(ChecksumRule.Kind.UDP, 14, 34)));
        AbiException dup = assertThrows(AbiException.class,
                () -> TemplateValidator.validate(new TemplateSet(AbiVersion.HOST, List.of(twice)), 1500));
        assertTrue(dup.getMessage().contains("checksum rule 1 (udp): its checksum at 40 overlaps the checksum of checksum rule 0"),
                dup.getMessage());
        PacketTemplate odd = new PacketTemplate(b.frame(), 0, 1, 1, 0, List.of(),
                List.of(ChecksumRule.of(ChecksumRule.Kind.UDP, 14, 35)));
        AbiException oddE = assertThrows(AbiException.class,
                () -> TemplateValidator.validate(new TemplateSet(AbiVersion.HOST, List.of(odd)), 1500));
        assertTrue(oddE.getMessage().contains("must start at even offsets"), oddE.getMessage());
        PacketTemplate huge = new PacketTemplate(new byte[1514], 0, 1, 1, 0, List.of(), List.of());
        AbiException mtu = assertThrows(AbiException.class,
                () -> TemplateValidator.validate(new TemplateSet(AbiVersion.HOST, List.of(b, huge)), 1400));
        assertTrue(mtu.getMessage().contains("template 1: frame length 1514 exceeds the interface MTU 1400"), mtu.getMessage());
    }

    @Test
    void decoderRefusesMalformedBytes() {
        byte[] good = AbiCodec.encode(with(FieldRule.increment(34, 2, FieldRule.Scope.PACKET, 0, 10, 1)));
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertTrue(assertThrows(AbiException.class, () -> AbiCodec.decodeSet(trailing)).getMessage().contains("1 trailing bytes"));
        byte[] truncated = Arrays.copyOf(good, good.length - 3);
        assertTrue(assertThrows(AbiException.class, () -> AbiCodec.decodeSet(truncated)).getMessage().contains("truncated"));
        byte[] magic = good.clone();
        magic[0] = 'Y';
        assertTrue(assertThrows(AbiException.class, () -> AbiCodec.decodeSet(magic)).getMessage().contains("bad magic"));
        byte[] op = good.clone();
        int fieldStart = 12 + 16 + 64;
        op[fieldStart + 3] = 9;
        assertTrue(assertThrows(AbiException.class, () -> AbiCodec.decodeSet(op)).getMessage()
                .contains("template 0 field rule 0: operation 9"));
        byte[] reserved = good.clone();
        reserved[10] = 1;
        assertTrue(assertThrows(AbiException.class, () -> AbiCodec.decodeSet(reserved)).getMessage().contains("reserved byte"));
        assertThrows(AbiException.class, () -> AbiCodec.decodeSet(new byte[0]));
    }

    @Test
    void versionNegotiation() {
        AbiVersion host = new AbiVersion(1, 2);
        assertTrue(new AbiVersion(1, 0).acceptedBy(host));
        assertTrue(new AbiVersion(1, 2).acceptedBy(host));
        AbiException newer = assertThrows(AbiException.class, () -> new AbiVersion(1, 3).requireAcceptedBy(host, "tcp"));
        assertEquals("plugin tcp: built for template ABI 1.3, this xdperf supports 1.2 (a newer minor)", newer.getMessage());
        AbiException major = assertThrows(AbiException.class, () -> new AbiVersion(2, 0).requireAcceptedBy(host, "tcp"));
        assertEquals("plugin tcp: built for template ABI 2.0, this xdperf supports 1.2", major.getMessage());
        assertEquals(new AbiVersion(1, 2), AbiVersion.fromPacked(new AbiVersion(1, 2).packed()));
    }
}
