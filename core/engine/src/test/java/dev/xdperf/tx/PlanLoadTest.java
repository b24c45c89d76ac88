package dev.xdperf.tx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.FieldRule;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.bpf.BpfObject;
import dev.xdperf.bpf.RawProgram;
import dev.xdperf.bpf.Structs;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.UdpStream;
import dev.xdperf.template.CompiledSet;
import dev.xdperf.template.TemplateCompiler;
import dev.xdperf.testing.Privileged;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * xdp_tx is verified anew for every run, against that run's read-only plan, and the verifier
 * follows only the paths the plan leaves. So a change can pass every end-to-end test and still
 * be rejected for a combination no test sends (a rolled loop once was, for test hooks with one
 * template). This loads it for each kind of template set (one template with and without rules,
 * counting with cursors, several sharing a layout, several copying a range, several copying
 * all) crossed with flat out or paced, a count or a duration, test hooks or none, and one or
 * two CPUs; and, for the runs it covers, the xdp_tx written for the run (RunProgram).
 */
class PlanLoadTest {
    private static final MacAddress SRC = MacAddress.parse("02:00:00:00:00:01");
    private static final MacAddress DST = MacAddress.parse("02:00:00:00:00:02");

    private static PacketTemplate udp(int size, int stream, int weight, long flows, List<FieldRule> rules) {
        PacketTemplate t = new UdpStream(SRC, DST, UdpStream.parseIp("198.18.0.1"), UdpStream.parseIp("198.18.0.2"),
                5201, 5201, size, stream, true).toTemplate();
        return new PacketTemplate(t.frame(), stream, weight, flows, t.mhOffset(), rules, t.checksums());
    }

    private static CompiledSet set(PacketTemplate... ts) {
        return TemplateCompiler.compile(new TemplateSet(AbiVersion.HOST, List.of(ts)), 1500, 7);
    }

    private static Map<String, CompiledSet> sets() {
        var packet = FieldRule.Scope.PACKET;
        var flow = FieldRule.Scope.FLOW;
        var stream = FieldRule.Scope.STREAM;
        List<FieldRule> four = List.of(FieldRule.increment(26, 4, packet, 0xC6120001L, 0xC61200C8L, 1),
                FieldRule.increment(30, 4, packet, 0xC6120101L, 0xC61201C8L, 1),
                FieldRule.increment(34, 2, packet, 1000, 2000, 1), FieldRule.increment(36, 2, packet, 3000, 4000, 1));
        List<FieldRule> every = List.of(FieldRule.random(34, 2, flow, 1024, 65535), FieldRule.increment(15, 1, packet, 0, 255, 3),
                FieldRule.decrement(61, 8, packet, 0, -1L, 0x0123456789ABL), FieldRule.list(71, 2, packet, List.of(1L, 2L, 3L)),
                FieldRule.random(80, 4, packet, 7, 1_000_000), FieldRule.increment(96, 2, stream, 0, 999, 0x100000001L));
        Map<String, CompiledSet> m = new java.util.LinkedHashMap<>();
        m.put("one template", set(udp(64, 0, 1, 1, List.of())));
        m.put("one template, 4 counting rules", set(udp(64, 0, 1, 1, four)));
        m.put("one template, every rule kind", set(udp(128, 0, 1, 50, every)));
        m.put("a size mix (one layout)", set(udp(60, 0, 7, 1, List.of()), udp(590, 0, 4, 1, List.of()), udp(1514, 1, 1, 1, List.of())));
        m.put("two streams with rules (a copied range)", set(udp(128, 0, 2, 50, four), udp(96, 1, 1, 1, List.of())));
        m.put("rules 200 bytes apart (all copied)", set(udp(256, 0, 1, 50, List.of(FieldRule.random(30, 2, packet, 0, 65535),
                FieldRule.random(230, 2, packet, 0, 65535))), udp(256, 1, 1, 1, List.of())));
        m.put("every rule kind and a short template (a copied range)", set(udp(128, 0, 1, 50, every), udp(60, 1, 1, 1, List.of())));
        return m;
    }

    @Test
    void xdpTxLoadsForEveryKindOfRun() {
        Privileged.require();
        int checked = 0;
        int generated = 0;
        List<String> failures = new ArrayList<>();
        for (var e : sets().entrySet()) {
            CompiledSet set = e.getValue();
            if (e.getKey().contains("mix")) {
                assertTrue(TemplateCompiler.uniformLayout(set.templates()), e.getKey());
            }
            if (e.getKey().contains("all copied")) {
                assertEquals(Structs.COPY_ALL, set.copy(), e.getKey());
            }
            for (long pps : new long[] {0, 100_000}) {
                for (boolean counted : new boolean[] {false, true}) {
                    for (boolean hooks : new boolean[] {false, true}) {
                        for (List<Integer> cpus : List.of(List.of(0), List.of(0, 1))) {
                            Transmitter.Builder b = Transmitter.builder("lo", set).cpus(cpus).pps(pps);
                            b = counted ? b.count(1000) : b.duration(Duration.ofSeconds(1));
                            if (hooks) {
                                b = b.testHooks(List.of(TestHook.drop(5), TestHook.stamp(7, 3), TestHook.stamp(9, 11)));
                            }
                            String what = e.getKey() + (pps == 0 ? ", flat out" : ", paced") + (counted ? ", a count" : ", a duration")
                                    + (hooks ? ", test hooks" : "") + ", " + cpus.size() + " CPU(s)";
                            ByteBuffer plan = b.build().plan();
                            try (BpfObject o = BpfObject.openBundled("tx").setReadOnlyData(plan).loadOnly(List.of("xdp_tx"))) {
                                checked++;
                                if (RunProgram.ineligible(plan, set.templates()) == null) {   // and the program written for the run
                                    RawProgram.loadXdp("xdp_tx", RunProgram.build(plan, set.templates(), Transmitter.maps(o)),
                                            RawProgram.ATTACH_XDP).close();
                                    generated++;
                                }
                            } catch (RuntimeException ex) {
                                failures.add(what + ": " + ex.getMessage().lines().findFirst().orElse(""));
                            }
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), failures, "xdp_tx rejected");
        assertEquals(sets().size() * 16, checked);
        // one template without rules or with counting rules, a size mix: no hooks, flat out or paced, a count or a duration, 1 or 2 CPUs
        assertEquals(24, generated);
    }
}
