package dev.xdperf.cli;

import dev.xdperf.analyze.Analysis;
import dev.xdperf.analyze.Analyzer;
import dev.xdperf.analyze.maps.MapContents;
import dev.xdperf.analyze.object.ObjectLoader;
import dev.xdperf.analyze.object.ObjectSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "analyze", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run an XDP program in xdperf's eBPF interpreter over traffic (no privileges needed):",
                "the straight-line traces packets take, the path condition that selects each one,",
                "and how a trace cache of each size and policy would fare."})
final class AnalyzeCommand implements Callable<Integer> {
    @Option(names = "--prog", required = true, paramLabel = "OBJ.o", description = "BPF object file (clang -target bpf).")
    Path prog;

    @Option(names = "--section", paramLabel = "S", description = "Program to analyse, by name or ELF section (default: the only XDP program).")
    String section;

    @Mixin
    AnalyzeTrafficOptions traffic;

    @Mixin
    AnalyzeSimulationOptions simulation;

    @Mixin
    AnalyzeStateOptions state;

    @Option(names = "--check-kernel", description = {"Also run every packet through the kernel (BPF_PROG_TEST_RUN, as root) and",
            "report any difference in verdict or output bytes; exit 5 when there is one."})
    boolean checkKernel;

    @Option(names = "--raw", description = "Show conditions as raw packet bytes (bytes[23] == 0x11), not as header fields (ipv4.proto == 0x11).")
    boolean raw;

    @Option(names = "--json", description = "Print the analysis as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        traffic.check();
        simulation.check();
        if (!Files.isRegularFile(prog)) {
            throw new IllegalArgumentException("read " + prog + ": no such file");
        }
        if (checkKernel) {
            dev.xdperf.probe.Privileges.requireXdp("analyze --check-kernel");
        }
        ObjectSpec object = ObjectLoader.load(prog.getFileName().toString(), Files.readAllBytes(prog));
        List<MapContents> contents = state.contents();
        Analyzer.Builder b = Analyzer.builder(object).maps(contents).fib(state.fibTables()).program(section);
        simulation.applyTo(b);
        List<byte[]> packets = traffic.packets(spec.commandLine().getParseResult().hasMatchedOption("--size"));
        b.mapUpdates(state.updates(packets.size(), traffic));
        Analyzer analyzer = b.build();
        if (packets.isEmpty()) {
            throw new IllegalArgumentException("analyze " + analyzer.program().name() + ": the traffic has no packets");
        }
        PrintWriter err = spec.commandLine().getErr();
        if (traffic.trafficOut != null) {
            AnalyzeTrafficOptions.writePcap(packets, traffic.trafficOut);
            err.println("wrote " + packets.size() + " packets to " + traffic.trafficOut);
        }
        Analysis a = analyzer.run(packets);
        KernelCheck.Outcome check = checkKernel ? KernelCheck.run(prog, analyzer, contents, packets) : null;
        print(a, check);
        int adversary = simulation.writeAdversary(a);
        if (adversary >= 0) {
            err.println("wrote " + adversary + " packets to " + simulation.adversaryOut);
        }
        if (check != null && !check.agrees()) {
            err.println("xdperf: analyze " + analyzer.program().name() + ": the kernel and the interpreter differ on "
                    + check.differences().size() + " of " + check.packets() + " packets (see the report)");
            return 5;
        }
        return 0;
    }

    private void print(Analysis a, KernelCheck.Outcome check) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            var n = a.toJson();
            if (check != null) {
                n.set("check_kernel", check.toJson());
            }
            out.println(n.toPrettyString());
        } else {
            out.print(a.toText(raw));
            if (check != null) {
                out.print(check.toText());
            }
        }
        out.flush();
    }
}
