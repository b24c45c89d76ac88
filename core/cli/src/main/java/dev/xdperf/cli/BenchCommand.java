package dev.xdperf.cli;

import dev.xdperf.bench.BenchOptions;
import dev.xdperf.bench.BenchReport;
import dev.xdperf.bench.LiveBench;
import dev.xdperf.bench.MicroBench;
import dev.xdperf.bpf.XdpMode;
import dev.xdperf.probe.Privileges;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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

    @Mixin
    BenchTrafficOptions traffic = new BenchTrafficOptions();

    @Mixin
    BenchMicroOptions micro = new BenchMicroOptions();

    @Mixin
    BenchReportOptions report = new BenchReportOptions();

    @Option(names = {"-q", "--quiet"}, description = "No progress lines on standard error.")
    boolean quiet;

    @Option(names = "--until-eof", hidden = true, description = "With --dev: measure until standard input closes (used by the namespace mode).")
    boolean untilEof;

    @Override
    public Integer call() throws Exception {
        report.prepare();
        traffic.check(micro.micro, dev);
        micro.check(dev);
        if (untilEof && dev == null) {
            throw new IllegalArgumentException("--until-eof needs --dev");
        }
        Privileges.requireXdp("bench");
        BenchOptions o = options();
        PrintStream status = quiet ? new PrintStream(OutputStream.nullOutputStream()) : System.err;
        BenchReport result = micro.micro ? MicroBench.run(o)
                : dev != null ? LiveBench.onDevice(o, untilEof, status) : LiveBench.inNamespaces(o, status);
        String regression = report.write(result);
        if (regression != null) {
            System.err.println("xdperf: " + regression);
            return EXIT_REGRESSION;
        }
        if (result.live() != null && result.live().packets() == 0 && !untilEof) {
            System.err.println("xdperf: bench " + result.program() + ": the program saw no packet, so nothing was measured");
            return EXIT_NO_PACKETS;
        }
        return 0;
    }

    private BenchOptions options() {
        BenchOptions o = new BenchOptions();
        o.program = program;
        o.section = section;
        o.name = name;
        o.dev = dev;
        o.xdpMode = xdpMode;
        o.verdicts = verdicts;
        traffic.applyTo(o);
        micro.applyTo(o);
        return o;
    }
}
