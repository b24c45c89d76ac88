package dev.xdperf.cli;

import dev.xdperf.spec.RunSpec;
import java.util.function.Predicate;
import picocli.CommandLine.Option;

/** The built-in UDP stream of a distributed run, whose flows and stream ids the shards split (`agent`). */
final class ShardStreamOptions {
    @Option(names = "--size", paramLabel = "BYTES", description = "Frame size without FCS (default ${DEFAULT-VALUE}).")
    int size = 64;

    @Option(names = "--flows", paramLabel = "F",
            description = "Flows of the built-in UDP stream in the whole run: source ports --src-port .. +F-1, split over the shards (default: the shard count).")
    Long flows;

    @Option(names = "--src-port", description = "First UDP source port (default ${DEFAULT-VALUE}).")
    int srcPort = RunSpec.DEFAULT_UDP_PORT;

    @Option(names = "--stream-id", paramLabel = "ID", description = "First stream id of the run; shard i uses the block after i others (default 0).")
    int stream;

    /**
     * The options {@code given} accepts; the size only when {@code matched} (else the plugin's or
     * the file's own), the flows when given at all (else the file's, or one per shard).
     */
    void applyTo(RunSpec.Builder b, boolean udpOnly, Predicate<String> given, Predicate<String> matched) {
        if (flows != null && !udpOnly) {
            throw new IllegalArgumentException("--flows shapes the built-in UDP stream; a plugin's flows are its own option (--plugin-opt)");
        }
        if (matched.test("--size")) {
            b.size(size).sizeMix(null);
        }
        if (flows != null) {
            b.flows(flows);
        }
        if (given.test("--src-port")) {
            b.srcPort(srcPort);
        }
        if (given.test("--stream-id")) {
            b.streamId(stream);
        }
    }
}
