package dev.xdperf.cli;

import dev.xdperf.spec.RunSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** Sending a capture's frames instead of generated ones, and what changes in them on the way (`client`). */
final class ReplayOptions {
    @Option(names = "--replay", paramLabel = "FILE",
            description = "Send the frames of a pcap or pcapng capture in their order (one CPU unless --cpus names more; docs/replay.md).")
    Path replayFile;

    @Option(names = "--loop", paramLabel = "N", description = "Replay the capture N times (instead of --duration or --count).")
    Long loop;

    @Option(names = "--rewrite-ip", paramLabel = "A=B", description = "Replace IP address A by B in replayed frames, checksums updated (repeatable).")
    List<String> rewriteIps = new ArrayList<>();

    @Option(names = "--measure", description = "Put the measurement header into replayed UDP frames that have room for it (off by default).")
    boolean measure;

    /** The replay of {@code base} (a profile's, or null) with these options over it; null when nothing is replayed. */
    void applyTo(RunSpec.Builder b, RunSpec.Replay base) {
        RunSpec.Replay replay = base;
        if (replayFile != null) {
            // absolute: a printed profile names the same file wherever it is kept
            Path file = replayFile.toAbsolutePath().normalize();
            replay = replay == null ? RunSpec.Replay.of(file) : new RunSpec.Replay(file, replay.loop(), replay.rewriteIp(), replay.measure());
        }
        if (replay == null && (loop != null || !rewriteIps.isEmpty() || measure)) {
            throw new IllegalArgumentException("--loop, --rewrite-ip and --measure go with --replay FILE");
        }
        if (replay == null) {
            return;
        }
        if (loop != null) {
            replay = replay.withLoop(loop);
        }
        if (!rewriteIps.isEmpty()) {
            Map<String, String> ips = new LinkedHashMap<>();
            for (String rw : rewriteIps) {
                String[] ab = rw.split("=", 2);
                if (ab.length != 2) {
                    throw new IllegalArgumentException("--rewrite-ip '" + rw + "' is not A=B (e.g. 10.0.0.1=192.0.2.1)");
                }
                ips.put(ab[0].trim(), ab[1].trim());
            }
            replay = replay.withRewriteIp(ips);
        }
        if (measure) {
            replay = replay.withMeasure(true);
        }
        b.replay(replay);
    }
}
