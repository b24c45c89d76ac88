package dev.xdperf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.XdperfException;
import dev.xdperf.spec.Profile;
import dev.xdperf.spec.RunSpec;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** --profile and --print-profile: a command line becomes a file and back without a change; given options override. */
class ProfileOptionsTest {
    static RunSpec spec(String... args) {
        ClientCommand c = new ClientCommand();
        new CommandLine(c).parseArgs(args);
        return c.spec();
    }

    @Test
    void aCommandLineAndItsProfileAreTheSameRun(@TempDir Path dir) throws Exception {
        String[][] lines = {
                {"--dev", "veth0", "--server", "192.0.2.2", "--pps", "100k", "--count", "12000", "--cpus", "0", "--size", "512",
                        "--flows", "8", "--dst-port-range", "1000-1003", "--no-measure", "--callers", "1"},
                {"--dev", "veth0", "--stream", "udp,pps=30k,size=128", "--stream", "icmp,pps=10k,flows=4", "-t", "2s",
                        "--dst-mac", "02:00:00:00:00:02", "--dst-ip", "2001:db8::2", "--src-ip", "2001:db8::1"},
                {"--dev", "veth0", "-c", "192.0.2.2", "--bidir", "--reverse-pps", "5k", "--pps", "10k", "--plugin", "tcp",
                        "-O", "flows=64"},
                {"--dev", "veth0", "--size", "imix", "-n", "1200", "--stream", "udp,size=128:1,1518:3", "--stream", "udp"},
                {"--dev", "veth0", "--replay", "/tmp/x.pcap", "--loop", "3", "--rewrite-ip", "10.0.0.1=192.0.2.1", "--measure",
                        "--dst-mac", "02:00:00:00:00:02", "--pps", "1k"},
        };
        for (String[] line : lines) {
            RunSpec direct = spec(line);
            for (Profile.Format f : Profile.Format.values()) {
                Path file = dir.resolve(f == Profile.Format.JSON ? "p.json" : "p.yaml");
                Files.writeString(file, Profile.write(direct, f));
                assertEquals(direct, spec("--profile", file.toString()), Files.readString(file));
            }
        }
    }

    @Test
    void sizeMixesOnTheCommandLine() {
        assertEquals(dev.xdperf.packet.SizeMix.IMIX, spec("--dev", "veth0", "--size", "imix").sizeMix());
        assertEquals(null, spec("--dev", "veth0", "--size", "imix").size());
        RunSpec.Stream s = StreamSpecs.parse("udp,size=64:7,594:4,1518:1,share=3");
        assertEquals(dev.xdperf.packet.SizeMix.IMIX, s.sizeMix());
        assertEquals(3, s.share());
        assertEquals(128, spec("--dev", "veth0", "--size", "128").size());
    }

    @Test
    void optionsOnTheCommandLineOverrideTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("p.yaml");
        Files.writeString(file, """
                version: 1
                dev: veth0
                server: 192.0.2.2
                pps: 1000
                duration: PT3S
                size: 256
                flows: 4
                plugin_options: {}
                """);
        RunSpec s = spec("--profile", file.toString(), "--pps", "5k");
        assertEquals(5000, s.pps());
        assertEquals(256, s.size());
        assertEquals(4, s.flows());
        assertEquals(Duration.ofSeconds(3), s.duration());
        assertEquals("192.0.2.2", s.server());
        // the command line's end condition replaces the file's
        RunSpec c = spec("--profile", file.toString(), "-n", "100");
        assertNull(c.duration());
        assertEquals(100, c.count());
        assertEquals("veth9", spec("--profile", file.toString(), "--dev", "veth9").dev());
        // defaults of options not given do not override the file (--size's 64, --flows' 1)
        assertEquals(spec("--profile", file.toString()), Profile.read(file, null));
        // a capture named by a relative path lies next to the profile
        Files.writeString(file, "version: 1\ndev: veth0\nreplay: {file: trace.pcap, loop: 2}\n");
        assertEquals(dir.resolve("trace.pcap").toAbsolutePath(), spec("--profile", file.toString()).replay().file());
    }

    @Test
    void agentsTakeTheWholeRunFromAProfile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("run.yaml");
        Files.writeString(file, "version: 1\ndev: eth9\npps: 4000\ncount: 8000\nsize_mix: imix\nduration: PT60S\n");
        AgentCommand agent = new AgentCommand();
        new CommandLine(agent).parseArgs("--run-id", "r1", "--shard-index", "0", "--shard-count", "2", "--start-at", "2030-01-01T00:00:00Z",
                "-t", "5s", "--dev", "veth0", "--profile", file.toString(), "--cpus", "0");
        dev.xdperf.dist.Agent.Options o = agent.prepare(new dev.xdperf.dist.Agent.Options());
        assertEquals(4000, o.totalPps);
        assertEquals(8000, o.totalCount);
        RunSpec s = agent.runSpec(o);
        assertEquals("veth0", s.dev());
        assertEquals(Duration.ofSeconds(5), s.duration());
        assertEquals(dev.xdperf.packet.SizeMix.IMIX, s.sizeMix());
        assertEquals(java.util.List.of(0), s.cpus());
    }

    /** The spec a shard runs, from an agent's command line (no profile, or {@code profile} as the base). */
    static RunSpec shardSpec(int index, String... more) {
        AgentCommand agent = new AgentCommand();
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--run-id", "r1", "--shard-index",
                Integer.toString(index), "--shard-count", "2", "--start-at", "2030-01-01T00:00:00Z", "-t", "5s", "--dev", "veth0",
                "--cpus", "0", "--pps", "10k"));
        args.addAll(java.util.List.of(more));
        new CommandLine(agent).parseArgs(args.toArray(String[]::new));
        dev.xdperf.dist.Agent.Options o = agent.prepare(new dev.xdperf.dist.Agent.Options());
        o.client = agent.runSpec(o);
        return dev.xdperf.dist.Agent.shardSpec(o);
    }

    /** As {@link #shardSpec}, without --cpus and --pps: what the agent picks by itself. */
    static RunSpec shardSpecOwnCpus(String... more) {
        AgentCommand agent = new AgentCommand();
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("--run-id", "r1", "--shard-index", "0",
                "--shard-count", "2", "--start-at", "2030-01-01T00:00:00Z", "-t", "5s", "--dev", "veth0"));
        args.addAll(java.util.List.of(more));
        new CommandLine(agent).parseArgs(args.toArray(String[]::new));
        dev.xdperf.dist.Agent.Options o = agent.prepare(new dev.xdperf.dist.Agent.Options());
        o.client = agent.runSpec(o);
        return dev.xdperf.dist.Agent.shardSpec(o);
    }

    @Test
    void aShardSendsFromItsAllowedCpusAndPacedFromAsManyAsItsShareNeeds() {
        java.util.List<Integer> allowed = dev.xdperf.dist.Agent.allowedCpus();
        assertEquals(allowed, shardSpecOwnCpus().cpus(), "flat out: every CPU the process may run on");
        RunSpec paced = shardSpecOwnCpus("--pps", "100k");
        assertEquals(50_000, paced.pps(), "shard 0 of 2 sends half");
        assertEquals(java.util.List.of(allowed.get(allowed.size() - 1)), paced.cpus(), "paced at 50 kpps: one CPU, the last allowed");
    }

    @Test
    void agentsSeedAndBoundTheirShardAsTheClientDoes(@TempDir Path dir) throws Exception {
        RunSpec seeded = shardSpec(1, "--seed", "0x2a", "--max-burst", "8", "--plugin", "tcp", "-O", "flows=64");
        assertEquals(42L, seeded.seed());
        assertEquals(8, seeded.maxBurst());
        assertEquals(new dev.xdperf.template.Shard(1, 2), seeded.shard());
        assertEquals(5000, seeded.pps());
        // the same command line sends the same frames on every shard and in every run: the seed is the one given
        assertEquals(42L, shardSpec(0, "--seed", "42").seed());
        // without --seed, every shard of a run settles on the same seed, derived from the shared start time
        RunSpec first = shardSpec(0);
        assertTrue(first.seed() != null);
        assertEquals(first.seed(), shardSpec(1).seed());
        assertEquals(first.seed(), shardSpec(0).seed());
        assertEquals(dev.xdperf.tx.Transmitter.DEFAULT_MAX_BURST, first.maxBurst());
        // over a profile, the seed given here wins over the file's
        Path file = dir.resolve("run.yaml");
        Files.writeString(file, "version: 1\ndev: eth9\npps: 4000\nseed: 7\nmax_burst: 4\n");
        assertEquals(7L, shardSpec(0, "--profile", file.toString()).seed());
        assertEquals(4, shardSpec(0, "--profile", file.toString()).maxBurst());
        RunSpec over = shardSpec(0, "--profile", file.toString(), "--seed", "9", "--max-burst", "16");
        assertEquals(9L, over.seed());
        assertEquals(16, over.maxBurst());
        String msg = assertThrows(IllegalArgumentException.class, () -> shardSpec(0, "--max-burst", "0")).getMessage();
        assertEquals("--max-burst 0 is below 1 frame", msg);
    }

    @Test
    void badProfilesAreOneSentenceAndSendNothing(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "version: 1\ndev: veth0\nstreams:\n  - {pps: 10}\n  - {plugin: icmp, pps: 0}\n");
        String msg = assertThrows(XdperfException.ConfigException.class, () -> spec("--profile", file.toString())).getMessage();
        assertEquals(file + " line 5: streams[1].pps must be positive", msg);
        StringWriter err = new StringWriter();
        int exit = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "client", "--profile", file.toString());
        assertEquals(1, exit);
        assertEquals("xdperf: " + msg, err.toString().trim());
        Files.writeString(file, "version: 1\ndev: veth0\nspeed: 10\n");
        err = new StringWriter();
        Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "client", "--profile", file.toString());
        assertEquals("xdperf: " + file + " line 3: unknown key speed", err.toString().trim());
        err = new StringWriter();
        assertEquals(2, Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err), "client", "--pps", "1k"));
        assertTrue(err.toString().contains("missing required option: '--dev=IF' (or a --profile"), err.toString());
    }
}
