package dev.xdperf.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.XdperfException;
import dev.xdperf.packet.FieldRanges;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.UdpStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Profiles: a RunSpec in a file, keys as SpecJson's, defaults and checks as the builder's. */
class ProfileTest {
    private static RunSpec yaml(String text) {
        return Profile.parse("p.yaml", text, Profile.Format.YAML, null);
    }

    private static String yamlError(String text) {
        return assertThrows(XdperfException.ConfigException.class, () -> yaml(text)).getMessage();
    }

    @Test
    void keysLeftOutTakeTheBuildersDefaults() {
        RunSpec s = yaml("version: 1\ndev: eth1\n");
        assertEquals(RunSpec.builder("eth1").build(), s);
        RunSpec c = yaml("version: 1\ndev: eth1\ncount: 1200\n");
        assertEquals(null, c.duration());
        assertEquals(1200, c.count());
    }

    @Test
    void yamlAndJsonSayTheSame() {
        String yaml = """
                version: 1
                dev: veth0
                server: 192.0.2.2
                pps: 100000
                duration: PT5S
                cpus: [0]
                direction: bidir
                ranges:
                  dst_port: {first: 1000, last: 1009}
                streams:
                  - {pps: 60000}
                  - plugin: icmp
                    options: {flows: "8"}
                    pps: 40000
                """;
        String json = """
                {"version": 1, "dev": "veth0", "server": "192.0.2.2", "pps": 100000, "duration": "PT5S", "cpus": [0],
                 "direction": "BIDIR", "ranges": {"dst_port": {"first": 1000, "last": 1009}},
                 "streams": [{"pps": 60000}, {"plugin": "icmp", "options": {"flows": "8"}, "pps": 40000}]}
                """;
        // pps on the streams and on the run contradict each other: the builder says so, with the file
        String msg = yamlError(yaml);
        assertTrue(msg.startsWith("p.yaml") && msg.contains("contradict"), msg);
        RunSpec a = yaml(yaml.replace("pps: 100000\n", ""));
        RunSpec b = Profile.parse("p.json", json.replace("\"pps\": 100000, ", ""), Profile.Format.JSON, null);
        assertEquals(a, b);
        assertEquals(100_000, a.pps());
        assertEquals(RunSpec.Direction.BIDIR, a.direction());
        assertEquals(60_000, a.streams().get(0).share());
        assertEquals("icmp", a.streams().get(1).name());
        assertEquals(Map.of("flows", "8"), a.streams().get(1).options());
        assertEquals(new FieldRanges.PortRange(1000, 1009), a.ranges().dstPort());
    }

    @Test
    void writtenProfilesReadBackToTheSameSpec() {
        RunSpec s = RunSpec.builder("eth1").server("192.0.2.2", 6000).cpus(List.of(0, 1)).pps(2_500_000)
                .count(9000).size(512).srcMac(MacAddress.parse("02:00:00:00:00:01")).dstIp(UdpStream.parseIp("192.0.2.2"))
                .flows(16).measurement(false).callersPerCpu(1)
                .ranges(new FieldRanges(FieldRanges.AddressRange.parse("10.0.0.1-10.0.0.9"), null, null,
                        FieldRanges.PortRange.parse("53-54")))
                .stream(RunSpec.Stream.udp(3)).stream(RunSpec.Stream.plugin("icmp", Map.of("flows", "8"), 1).withSize(128))
                .build();
        for (Profile.Format f : Profile.Format.values()) {
            String text = Profile.write(s, f);
            assertEquals(s, Profile.parse("p", text, f, null), text);
        }
        String yaml = Profile.write(s, Profile.Format.YAML);
        assertTrue(yaml.startsWith("version: 1\ndev: eth1\n"), yaml);
        assertTrue(!yaml.contains("server_port: 5210") && !yaml.contains("connect_timeout"), "defaults stay out:\n" + yaml);
        RunSpec d = RunSpec.builder("eth1").duration(Duration.ofMillis(1500)).build();
        assertEquals(d, Profile.parse("p", Profile.write(d, Profile.Format.YAML), Profile.Format.YAML, null));
    }

    @Test
    void theCommandLinesInterfaceWins() {
        assertEquals("veth9", Profile.parse("p", "version: 1\ndev: eth1\n", Profile.Format.YAML, "veth9").dev());
        assertEquals("veth9", Profile.parse("p", "version: 1\n", Profile.Format.YAML, "veth9").dev());
    }

    @Test
    void errorsNameTheFileTheLineAndThePath() {
        assertEquals("p.yaml line 5: streams[1].pps must be positive", yamlError("""
                version: 1
                dev: eth1
                streams:
                  - {pps: 10}
                  - {plugin: icmp, pps: -5}
                """));
        assertEquals("p.yaml line 3: unknown key ppps", yamlError("version: 1\ndev: eth1\nppps: 5\n"));
        assertEquals("p.yaml line 5: unknown key streams[0].sharre", yamlError("""
                version: 1
                dev: eth1
                streams:
                  - plugin: icmp
                    sharre: 3
                """));
        assertEquals("p.yaml line 2: pps: 'fast' is not a whole number", yamlError("version: 1\npps: fast\ndev: eth1\n"));
        assertEquals("p.yaml line 3: size 20 is outside 64..1514 (frame bytes without the FCS)",
                yamlError("version: 1\ndev: eth1\nsize: 20\n"));
        assertEquals("p.yaml line 3: duration: '10s' is not a Duration", yamlError("version: 1\ndev: eth1\nduration: 10s\n"));
        assertEquals("p.yaml line 3: size_mix: size 594 has weight 0: a weight is at least 1",
                yamlError("version: 1\ndev: eth1\nsize_mix: 64:7,594:0\n"));
        assertEquals(dev.xdperf.packet.SizeMix.IMIX, yaml("version: 1\ndev: eth1\nsize_mix: imix\n").sizeMix());
        assertEquals("p.yaml: no version: a profile starts with 'version: 1'", yamlError("dev: eth1\n"));
        assertEquals("p.yaml line 1: version 7 is not one this xdperf reads (it reads version 1)", yamlError("version: 7\ndev: eth1\n"));
        assertEquals("p.yaml: dev is required: the interface to send on", yamlError("version: 1\npps: 5\n"));
        assertTrue(yamlError("version: 1\ndev: [eth1\n").startsWith("p.yaml line "));
        String json = assertThrows(XdperfException.ConfigException.class,
                () -> Profile.parse("p.json", "{\"version\": 1,\n\"dev\": \"eth1\",\n\"rtt\": true,\n\"measurement\": false}", Profile.Format.JSON, null))
                .getMessage();
        assertEquals("p.json line 3: rtt needs the measurement header (measurement true)", json);
    }

    @Test
    void everyExampleOfTheDocsReads() throws Exception {
        String doc = java.nio.file.Files.readString(java.nio.file.Path.of("../../docs/profiles.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("```yaml\n(.*?)```", java.util.regex.Pattern.DOTALL).matcher(doc);
        int n = 0;
        while (m.find()) {
            yaml(m.group(1));
            n++;
        }
        assertTrue(n >= 6, "examples found: " + n);
    }
}
