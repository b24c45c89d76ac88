package dev.xdperf.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.xdperf.net.Commands;
import dev.xdperf.testing.Privileged;
import dev.xdperf.testing.Xdperf;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's fresh-machine walkthrough, run verbatim: its two `signed` blocks are taken out of
 * README.md and run by bash with `xdperf` on PATH (this build), HOME in a temporary directory and
 * no XDG_* or XDPERF_* variables, on the docs' two hosts (namespaces joined by a veth pair, both
 * ends eth1, 192.0.2.1 and 192.0.2.2, an `xdperf server --dev eth1` on the receiving one), as
 * scripts/doc-test.py runs them. Skipped, saying why, when this build has no signed
 * first-party releases (a checkout without the key passes every test).
 */
class ReadmeWalkthroughTest {
    @TempDir
    Path tmp;

    static List<String> blocks() throws Exception {
        String readme = Files.readString(Path.of("").toAbsolutePath().getParent().getParent().resolve("README.md"));
        Matcher m = Pattern.compile("<!-- doc-test: signed[^>]*-->\\n```sh\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void freshRegistryInstallQuicPcapAndVethRun() throws Exception {
        Privileged.require();
        // a checkout without the key passes every test: this one then has nothing to install, and says so
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.xdperf.registry.release.FirstPartyReleases.shipped().isEmpty(),
                "this build ships no signed first-party releases (built without ../shared/secrets/first-party-signing-key.pem)");
        List<String> blocks = blocks();
        assertEquals(2, blocks.size(), "the walkthrough is two blocks: the registry, then install and runs");
        assertTrue(blocks.get(0).contains("xdperf registry serve") && blocks.get(1).contains("xdperf plugin install quic"), blocks::toString);

        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path home = Files.createDirectories(tmp.resolve("home"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        Files.writeString(bin.resolve("xdperf"), "#!/bin/sh\nexec '" + ProcessHandle.current().info().command().orElse("java")
                + "' -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp '" + System.getProperty("java.class.path") + "' dev.xdperf.cli.Main \"$@\"\n");
        bin.resolve("xdperf").toFile().setExecutable(true);

        String tag = "xdperf-readme-" + ProcessHandle.current().pid();
        String sender = tag + "-a";
        String receiver = tag + "-b";
        Process registry = null;
        Xdperf.Background server = null;
        try {
            hosts(sender, receiver);
            server = Xdperf.Background.start(receiver, "listening on port", "server", "--dev", "eth1");
            registry = bash(sender, blocks.get(0), bin, home, work);
            BufferedReader lines = new BufferedReader(new InputStreamReader(registry.getInputStream(), StandardCharsets.UTF_8));
            String first = lines.readLine();
            assertTrue(first != null && first.contains("xdperf registry: listening on http://127.0.0.1:5211"), "registry: " + first);

            Process run = bash(sender, blocks.get(1), bin, home, work);
            assertTrue(run.waitFor(180, TimeUnit.SECONDS), "the walkthrough did not finish");
            String out = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, run.exitValue(), out + "\nserver:\n" + server.output());
            assertTrue(out.contains("installed xdperf/quic 1.0.0 to " + home.resolve(".local/share/xdperf/plugins/xdperf/quic.jar")), out);
            assertTrue(out.contains("wrote 8 packets to quic.pcap; documentation addresses where none was given"), out);
            assertEquals(24 + 8 * (16 + 1242), Files.size(work.resolve("quic.pcap")), out);
            assertTrue(out.contains("warning: stream 0 carries no measurement header"), "the veth run's report: " + out);
            assertFalse(Files.exists(home.resolve(".config/xdperf/trusted-keys")), "no trust step");
            assertTrue(server.output().contains("run from 192.0.2.1"), server.output());
        } finally {
            if (registry != null) {
                registry.descendants().forEach(ProcessHandle::destroy);   // the block's xdperf, if bash did not exec it
                registry.destroy();
                registry.waitFor(10, TimeUnit.SECONDS);
                registry.destroyForcibly();
            }
            if (server != null) {
                server.close();
            }
            Commands.run(List.of("ip", "netns", "del", sender));
            Commands.run(List.of("ip", "netns", "del", receiver));
        }
    }

    /** The docs' two hosts: eth1 at each end of a veth pair, one queue per CPU, the receiver's set first. */
    static void hosts(String sender, String receiver) {
        Commands.check(List.of("ip", "netns", "add", sender));
        Commands.check(List.of("ip", "netns", "add", receiver));
        Commands.check(List.of("ip", "link", "add", "eth1", "netns", sender, "type", "veth", "peer", "name", "eth1", "netns", receiver));
        String queues = Integer.toString(Math.max(1, dev.xdperf.bpf.Cpus.online().size()));
        String[][] ends = {{receiver, "192.0.2.2", "02:00:00:00:00:02"}, {sender, "192.0.2.1", "02:00:00:00:00:01"}};
        for (String[] e : ends) {
            Commands.check(List.of("ip", "netns", "exec", e[0], "ethtool", "-L", "eth1", "rx", queues, "tx", queues));
            Commands.check(List.of("ip", "-n", e[0], "link", "set", "lo", "up"));
            Commands.check(List.of("ip", "-n", e[0], "link", "set", "eth1", "address", e[2]));
            Commands.check(List.of("ip", "-n", e[0], "addr", "add", e[1] + "/24", "dev", "eth1"));
            Commands.check(List.of("ip", "-n", e[0], "link", "set", "eth1", "up"));
        }
    }

    /** A README block as one bash script (set -e) in {@code netns}, with this build's xdperf and nothing of the caller's HOME. */
    static Process bash(String netns, String script, Path bin, Path home, Path work) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("ip", "netns", "exec", netns, "bash", "-c", "set -eo pipefail\n" + script)
                .directory(work.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("XDG_") || k.startsWith("XDPERF_"));
        env.put("HOME", home.toString());
        env.put("PATH", bin + ":" + System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"));
        return pb.start();
    }
}
