package dev.xdperf.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.testing.Xdperf;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * `xdperf plugin check` on plugins with the mistakes authors make, each a real plugin jar run
 * through the real command: every mistake is its own finding, and only the bugs fail.
 */
class PluginCheckFindingsTest {
    @TempDir
    Path tmp;

    /** Three copies of the test plugin's UDP template (frame 60 bytes, UDP at 34, 18 payload bytes at 42), with their stream ids. */
    private static String threeTemplates(String streamId, String mhOffset, String fields, String payload) {
        return """
                TemplateSet s = udp(r, new AbiVersion(ABI_MAJOR, ABI_MINOR));
                PacketTemplate t = s.templates().get(0);
                byte[] f = t.frame();
                %s
                List<PacketTemplate> ts = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    byte[] g = f.clone();
                    int stream = %s;
                    int mh = %s;
                    if (mh != 0) {
                        g[mh + 2] = (byte) (stream >> 8);
                        g[mh + 3] = (byte) stream;
                    }
                    ts.add(new PacketTemplate(g, stream, 1, 1, mh, List.of(%s), t.checksums()));
                }
                return new TemplateSet(s.abi(), ts);
                """.formatted(payload, streamId, mhOffset, fields);
    }

    private Xdperf.Result check(String id, String generateBody) throws Exception {
        Path jar = JavaPluginTest.build(tmp, id + ".jar", id, JavaPluginTest.ABI, generateBody);
        return Xdperf.run(Map.of("XDPERF_PLUGIN_DIR", tmp.resolve("installed").toString()), null, 120, "plugin", "check", jar.toString());
    }

    @Test
    void templatesSharingACounterPassWithANote() throws Exception {
        Xdperf.Result r = check("shared", threeTemplates("r.streamBase() + i", "42",
                "FieldRule.increment(18, 2, FieldRule.Scope.PACKET, 0, 65535, 1)",
                "f[42] = 0x58; f[43] = (byte) 0xDF; f[59] = 1;"));
        assertEquals(0, r.exit(), r::toString);
        assertTrue(r.stdout().contains("\nnote  counters: templates [0, 1, 2] count the same values at offset 18 at the same moment: field rules"
                + " count packets per template; a per-stream rule (scope 2) shares one counter across a stream's templates"
                + " (docs/abi.md, \"Counters are per template, or per stream\")\n"), r::toString);
        assertTrue(r.stdout().contains("ok      packet 0: IPv4 UDP 192.0.2.1:5000 > 192.0.2.2:5001, 60 bytes, measurement header stream 0"),
                r::toString);
        assertTrue(r.stdout().endsWith("plugin check: passed\n"), r::toString);
    }

    @Test
    void aPluginThatIgnoresTheStreamBaseFails() throws Exception {
        Xdperf.Result r = check("fixedstream", threeTemplates("i", "0", "", ""));
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.stdout().contains("\nfail  generate (stream base 7, 4 CPUs): 3 template(s) use a stream id below the request's stream base 7"),
                r::toString);
        assertTrue(r.stdout().contains("\nok    generate (defaults): 3 templates, 60-byte frames, 0 field rules; ABI checks pass"), r::toString);
        assertTrue(r.stdout().endsWith("plugin check: 1 finding failed\n"), r::toString);
    }

    @Test
    void aMeasurementHeaderWithoutItsMagicFailsInThePcap() throws Exception {
        Xdperf.Result r = check("nomagic", threeTemplates("r.streamBase() + i", "42", "", ""));
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.stdout().contains("\nfail  pcap: 16 of 16 packets (the first: packet 0): the receiver does not find its measurement header"),
                r::toString);
    }

    @Test
    void aPluginThatThrowsFailsWhereverItThrows() throws Exception {
        Xdperf.Result r = check("buggy", "if (r.frameSize() != 0) { throw new NullPointerException(\"size\"); }\n"
                + JavaPluginTest.UDP);
        assertEquals(1, r.exit(), r::toString);
        assertTrue(r.stdout().contains("\nfail  generate (--size 128): plugin buggy: generate failed: it threw java.lang.NullPointerException: size\n"),
                r::toString);
        // a refusal in one sentence is what a plugin should do with what it cannot make: not a failure
        Xdperf.Result refusing = check("refusing", "if (r.frameSize() != 0) { throw new IllegalArgumentException(\"no --size, please\"); }\n"
                + JavaPluginTest.UDP);
        assertEquals(0, refusing.exit(), refusing::toString);
        assertTrue(refusing.stdout().contains("\nok    generate (--size 128): refused in one sentence: "), refusing::toString);
        assertFalse(refusing.stdout().contains("fail "), refusing::toString);
    }
}
