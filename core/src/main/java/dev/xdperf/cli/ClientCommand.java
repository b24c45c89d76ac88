package dev.xdperf.cli;

import dev.xdperf.bpf.XdpMode;
import dev.xdperf.control.ClientRun;
import dev.xdperf.control.ControlServer;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.plugin.PluginLimits;
import dev.xdperf.plugin.PluginResolver;
import dev.xdperf.plugin.LoadedPlugin;
import dev.xdperf.probe.Privileges;
import dev.xdperf.stats.Json;
import dev.xdperf.stats.LiveSample;
import dev.xdperf.stats.RunReport;
import dev.xdperf.tx.TestHook;
import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "client", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Send packets out of an interface with XDP, one transmit loop per CPU.",
                "With --server, the server counts what arrives and both sides are reported."})
final class ClientCommand implements Callable<Integer> {
    @Option(names = "--dev", required = true, paramLabel = "IF", description = "Interface to send on.")
    String dev;

    @Option(names = {"-c", "--server"}, paramLabel = "HOST", description = "xdperf server to agree the run with (its control address).")
    String server;

    @Option(names = "--port", paramLabel = "P", description = "Server's control port (default ${DEFAULT-VALUE}).")
    int port = ControlServer.DEFAULT_PORT;

    @Option(names = "--cpus", paramLabel = "LIST", converter = Converters.CpuList.class,
            description = "Sending CPUs, e.g. 0, 0-3, 1,3 (default: all online).")
    List<Integer> cpus;

    @Option(names = "--pps", paramLabel = "RATE", converter = Converters.Rate.class,
            description = "Target rate over all CPUs, e.g. 100k, 2M (default: flat out).")
    Long pps;

    @Option(names = {"-t", "--duration"}, paramLabel = "TIME", converter = Converters.Time.class,
            description = "How long to send, e.g. 10, 500ms, 2m (default 10 s unless --count is given).")
    Duration duration;

    @Option(names = {"-n", "--count"}, paramLabel = "N", converter = Converters.Count.class,
            description = "Send exactly N packets.")
    Long count;

    @Option(names = "--size", paramLabel = "BYTES", description = "Frame size without FCS, 64..1514 (default ${DEFAULT-VALUE}).")
    int size = 64;

    @Option(names = "--src-mac", converter = Converters.Mac.class, description = "Default: the interface's MAC.")
    MacAddress srcMac;

    @Option(names = "--dst-mac", converter = Converters.Mac.class,
            description = "Default: the server's MAC, else the neighbour table's entry for --dst-ip.")
    MacAddress dstMac;

    @Option(names = "--src-ip", converter = Converters.Ip.class, description = "IPv4 or IPv6. Default: the interface's address.")
    InetAddress srcIp;

    @Option(names = "--dst-ip", converter = Converters.Ip.class, description = "IPv4 or IPv6. Default: the server's address.")
    InetAddress dstIp;

    @Option(names = {"-6", "--ipv6"}, description = "Use IPv6 addresses by default.")
    boolean ipv6;

    @Option(names = "--src-port", description = "UDP source port (default ${DEFAULT-VALUE}).")
    int srcPort = ClientRun.DEFAULT_PORT;

    @Option(names = "--dst-port", description = "UDP destination port (default ${DEFAULT-VALUE}).")
    int dstPort = ClientRun.DEFAULT_PORT;

    @Option(names = "--stream", paramLabel = "ID", description = "Stream id carried in the measurement header (default 0).")
    int stream;

    @Option(names = "--no-measure", description = "Send frames without the xdperf measurement header.")
    boolean noMeasure;

    @Option(names = "--xdp-mode", converter = Converters.Mode.class, paramLabel = "MODE",
            description = "native (default) or generic, for the pass-through program on --dev.")
    XdpMode xdpMode = XdpMode.NATIVE;

    @Option(names = "--no-pass-prog", description = "Do not attach the pass-through XDP program to --dev.")
    boolean noPass;

    @Option(names = "--callers", paramLabel = "N", description = "Transmit callers per CPU, 1..4 (default ${DEFAULT-VALUE}).")
    int callers = 2;

    @Option(names = {"-P", "--plugin"}, paramLabel = "NAME|PATH",
            description = "Protocol plugin that makes the templates (a bundled or installed name, or a .wasm, .jar or .zip file).")
    String plugin;

    @Option(names = {"-O", "--plugin-opt"}, paramLabel = "KEY=VALUE", description = "A plugin option (repeatable); see 'xdperf plugin describe'.")
    List<String> pluginOpts = new ArrayList<>();

    @Option(names = "--templates", paramLabel = "FILE", description = "Send an encoded template set (docs/abi.md) from a file.")
    java.nio.file.Path templateFile;

    @Option(names = "--pcap", paramLabel = "FILE",
            description = "Write the packets the run would send (--count of them, default 1000) to a pcap file; send nothing.")
    java.nio.file.Path pcap;

    @Option(names = "--json", description = "Print the final report as JSON (live lines go to stderr).")
    boolean json;

    @Option(names = "--json-stream", description = "Print one JSON object per second, then the final report.")
    boolean jsonStream;

    @Option(names = {"-q", "--quiet"}, description = "No live lines.")
    boolean quiet;

    @Option(names = "--test-hook", hidden = true, description = "Sender faults for tests: drop:SEQ or stamp:SEQ=VALUE.")
    List<String> testHooks = new ArrayList<>();

    @Override
    public Integer call() throws java.io.IOException {
        if (pps != null && pps <= 0) {
            throw new IllegalArgumentException("--pps must be a positive rate");
        }
        if (plugin != null && templateFile != null) {
            throw new IllegalArgumentException("give --plugin or --templates, not both");
        }
        if (pcap == null) {
            Privileges.requireXdp("client");
        }
        ClientRun.Options o = new ClientRun.Options();
        o.dev = dev;
        o.server = server;
        o.serverPort = port;
        o.cpus = cpus;
        o.pps = pps == null ? 0 : pps;
        o.count = count == null ? 0 : count;
        o.duration = duration != null ? duration : (count == null ? Duration.ofSeconds(10) : null);
        o.size = size;
        o.srcMac = srcMac;
        o.dstMac = dstMac;
        o.srcIp = srcIp;
        o.dstIp = dstIp;
        o.ipv6 = ipv6;
        o.srcPort = srcPort;
        o.dstPort = dstPort;
        o.streamId = stream;
        o.measurement = !noMeasure;
        o.xdpMode = xdpMode;
        o.attachPass = !noPass;
        o.callersPerCpu = callers;
        o.testHooks = testHooks.stream().map(TestHook::parse).toList();
        o.sizeGiven = sizeGiven();
        if (plugin != null) {
            LoadedPlugin p = PluginCommand.resolver().load(plugin);
            o.pluginOptions = p.describe().resolveOptions(PluginResolver.parseOptions(pluginOpts));
            o.source = PluginResolver.source(p);
        } else if (!pluginOpts.isEmpty()) {
            throw new IllegalArgumentException("--plugin-opt needs --plugin");
        } else if (templateFile != null) {
            o.source = PluginResolver.file(templateFile);
        }
        if (pcap != null) {
            long n = new ClientRun(o).writePcap(pcap, count == null ? 1000 : count);
            System.err.println("wrote " + n + " packets to " + pcap);
            return 0;
        }

        PrintStream out = System.out;
        Consumer<LiveSample> live;
        if (jsonStream) {
            live = s -> out.println(s.toJson());
        } else if (quiet) {
            live = s -> { };
        } else {
            PrintStream lines = json ? System.err : out;
            live = s -> lines.println(s.toText());
        }
        RunReport report = new ClientRun(o).run(live);
        if (jsonStream) {
            var n = report.toJson();
            n.put("type", "final");
            out.println(n);
        } else if (json) {
            out.println(report.toJson().toPrettyString());
        } else {
            out.print(report.toText());
        }
        out.flush();
        return report.sent() == 0 ? 3 : 0;
    }

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    private boolean sizeGiven() {
        return spec != null && spec.commandLine().getParseResult().hasMatchedOption("--size");
    }

    static {
        Json.MAPPER.getClass();  // load Jackson early: the first report should not wait for it
    }
}
