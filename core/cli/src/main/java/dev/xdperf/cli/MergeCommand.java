package dev.xdperf.cli;

import dev.xdperf.dist.Merge;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "merge", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Combine the reports of a distributed run's agents (and sinks) into one: counters added,",
                "latency histograms merged bucket by bucket and their percentiles computed again.",
                "Exits 3 when a shard is missing or failed."})
final class MergeCommand implements Callable<Integer> {
    /** A run with a missing or failed shard: the merged numbers are not the whole run's. */
    static final int INCOMPLETE = 3;

    @Parameters(arity = "1..*", paramLabel = "FILE",
            description = "Reports: agent or sink JSON files, or logs with one report per line (kubectl logs).")
    List<Path> files = new ArrayList<>();

    @Option(names = "--json", description = "Print the merged report as JSON.")
    boolean json;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Also write the merged report (JSON) to FILE.")
    Path out;

    @Override
    public Integer call() throws Exception {
        List<Merge.Source> sources = new ArrayList<>();
        for (Path f : files) {
            sources.addAll(Merge.read(f));
        }
        Merge.Outcome o = Merge.merge(sources);
        if (json) {
            System.out.println(o.report().toPrettyString());
        } else {
            System.out.print(Merge.toText(o));
        }
        System.out.flush();
        if (out != null) {
            Files.writeString(out, o.report().toPrettyString() + "\n");
        }
        if (!o.complete()) {
            System.err.println("xdperf: merge run " + o.report().path("run_id").asText() + ": " + o.problems().get(0)
                    + (o.problems().size() > 1 ? " (and " + (o.problems().size() - 1) + " more problem"
                    + (o.problems().size() > 2 ? "s" : "") + ")" : ""));
            return INCOMPLETE;
        }
        return 0;
    }
}
