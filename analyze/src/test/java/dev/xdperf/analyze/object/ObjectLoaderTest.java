package dev.xdperf.analyze.object;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.analyze.testing.Packets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The ELF loader on objects clang built in this build, and on broken ones. */
class ObjectLoaderTest {
    @Test
    void btfMapsGlobalDataAndSubprograms() {
        ObjectSpec o = Packets.spec("features");
        assertEquals(List.of("features", "atomics", "reshape", "redirect"), o.programs().stream().map(ProgramSpec::name).toList());
        assertEquals("Dual BSD/GPL", o.license());

        MapSpec stats = o.map("stats").orElseThrow();
        assertEquals(MapType.ARRAY, stats.type());
        assertEquals(4, stats.keySize());
        assertEquals(8, stats.valueSize());
        assertEquals(8, stats.maxEntries());
        assertEquals(MapType.PERCPU_ARRAY, o.map("percpu").orElseThrow().type());
        assertEquals(MapType.LRU_HASH, o.map("flows").orElseThrow().type());
        MapSpec ports = o.map("ports").orElseThrow();
        assertEquals(MapType.HASH, ports.type());
        assertEquals(2, ports.keySize(), "key size from __type(key, __u16)");
        assertEquals(MapType.DEVMAP, o.map("targets").orElseThrow().type());

        MapSpec rodata = o.map(".rodata").orElseThrow();
        assertTrue(rodata.readOnly() && rodata.globalData());
        assertEquals(1, rodata.maxEntries());
        assertArrayEquals(new byte[] {0x34, 0x12, 0x5a, 0x5a}, Arrays.copyOf(rodata.initialValue(), 4), "salt = 0x5a5a1234");
        MapSpec data = o.map(".data").orElseThrow();
        assertFalse(data.readOnly());
        assertArrayEquals(new byte[] {(byte) 0xef, (byte) 0xbe, (byte) 0xed, (byte) 0xfe}, Arrays.copyOf(data.initialValue(), 4));
        assertTrue(o.map(".bss").isPresent());

        ProgramSpec f = o.program("features").orElseThrow();
        assertEquals(List.of("features", "mix", "fold", "count"), f.functions().stream().map(ProgramSpec.Function::name).toList());
        assertTrue(f.where(f.functions().get(1).start() + 2).equals("mix+2"));
        assertEquals(1, o.program("redirect").orElseThrow().functions().size(), "no subprogram linked into redirect");
    }

    @Test
    void legacyMapDefinitions() {
        ObjectSpec o = Packets.spec("legacy_maps");
        MapSpec counts = o.map("counts").orElseThrow();
        assertEquals("legacy", counts.origin());
        assertEquals(MapType.ARRAY, counts.type());
        assertEquals(8, counts.valueSize());
        assertEquals(4, counts.maxEntries());
        MapSpec seen = o.map("seen").orElseThrow();
        assertEquals(MapType.HASH, seen.type());
        assertEquals(16, seen.maxEntries());
    }

    @Test
    void selectsProgramsByNameOrSection() {
        ObjectSpec o = Packets.spec("features");
        assertEquals("reshape", o.select("reshape").name());
        ObjectLoadException many = assertThrows(ObjectLoadException.class, () -> o.select(null));
        assertTrue(many.getMessage().contains("several programs") && many.getMessage().contains("reshape (section xdp)"),
                many.getMessage());
        ObjectLoadException section = assertThrows(ObjectLoadException.class, () -> o.select("xdp"));
        assertTrue(section.getMessage().contains("the section holds several programs"), section.getMessage());
        ObjectLoadException none = assertThrows(ObjectLoadException.class, () -> o.select("nope"));
        assertEquals("select program nope in features: no such program or section (the object has features (section xdp),"
                + " atomics (section xdp), reshape (section xdp), redirect (section xdp))", none.getMessage());
        assertEquals("ipv6_filter", Packets.spec("ipv6_filter").select(null).name());
        assertEquals("ipv6_filter", Packets.spec("ipv6_filter").select("xdp").name());
    }

    @Test
    void brokenObjectsFailWithOneSentence() {
        assertEquals("load object x: not an ELF file",
                assertThrows(ObjectLoadException.class, () -> ObjectLoader.load("x", "hello".getBytes())).getMessage());
        String other = assertThrows(ObjectLoadException.class, () -> ObjectLoader.load("not_bpf.o", Packets.object("not_bpf")
                .clone())).getMessage();
        assertTrue(other.startsWith("load object not_bpf.o: not a BPF object (ELF machine 62;"), other);
        String noBtf = assertThrows(ObjectLoadException.class, () -> Packets.spec("array_counter_nobtf")).getMessage();
        assertEquals("load object array_counter_nobtf: it has a .maps section but no .BTF to describe it (compile with -g)", noBtf);
        byte[] elf = Packets.object("ipv6_filter");
        String cut = assertThrows(ObjectLoadException.class, () -> ObjectLoader.load("cut", Arrays.copyOf(elf, elf.length / 2)))
                .getMessage();
        assertTrue(cut.startsWith("load object cut: ") && cut.contains("outside the file"), cut);
        byte[] bad = elf.clone();
        bad[58] = 40;  // e_shentsize
        assertTrue(assertThrows(ObjectLoadException.class, () -> ObjectLoader.load("bad", bad)).getMessage()
                .contains("section header size 40 is not 64"));
    }

    @Test
    void theProjectsOwnObjectsLoad() throws Exception {
        for (String name : List.of("rx", "tx")) {
            byte[] elf;
            try (var in = ObjectLoaderTest.class.getResourceAsStream("/bpf/" + name + ".bpf.o")) {
                elf = in.readAllBytes();
            }
            ObjectSpec o = ObjectLoader.load(name, elf);
            assertFalse(o.programs().isEmpty());
            assertTrue(o.maps().size() >= 5, name + " maps " + o.maps());
        }
    }
}
