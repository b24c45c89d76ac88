package dev.xdperf.jmh;

import dev.xdperf.abi.AbiCodec;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.plugin.AotCache;
import dev.xdperf.plugin.PluginLimits;
import dev.xdperf.plugin.PluginResolver;
import dev.xdperf.plugin.WasmPlugin;
import dev.xdperf.template.FieldEngine;
import dev.xdperf.template.TemplateCompiler;
import java.io.InputStream;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hot Java paths: the template codec, the reference field engine, and plugin calls
 * through the WASM host (the tcp plugin generating 256 flows, one template each with
 * addresses=all... here: 256 templates through icmp's per-flow identifiers is one template;
 * tcp flows are rules, so the 256-template case uses the icmp plugin's "all" addressing
 * over 16x16 addresses).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPaths {
    TemplateSet set;
    byte[] encoded;
    FieldEngine engine;
    byte[] wasm;
    RunRequest request;
    WasmPlugin loaded;
    long k;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        try (InputStream in = HotPaths.class.getResourceAsStream("/plugins/icmp.wasm")) {
            wasm = in.readAllBytes();
        }
        List<InetAddress> src = new java.util.ArrayList<>();
        List<InetAddress> dst = new java.util.ArrayList<>();
        for (int i = 1; i <= 16; i++) {
            src.add(InetAddress.getByName("198.18.0." + i));
            dst.add(InetAddress.getByName("198.18.1." + i));
        }
        loaded = WasmPlugin.load("icmp", wasm, PluginLimits.DEFAULT);
        request = new RunRequest(AbiVersion.HOST, 1500, 2, new byte[] {2, 0, 0, 0, 0, 1}, new byte[] {2, 0, 0, 0, 0, 2}, 0, 0,
                src, dst, loaded.describe().resolveOptions(Map.of("addresses", "all", "flows", "64")));
        set = loaded.generate(request);
        encoded = AbiCodec.encode(set);
        engine = new FieldEngine(set, 0);
    }

    @Benchmark
    public byte[] encodeTemplateSet() {
        return AbiCodec.encode(set);
    }

    @Benchmark
    public TemplateSet decodeTemplateSet() {
        return AbiCodec.decodeSet(encoded);
    }

    @Benchmark
    public Object compileTemplateSet() {
        return TemplateCompiler.compile(set, 1500, 0);
    }

    @Benchmark
    public byte[] referenceEngineFrame() {
        return engine.frame(k++);
    }

    /** A plugin call through the WASM host: generate 256 templates from a loaded plugin. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public TemplateSet pluginGenerate256Templates() {
        return loaded.generate(request);
    }

    /** Load from the cached compiled form (same digest) and generate 256 templates: issue 3's < 200 ms. */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public TemplateSet pluginLoadCachedAndGenerate() {
        return WasmPlugin.load("icmp", wasm, PluginLimits.DEFAULT).generate(request);
    }

    /**
     * As a new process would: the compiled form from xdperf's cache on disk (classes read,
     * checked and defined), then instantiate and generate 256 templates.
     */
    @Benchmark
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public TemplateSet pluginLoadFromDiskAndGenerate(DiskCache cache) {
        return WasmPlugin.load("icmp", wasm, PluginLimits.DEFAULT).generate(request);
    }

    /** Empties the in-memory cache before every call: each load must read the disk cache. */
    @State(Scope.Thread)
    public static class DiskCache {
        @Setup(Level.Invocation)
        public void forget() {
            AotCache.clearMemory();
        }
    }

    static {
        PluginResolver.class.getName();
    }
}
