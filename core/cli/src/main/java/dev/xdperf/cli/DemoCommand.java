package dev.xdperf.cli;

import dev.xdperf.demo.Demo;
import dev.xdperf.probe.Privileges;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Create two network namespaces joined by a veth pair, run a server and a client in them",
                "with real XDP, print the report, and remove everything again.",
                "--web and --metrics-port are served on this host's localhost (relayed into the client's namespace)."})
final class DemoCommand implements Callable<Integer> {
    /** Flat out on veth the sender can outrun the peer's ring; a demo reports that, and fails only beyond this share. */
    static final double FLAT_OUT_MAX_LOSS = 5;

    @Option(names = {"-t", "--duration"}, paramLabel = "TIME", converter = Converters.Time.class,
            description = "How long the client sends (default 5 s).")
    Duration duration;

    @Option(names = "--pps", paramLabel = "RATE", converter = Converters.Rate.class,
            description = "Target rate (default: flat out).")
    Long pps;

    @Option(names = "--size", paramLabel = "BYTES|MIX", description = "Frame size without FCS (default 64), or a size mix such as imix.")
    String size;

    @Option(names = "--cpus", paramLabel = "LIST", description = "Sending CPUs (default: every online CPU flat out; with --pps, one CPU per 1 Mpps, the last online ones).")
    String cpus;

    @Option(names = "--max-loss", paramLabel = "PCT", converter = Converters.Percent.class,
            description = "Frames that may vanish on the way out before the demo fails (default: 5 flat out, where the veth"
                    + " transmit ring can overflow now and then; 0 paced). Vanished frames are reported either way.")
    Double maxLoss;

    @Mixin
    TrafficOptions traffic = new TrafficOptions();

    @Mixin
    LiveViewOptions live = new LiveViewOptions();

    @Option(names = "--profile", paramLabel = "FILE",
            description = "Run this profile (docs/profiles.md) in the demo's client; its interface and server are the demo's.")
    java.nio.file.Path profile;

    @Option(names = "--json", description = "Print the final report as JSON.")
    boolean json;

    @Option(names = "--json-stream", description = "Print one JSON object per second, then the final report.")
    boolean jsonStream;

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>();
        if (profile != null) {
            // a bad file is refused here, before any namespace exists
            dev.xdperf.spec.Profile.read(profile, dev.xdperf.net.DemoTopology.CLIENT_IF);
            args.add("--profile");
            args.add(profile.toAbsolutePath().toString());
        }
        Privileges.requireXdp("demo");
        if (profile == null || duration != null) {
            args.add("--duration");
            args.add((duration == null ? Demo.defaultDuration() : duration).toMillis() + "ms");
        }
        if (pps != null) {
            args.add("--pps");
            args.add(Long.toString(pps));
        }
        double loss = maxLoss != null ? maxLoss : pps == null && profile == null ? FLAT_OUT_MAX_LOSS : 0;
        if (loss > 0) {
            args.add("--max-loss");
            args.add(Double.toString(loss));
        }
        if (size != null) {
            args.add("--size");
            args.add(size);
        }
        if (cpus != null) {
            args.add("--cpus");
            args.add(cpus);
        }
        args.addAll(traffic.args());
        args.addAll(live.args());
        if (json) {
            args.add("--json");
        }
        if (jsonStream) {
            args.add("--json-stream");
        }
        return new Demo(args, live.ports(), System.out, System.err).run();
    }
}
