package dev.xdperf.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.probe.Probe;
import dev.xdperf.stats.Json;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "probe", mixinStandardHelpOptions = true,
        description = "Report the kernel's BPF and XDP features, the interface's XDP modes, and what to do about gaps.")
final class ProbeCommand implements Callable<Integer> {
    @Option(names = "--dev", paramLabel = "IF", description = "Interface to probe as well.")
    String dev;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
        Probe.Report r = Probe.run(dev);
        if (json) {
            ObjectNode n = Json.MAPPER.createObjectNode();
            ObjectNode facts = n.putObject("facts");
            r.facts().forEach(facts::put);
            r.advice().forEach(n.putArray("advice")::add);
            n.put("ready", r.ready());
            System.out.println(n.toPrettyString());
        } else {
            int width = r.facts().keySet().stream().mapToInt(String::length).max().orElse(10);
            r.facts().forEach((k, v) -> System.out.printf("%-" + width + "s  %s%n", k, v));
            System.out.println();
            r.advice().forEach(a -> System.out.println("advice: " + a));
        }
        return r.ready() ? 0 : 1;
    }
}
