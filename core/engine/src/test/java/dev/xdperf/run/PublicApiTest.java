package dev.xdperf.run;

import dev.xdperf.spec.SpecJson;

import dev.xdperf.spec.RunSpec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.xdperf.XdperfException;
import dev.xdperf.bpf.XdpMode;
import dev.xdperf.packet.FieldRanges;
import dev.xdperf.plugin.PluginResolver;
import dev.xdperf.stats.LiveSample;
import dev.xdperf.stats.MetricsSink;
import dev.xdperf.stats.RunReport;
import dev.xdperf.template.Shard;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The engine's public API as a Java caller sees it, as Javalin keeps one: {@link #everythingTheCliDoes}
 * is compiled, never run, so removing or changing a public entry point breaks the build here first.
 */
class PublicApiTest {
    @SuppressWarnings("unused")
    static void everythingTheCliDoes(PluginResolver plugins, MetricsSink metrics) throws Exception {
        RunSpec spec = RunSpec.builder("eth1")
                .server("192.0.2.2", RunSpec.DEFAULT_SERVER_PORT)
                .cpus(List.of(0, 1)).pps(2_000_000).duration(Duration.ofSeconds(10)).count(0).size(512)
                .srcPort(5201).dstPort(5201).flows(100).ranges(FieldRanges.NONE).streamId(0).measurement(true)
                .plugin("xdperf/quic").pluginOption("version", "1").templates(null)
                .stream(RunSpec.Stream.udp(80)).stream(RunSpec.Stream.plugin("icmp", Map.of("flows", "8"), 20).withSize(98))
                .direction(RunSpec.Direction.BIDIR).reversePps(1_000_000L).rtt(false)
                .xdpMode(XdpMode.NATIVE).attachPass(true).callersPerCpu(2)
                .shard(new Shard(0, 2)).startAt(Instant.now().plusSeconds(5)).connectTimeout(Duration.ofSeconds(5))
                .seed(42L).maxBurst(32)
                .build();
        String wire = SpecJson.toString(spec);
        RunSpec again = SpecJson.fromJson(SpecJson.toJson(spec));
        try (Run run = Run.with(spec).plugins(plugins).metrics(metrics).subscribe((LiveSample s) -> s.toText()).start()) {
            run.subscribe(s -> s.toJson());
            RunResult result = run.await(Duration.ofSeconds(1));
            run.stop();
            result = run.await();
            RunReport forward = result.forward();
            RunReport reverse = result.reverse();
            ShardPlan plan = result.shardPlan();
            boolean nothing = result.sentNothing();
            long lagNs = result.firstCallNs() - result.scheduledStartNs();
            String text = result.primary().toText();
            String json = result.primary().toJson().toString();
            String printed = result.toText();   // what `xdperf client` prints, and with --json:
            String document = result.toJson().toPrettyString();
            RunSpec seeded = spec.withSeedSettled();
        } catch (XdperfException e) {
            String phase = e.phase();
        }
        RunResult simple = Run.start(RunSpec.builder("eth1").count(1000).build()).await();
        long written = Run.writePcap(spec, Path.of("run.pcap"), 1000);
    }

    @Test
    void theSpecOfTheExampleBuilds() {
        RunSpec spec = RunSpec.builder("eth1").server("192.0.2.2").pps(2_000_000).build();
        assertEquals("192.0.2.2", spec.server());
        assertEquals(2_000_000, spec.reversePps());
    }
}
