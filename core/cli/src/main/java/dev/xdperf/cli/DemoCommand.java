package dev.xdperf.cli;

import dev.xdperf.demo.Demo;
import dev.xdperf.probe.Privileges;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Create two network namespaces joined by a veth pair, run a server and a client in them",
                "with real XDP, print the report, and remove everything again."})
final class DemoCommand implements Callable<Integer> {
    @Option(names = {"-t", "--duration"}, paramLabel = "TIME", converter = Converters.Time.class,
            description = "How long the client sends (default 5 s).")
    Duration duration;

    @Option(names = "--pps", paramLabel = "RATE", converter = Converters.Rate.class,
            description = "Target rate (default: flat out).")
    Long pps;

    @Option(names = "--size", paramLabel = "BYTES", description = "Frame size without FCS (default 64).")
    Integer size;

    @Option(names = "--cpus", paramLabel = "LIST", description = "Sending CPUs (default: all online).")
    String cpus;

    @Option(names = "--json", description = "Print the final report as JSON.")
    boolean json;

    @Option(names = "--json-stream", description = "Print one JSON object per second, then the final report.")
    boolean jsonStream;

    @Override
    public Integer call() throws Exception {
        Privileges.requireXdp("demo");
        List<String> args = new ArrayList<>();
        args.add("--duration");
        args.add((duration == null ? Demo.defaultDuration() : duration).toMillis() + "ms");
        if (pps != null) {
            args.add("--pps");
            args.add(Long.toString(pps));
        }
        if (size != null) {
            args.add("--size");
            args.add(Integer.toString(size));
        }
        if (cpus != null) {
            args.add("--cpus");
            args.add(cpus);
        }
        if (json) {
            args.add("--json");
        }
        if (jsonStream) {
            args.add("--json-stream");
        }
        return new Demo(args, System.out, System.err).run();
    }
}
