package dev.xdperf.cli;

import dev.xdperf.spec.RunSpec;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.bench.Baseline;
import dev.xdperf.bench.BenchOptions;
import dev.xdperf.bench.BenchReport;
import dev.xdperf.bench.LiveBench;
import dev.xdperf.bench.MicroBench;
import dev.xdperf.bpf.XdpMode;
import dev.xdperf.probe.Privileges;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Benchmark an XDP program: its own cost per packet under real traffic, from the kernel's BPF "
                + "statistics, and the mix of verdicts it returned, without changing it.",
                "By default in fresh network namespaces: the program on the receiving end of a veth pair, xdperf's "
                + "sender on the other. --micro runs it with BPF_PROG_TEST_RUN on the traffic's templates instead.",
                "Exit codes: 0 ok, 1 error, 3 the program saw no packet, 4 slower than --baseline allows.", ""})
final class BenchCommand implements Callable<Integer> {
    static final int EXIT_NO_PACKETS = 3;
    static final int EXIT_REGRESSION = 4;

    @Option(names = "--prog", required = true, paramLabel = "OBJ.o", description = "The BPF object file of the program under test.")
    Path program;

    @Option(names = "--section", paramLabel = "NAME",
            description = "Section (e.g. xdp) or function name of the program (default: the object's only XDP program).")
    String section;

    @Option(names = "--name", paramLabel = "NAME", description = "Benchmark name in reports and baselines (default: the function name).")
    String name;

    @Option(names = "--dev", paramLabel = "IF",
            description = "Attach to this interface and measure what arrives (traffic from elsewhere) instead of using namespaces.")
    String dev;

    @Option(names = "--xdp-mode", converter = Converters.Mode.class, paramLabel = "MODE",
            description = "native (default) or generic.")
    XdpMode xdpMode = XdpMode.NATIVE;

    @Option(names = "--verdicts", paramLabel = "HOW",
            description = "How the verdict mix is counted: auto (default: the device's counters where it has them, else fexit),"
                    + " fexit, or device.")
    String verdicts = "auto";

    @Option(names = {"-P", "--plugin"}, paramLabel = "NAME|PATH", description = "Traffic from a protocol plugin (default: the built-in UDP stream).")
    String plugin;

    @Option(names = {"-O", "--plugin-opt"}, paramLabel = "KEY=VALUE", description = "A plugin option (repeatable).")
    List<String> pluginOpts = new ArrayList<>();

    @Option(names = "--templates", paramLabel = "FILE", description = "Traffic from an encoded template set (docs/abi.md).")
    Path templates;

    @Option(names = "--map", paramLabel = "NAME=FILE.json",
            description = "Fill the program's map NAME before the run from FILE.json, as bpftool map dump -j writes it (repeatable).")
    List<String> maps = new ArrayList<>();

    @Option(names = "--traffic", paramLabel = "FILE.pcap",
            description = "Traffic from a capture: its Ethernet frames as templates, weighted by how often each occurs.")
    Path traffic;

    @Option(names = "--size", paramLabel = "BYTES", description = "Frame size of the built-in UDP stream (default 64).")
    Integer size;

    @Option(names = "--src-port", paramLabel = "PORT", description = "UDP source port of the built-in stream (default ${DEFAULT-VALUE}).")
    int srcPort = RunSpec.DEFAULT_UDP_PORT;

    @Option(names = "--dst-port", paramLabel = "PORT", description = "UDP destination port of the built-in stream (default ${DEFAULT-VALUE}).")
    int dstPort = RunSpec.DEFAULT_UDP_PORT;

    @Option(names = "--pps", paramLabel = "RATE", converter = Converters.Rate.class, description = "Traffic rate (default: flat out).")
    Long pps;

    @Option(names = {"-t", "--duration"}, paramLabel = "TIME", converter = Converters.Time.class,
            description = "How long to send or measure (default 5 s).")
    Duration duration;

    @Option(names = {"-n", "--count"}, paramLabel = "N", converter = Converters.Count.class, description = "Send exactly N packets.")
    Long count;

    @Option(names = "--cpus", paramLabel = "LIST", description = "Sending CPUs (default: all online).")
    String cpus;

    @Option(names = "--micro", description = "BPF_PROG_TEST_RUN on each template instead of live traffic.")
    boolean micro;

    @Option(names = "--repeat", paramLabel = "N", converter = Converters.Count.class,
            description = "Micro mode: runs per test-run call (default 1M).")
    Long repeat;

    @Option(names = "--rounds", paramLabel = "N", description = "Micro mode: test-run calls per template; their mean and its 95%% interval are reported (default 10).")
    Integer rounds;

    @Option(names = "--format", paramLabel = "FORMAT", description = "text (default), json, or bmf (Bencher Metric Format).")
    String format = "text";

    @Option(names = "--json", description = "Same as --format json.")
    boolean json;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write the report to FILE instead of standard output.")
    Path output;

    @Option(names = "--baseline", paramLabel = "FILE", description = "Compare with an earlier --json report or BMF file.")
    Path baseline;

    @Option(names = "--max-regression", paramLabel = "PCT",
            description = "How much slower than --baseline is tolerated, e.g. 10%% (default 10%%).")
    String maxRegression;

    @Option(names = {"-q", "--quiet"}, description = "No progress lines on standard error.")
    boolean quiet;

    @Option(names = "--until-eof", hidden = true, description = "With --dev: measure until standard input closes (used by the namespace mode).")
    boolean untilEof;

    @Override
    public Integer call() throws Exception {
        String fmt = json ? "json" : format.toLowerCase(Locale.ROOT);
        if (!List.of("text", "json", "bmf").contains(fmt)) {
            throw new IllegalArgumentException("--format must be text, json or bmf, not '" + format + "'");
        }
        if (maxRegression != null && baseline == null) {
            throw new IllegalArgumentException("--max-regression needs --baseline");
        }
        double threshold = Baseline.parseThreshold(maxRegression == null ? "10%" : maxRegression);
        Baseline base = baseline == null ? null : Baseline.read(baseline);
        if ((plugin != null ? 1 : 0) + (templates != null ? 1 : 0) + (traffic != null ? 1 : 0) > 1) {
            throw new IllegalArgumentException("give one of --plugin, --templates and --traffic");
        }
        if (!pluginOpts.isEmpty() && plugin == null) {
            throw new IllegalArgumentException("--plugin-opt needs --plugin");
        }
        if (micro && dev != null) {
            throw new IllegalArgumentException("--micro runs the program without an interface: drop --dev");
        }
        if (micro && (pps != null || count != null || duration != null || cpus != null)) {
            throw new IllegalArgumentException("--pps, --count, --duration and --cpus apply to live runs, not --micro (use --repeat and --rounds)");
        }
        if (!micro && (repeat != null || rounds != null)) {
            throw new IllegalArgumentException("--repeat and --rounds apply to --micro");
        }
        if (dev != null && (plugin != null || templates != null || traffic != null || size != null || pps != null || count != null || cpus != null)) {
            throw new IllegalArgumentException("with --dev the traffic comes from elsewhere: --plugin, --templates, --traffic, --size, --pps,"
                    + " --count and --cpus apply only without --dev");
        }
        if (untilEof && dev == null) {
            throw new IllegalArgumentException("--until-eof needs --dev");
        }
        if (pps != null && pps <= 0) {
            throw new IllegalArgumentException("--pps must be a positive rate");
        }
        Privileges.requireXdp("bench");

        BenchOptions o = new BenchOptions();
        o.program = program;
        o.section = section;
        o.name = name;
        o.dev = dev;
        o.xdpMode = xdpMode;
        o.verdicts = verdicts;
        o.plugin = plugin;
        o.pluginOptions = pluginOpts;
        o.templates = templates;
        o.traffic = traffic;
        o.maps = maps;
        o.mapContents();   // read the files now: a bad one fails before anything is loaded
        o.size = size;
        o.srcPort = srcPort;
        o.dstPort = dstPort;
        o.pps = pps == null ? 0 : pps;
        o.duration = duration;
        o.count = count == null ? 0 : count;
        o.cpus = cpus;
        o.micro = micro;
        if (repeat != null) {
            if (repeat > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("--repeat is at most " + Integer.MAX_VALUE);
            }
            o.repeat = (int) (long) repeat;
        }
        if (rounds != null) {
            o.rounds = rounds;
        }

        PrintStream status = quiet ? new PrintStream(java.io.OutputStream.nullOutputStream()) : System.err;
        BenchReport report;
        if (micro) {
            report = MicroBench.run(o);
        } else if (dev != null) {
            report = LiveBench.onDevice(o, untilEof, status);
        } else {
            report = LiveBench.inNamespaces(o, status);
        }

        List<Baseline.Comparison> comparisons = base == null ? List.of() : base.compare(report, threshold);
        String text = switch (fmt) {
            case "json" -> {
                ObjectNode n = report.toJson();
                if (base != null) {
                    base.putInto(n, comparisons, threshold);
                }
                yield n.toPrettyString() + "\n";
            }
            case "bmf" -> report.toBmf().toPrettyString() + "\n";
            default -> report.toText() + Baseline.text(comparisons, threshold);
        };
        if (output != null) {
            Files.writeString(output, text, StandardCharsets.UTF_8);
        }
        if (output == null || fmt.equals("text")) {
            System.out.print(text);
        }
        System.out.flush();
        if (!fmt.equals("text") && !comparisons.isEmpty()) {
            System.err.print(Baseline.text(comparisons, threshold));
        }
        String regression = base == null ? null : base.regression(comparisons, threshold);
        if (regression != null) {
            System.err.println("xdperf: " + regression);
            return EXIT_REGRESSION;
        }
        if (report.live() != null && report.live().packets() == 0 && !untilEof) {
            System.err.println("xdperf: bench " + report.program() + ": the program saw no packet, so nothing was measured");
            return EXIT_NO_PACKETS;
        }
        return 0;
    }
}
