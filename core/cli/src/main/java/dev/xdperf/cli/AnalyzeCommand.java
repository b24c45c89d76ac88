package dev.xdperf.cli;

import dev.xdperf.abi.AbiCodec;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.abi.TemplateValidator;
import dev.xdperf.analyze.Analysis;
import dev.xdperf.analyze.Analyzer;
import dev.xdperf.analyze.fib.Fib;
import dev.xdperf.analyze.maps.MapContents;
import dev.xdperf.analyze.maps.MapUpdate;
import dev.xdperf.analyze.cache.Policy;
import dev.xdperf.analyze.object.ObjectLoader;
import dev.xdperf.analyze.object.ObjectSpec;
import dev.xdperf.analyze.pcap.PcapReader;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.PcapWriter;
import dev.xdperf.packet.UdpStream;
import dev.xdperf.plugin.PluginLimits;
import dev.xdperf.plugin.PluginResolver;
import dev.xdperf.plugin.WasmPlugin;
import dev.xdperf.template.FieldEngine;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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

    @Option(names = {"-P", "--plugin"}, paramLabel = "NAME|PATH", description = "Make the traffic with this plugin.")
    String plugin;

    @Option(names = {"-O", "--plugin-opt"}, paramLabel = "KEY=VALUE", description = "A plugin option (repeatable).")
    List<String> pluginOpts = new ArrayList<>();

    @Option(names = "--templates", paramLabel = "FILE", description = "Make the traffic from an encoded template set (docs/abi.md).")
    Path templates;

    @Option(names = "--pcap", paramLabel = "FILE", description = "Read the traffic from a pcap file (repeatable: files are concatenated).")
    List<Path> pcaps = new ArrayList<>();

    @Option(names = "--interleave", description = "Take packets from the --pcap files in turn instead of one file after the other.")
    boolean interleave;

    @Option(names = "--traffic-out", paramLabel = "FILE.pcap", description = "Also write the analysed traffic to a pcap file.")
    Path trafficOut;

    @Option(names = {"-n", "--count"}, paramLabel = "N", converter = Converters.Count.class,
            description = "Packets to analyse (default 1000 generated; all of a pcap).")
    Long count;

    @Option(names = "--size", paramLabel = "BYTES", description = "Frame size of the built-in UDP stream (default ${DEFAULT-VALUE}).")
    int size = 64;

    @Option(names = {"-6", "--ipv6"}, description = "Generate IPv6 traffic.")
    boolean ipv6;

    @Option(names = "--src-mac", paramLabel = "MAC", converter = Converters.Mac.class, description = "Default 02:00:00:00:00:01.")
    MacAddress srcMac;

    @Option(names = "--dst-mac", paramLabel = "MAC", converter = Converters.Mac.class, description = "Default 02:00:00:00:00:02.")
    MacAddress dstMac;

    @Option(names = "--src-ip", paramLabel = "IP", converter = Converters.Ip.class, description = "Default 198.18.0.1 (fd00:5844::1 with -6).")
    InetAddress srcIp;

    @Option(names = "--dst-ip", paramLabel = "IP", converter = Converters.Ip.class, description = "Default 198.18.0.2 (fd00:5844::2 with -6).")
    InetAddress dstIp;

    @Option(names = "--src-port", paramLabel = "PORT", description = "UDP source port of the built-in stream (default ${DEFAULT-VALUE}).")
    int srcPort = 5201;

    @Option(names = "--dst-port", paramLabel = "PORT", description = "UDP destination port of the built-in stream (default ${DEFAULT-VALUE}).")
    int dstPort = 5201;

    @Option(names = "--cache-sizes", paramLabel = "LIST", description = "Cache sizes, e.g. 1..32, 1,2,4,8 (default ${DEFAULT-VALUE}).")
    String cacheSizes = "1..32";

    @Option(names = "--policy", paramLabel = "LIST", split = ",",
            description = "Cache policies: lru, lfu, fifo, random, optimal, infinite (default: all but infinite, which is always shown).")
    List<String> policies;

    @Option(names = "--mutate", paramLabel = "N", description = "Look for traces the traffic missed with up to N mutated witness packets.")
    int mutate;

    @Option(names = "--adversary-size", paramLabel = "N", description = "Build a packet order on which an N-entry cache misses every packet.")
    Integer adversarySize;

    @Option(names = "--adversary-policy", paramLabel = "P", description = "The cache policy the order defeats (default ${DEFAULT-VALUE}).")
    String adversaryPolicy = "lru";

    @Option(names = "--adversary-count", paramLabel = "N", description = "Packets in the adversarial order (default ${DEFAULT-VALUE}).")
    int adversaryCount = 1000;

    @Option(names = "--adversary-out", paramLabel = "FILE",
            description = "Write the adversarial order: FILE.pcap as a pcap, anything else as a template set for 'xdperf client --templates'.")
    Path adversaryOut;

    @Option(names = "--budget", paramLabel = "N", description = "Instructions a packet may take (default ${DEFAULT-VALUE}).")
    long budget = 1_000_000;

    @Option(names = "--seed", paramLabel = "N", description = "Seed of random numbers in the program and the random cache (default ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--map", paramLabel = "NAME=FILE.json|NAME=pinned:PATH",
            description = "Fill map NAME before the first packet, from FILE.json as bpftool map dump -j writes it or from a"
                    + " snapshot of the pinned map at PATH (repeatable). Traces hold for these contents.")
    List<String> maps = new ArrayList<>();

    @Option(names = "--map-updates", paramLabel = "FILE",
            description = "Change maps while the traffic flows (JSON: packet index or time, map, key, value or delete);"
                    + " the cache simulation drops the traces that read a changed entry and reports the cost.")
    Path mapUpdates;

    @Option(names = "--fib", paramLabel = "FILE|host",
            description = "Interfaces, routes and neighbours for bpf_fib_lookup: a JSON file of ip -j link, route and neigh"
                    + " output, or 'host' for this network namespace's (default: none).")
    String fib;

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
        int sources = (plugin != null ? 1 : 0) + (templates != null ? 1 : 0) + (pcaps.isEmpty() ? 0 : 1);
        if (sources > 1) {
            throw new IllegalArgumentException("give one of --plugin, --templates or --pcap");
        }
        if (!pluginOpts.isEmpty() && plugin == null) {
            throw new IllegalArgumentException("--plugin-opt needs --plugin");
        }
        if (adversaryOut != null && adversarySize == null) {
            throw new IllegalArgumentException("--adversary-out needs --adversary-size");
        }
        if (mutate < 0) {
            throw new IllegalArgumentException("--mutate must not be negative");
        }
        if (!Files.isRegularFile(prog)) {
            throw new IllegalArgumentException("read " + prog + ": no such file");
        }
        if (checkKernel) {
            dev.xdperf.probe.Privileges.requireXdp("analyze --check-kernel");
        }
        byte[] elf = Files.readAllBytes(prog);
        ObjectSpec object = ObjectLoader.load(prog.getFileName().toString(), elf);
        List<MapContents> contents = new ArrayList<>();
        for (String m : maps) {
            contents.add(mapContents(m));
        }
        Fib fibTables = fib == null ? Fib.empty() : fib.equals("host") ? Fib.host() : Fib.read(Path.of(fib));
        Analyzer.Builder b = Analyzer.builder(object)
                .maps(contents)
                .fib(fibTables)
                .program(section)
                .cacheSizes(parseSizes(cacheSizes))
                .budget(budget)
                .seed(seed)
                .mutate(mutate);
        if (policies != null) {
            b.policies(policies.stream().map(Policy::parse).toList());
        }
        if (adversarySize != null) {
            b.adversary(Policy.parse(adversaryPolicy), adversarySize, adversaryCount);
        }
        List<byte[]> packets = traffic();
        if (mapUpdates != null) {
            b.mapUpdates(placeUpdates(MapUpdate.read(mapUpdates), packets.size()));
        }
        Analyzer analyzer = b.build();
        if (packets.isEmpty()) {
            throw new IllegalArgumentException("analyze " + analyzer.program().name() + ": the traffic has no packets");
        }
        if (trafficOut != null) {
            writePcap(packets, trafficOut);
            spec.commandLine().getErr().println("wrote " + packets.size() + " packets to " + trafficOut);
        }
        Analysis a = analyzer.run(packets);
        KernelCheck.Outcome check = checkKernel
                ? KernelCheck.run(prog, analyzer, contents, packets) : null;
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
        if (adversaryOut != null) {
            writeAdversary(a, adversaryOut);
            spec.commandLine().getErr().println("wrote " + a.adversaryPackets().size() + " packets to " + adversaryOut);
        }
        if (check != null && !check.agrees()) {
            spec.commandLine().getErr().println("xdperf: analyze " + analyzer.program().name() + ": the kernel and the interpreter differ on "
                    + check.differences().size() + " of " + check.packets() + " packets (see the report)");
            return 5;
        }
        return 0;
    }

    /** NAME=FILE.json, or NAME=pinned:PATH read from the kernel now. */
    static MapContents mapContents(String option) {
        int eq = option.indexOf('=');
        if (eq > 0 && option.startsWith("pinned:", eq + 1)) {
            String name = option.substring(0, eq);
            String path = option.substring(eq + 1 + "pinned:".length());
            if (!Files.exists(Path.of(path))) {
                throw new IllegalArgumentException("--map " + option + ": no pinned map at " + path);
            }
            List<MapContents.Entry> entries = new ArrayList<>();
            for (byte[][] kv : dev.xdperf.bpf.BpfMap.dumpPinned(path)) {
                entries.add(new MapContents.Entry(kv[0], kv[1]));
            }
            return new MapContents(name, Path.of(path), entries);
        }
        return MapContents.parse(option);
    }

    /** Places updates given by time at packet indexes, from the capture's timestamps. */
    private List<MapUpdate> placeUpdates(List<MapUpdate> updates, int packets) {
        long[] times = null;
        List<MapUpdate> out = new ArrayList<>();
        for (MapUpdate u : updates) {
            if (u.packet() >= 0) {
                if (u.packet() >= packets) {
                    throw new IllegalArgumentException("--map-updates " + mapUpdates + ": an update of " + u.map() + " at packet "
                            + u.packet() + ", but the traffic has " + packets + " packets");
                }
                out.add(u);
                continue;
            }
            if (pcaps.size() != 1 || interleave) {
                throw new IllegalArgumentException("--map-updates " + mapUpdates + ": an update of " + u.map() + " is placed by"
                        + " time, which needs the timestamps of one --pcap file (give \"packet\" instead)");
            }
            if (times == null) {
                times = PcapReader.timestamps(pcaps.get(0), packets);
            }
            long at = times.length == 0 ? 0 : times[0] + (long) (u.time() * 1e9);
            int i = 0;
            while (i < times.length && times[i] < at) {
                i++;
            }
            if (i >= packets) {
                throw new IllegalArgumentException("--map-updates " + mapUpdates + ": an update of " + u.map() + " at "
                        + u.time() + " s comes after the last packet");
            }
            out.add(u.at(i));
        }
        return out;
    }

    /** "1..32", "1,2,4,8", or a mix: "1..4,8,16". */
    static List<Integer> parseSizes(String text) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.trim();
            try {
                int dots = p.indexOf("..");
                if (dots >= 0) {
                    int from = Integer.parseInt(p.substring(0, dots).trim());
                    int to = Integer.parseInt(p.substring(dots + 2).trim());
                    if (from < 1 || to < from || to - from > 4096) {
                        throw new IllegalArgumentException("cache sizes '" + p + "' are not a range of positive sizes");
                    }
                    for (int i = from; i <= to; i++) {
                        out.add(i);
                    }
                } else {
                    int v = Integer.parseInt(p);
                    if (v < 1) {
                        throw new IllegalArgumentException("cache size " + v + " is not positive");
                    }
                    out.add(v);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + text + "' is not a list of cache sizes (examples: 1..32, 1,2,4,8)");
            }
        }
        return out.stream().distinct().sorted().toList();
    }

    private List<byte[]> traffic() throws IOException {
        if (!pcaps.isEmpty()) {
            List<List<byte[]>> files = new ArrayList<>();
            for (Path p : pcaps) {
                files.add(PcapReader.read(p, interleave || count == null ? -1 : count));
            }
            List<byte[]> out = new ArrayList<>();
            if (interleave) {
                for (int i = 0; out.size() < (count == null ? Long.MAX_VALUE : count); i++) {
                    boolean any = false;
                    for (List<byte[]> f : files) {
                        if (i < f.size() && out.size() < (count == null ? Long.MAX_VALUE : count)) {
                            out.add(f.get(i));
                            any = true;
                        }
                    }
                    if (!any) {
                        break;
                    }
                }
            } else {
                files.forEach(out::addAll);
            }
            return count == null || out.size() <= count ? out : out.subList(0, (int) (long) count);
        }
        if (interleave) {
            throw new IllegalArgumentException("--interleave needs --pcap files");
        }
        long n = count == null ? 1000 : count;
        if (n > 10_000_000) {
            throw new IllegalArgumentException("--count " + n + " is more than the 10000000 packets analyze takes");
        }
        TemplateSet set = templateSet();
        TemplateValidator.validate(set, TemplateSet.MAX_FRAME);
        FieldEngine engine = new FieldEngine(set, 0);   // random rules drawn with seed 0: the same packets every time
        List<byte[]> out = new ArrayList<>((int) n);
        for (long k = 0; k < n; k++) {
            out.add(engine.frame(k));
        }
        return out;
    }

    private TemplateSet templateSet() {
        boolean v6 = ipv6 || srcIp instanceof Inet6Address || dstIp instanceof Inet6Address;
        MacAddress sm = srcMac != null ? srcMac : MacAddress.parse("02:00:00:00:00:01");
        MacAddress dm = dstMac != null ? dstMac : MacAddress.parse("02:00:00:00:00:02");
        InetAddress si = srcIp != null ? srcIp : UdpStream.parseIp(v6 ? "fd00:5844::1" : "198.18.0.1");
        InetAddress di = dstIp != null ? dstIp : UdpStream.parseIp(v6 ? "fd00:5844::2" : "198.18.0.2");
        if (templates != null) {
            return PluginResolver.file(templates).generate(null);
        }
        if (plugin != null) {
            dev.xdperf.plugin.LoadedPlugin p = PluginCommand.resolver().load(plugin);
            var options = p.describe().resolveOptions(PluginResolver.parseOptions(pluginOpts));
            boolean sizeGiven = spec.commandLine().getParseResult().hasMatchedOption("--size");
            RunRequest request = new RunRequest(AbiVersion.HOST, 1500, 1, sm.bytes(), dm.bytes(), sizeGiven ? size : 0, 0,
                    List.of(si), List.of(di), options);
            return p.generate(request);
        }
        return new UdpStream(sm, dm, si, di, srcPort, dstPort, size, 0, true).toTemplateSet();
    }

    private static void writePcap(List<byte[]> packets, Path file) throws IOException {
        try (PcapWriter w = new PcapWriter(file)) {
            long t = 0;
            for (byte[] p : packets) {
                w.write(p, t);
                t += 1000;
            }
        }
    }

    private static void writeAdversary(Analysis a, Path file) throws IOException {
        List<byte[]> packets = a.adversaryPackets();
        if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".pcap")) {
            writePcap(packets, file);
            return;
        }
        // one template per trace in the cycle, weight 1 each: xdp_tx sends them round robin, the same cycle
        List<Integer> cycle = a.adversary().traces().stream().distinct().toList();
        List<PacketTemplate> ts = new ArrayList<>();
        for (int id : cycle) {
            byte[] w = packets.get(a.adversary().traces().indexOf(id));
            if (w.length < TemplateSet.MIN_FRAME || w.length > TemplateSet.MAX_FRAME) {
                throw new IllegalArgumentException("write " + file + ": the witness of trace T" + id + " is " + w.length
                        + " bytes, a template must be " + TemplateSet.MIN_FRAME + ".." + TemplateSet.MAX_FRAME
                        + " (write a .pcap instead)");
            }
            ts.add(PacketTemplate.of(w).withStreamId(ts.size()));
        }
        Files.write(file, AbiCodec.encode(new TemplateSet(AbiVersion.HOST, ts)));
    }
}
