package dev.xdperf.bench;

import dev.xdperf.analyze.maps.MapContents;
import dev.xdperf.spec.RunSpec;
import dev.xdperf.bpf.XdpMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** What `xdperf bench` takes; null means the default. */
public final class BenchOptions {
    /** The object file of the program under test. */
    public Path program;
    /** Section or function name of the program in the file; null: its only XDP program. */
    public String section;
    /** The benchmark's name in reports and baselines; null: the program's function name. */
    public String name;
    /** Map contents to load before the run, as given to --map: NAME=FILE.json (bpftool map dump -j). */
    public List<String> maps = new ArrayList<>();

    /** Attach on this interface (traffic comes from elsewhere); null: fresh namespaces and our own sender. */
    public String dev;
    public XdpMode xdpMode = XdpMode.NATIVE;
    /** How the verdict mix is counted: auto, fexit or device. */
    public String verdicts = "auto";

    /** Traffic: a plugin (name or .wasm path) and its options, or a template-set file; else the built-in UDP stream. */
    public String plugin;
    /** KEY=VALUE, as given to --plugin-opt. */
    public List<String> pluginOptions = new ArrayList<>();
    public Path templates;
    /** Traffic from a capture (pcap): its frames as templates. */
    public Path traffic;
    public Integer size;
    public int srcPort = RunSpec.DEFAULT_UDP_PORT;
    public int dstPort = RunSpec.DEFAULT_UDP_PORT;
    public long pps;
    public Duration duration = Duration.ofSeconds(5);
    public long count;
    public String cpus;

    /** Micro mode: BPF_PROG_TEST_RUN per template, no interfaces. */
    public boolean micro;
    public int repeat = 1_000_000;
    public int rounds = 10;

    /** --map, read. */
    public List<MapContents> mapContents() {
        return maps.stream().map(MapContents::parse).toList();
    }
}
