package dev.xdperf.plugin;

import com.dylibso.chicory.log.Logger;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.Parser;
import com.dylibso.chicory.wasm.WasmModule;
import dev.xdperf.abi.AbiCodec;
import dev.xdperf.abi.AbiException;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.PluginDescription;
import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplateSet;
import java.lang.reflect.Field;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.extism.sdk.chicory.ExtismFunctionException;
import org.extism.sdk.chicory.Manifest;
import org.extism.sdk.chicory.Plugin;
import org.extism.sdk.chicory.XdperfLinker;

/**
 * A WebAssembly plugin on Chicory through the Extism SDK, compiled ahead of time to JVM
 * bytecode (cached per module digest in memory and on disk: {@link AotCache}). Untrusted: every call
 * runs on its own thread under a memory cap, a timeout (a watchdog interrupts it; Chicory
 * checks interruption) and an output cap, and every failure becomes one PluginException.
 */
public final class WasmPlugin implements LoadedPlugin {
    private static final Logger SILENT = new Logger() {
        @Override
        public void log(Level level, String msg, Throwable t) {
        }

        @Override
        public boolean isLoggable(Level level) {
            return false;
        }
    };

    private final String name;
    private final PluginLimits limits;
    private final Plugin plugin;
    private final Instance instance;
    private final AbiVersion abi;
    private PluginDescription description;

    private WasmPlugin(String name, PluginLimits limits, Plugin plugin, Instance instance, AbiVersion abi) {
        this.name = name;
        this.limits = limits;
        this.plugin = plugin;
        this.instance = instance;
        this.abi = abi;
    }

    /** Compiles (or takes from the cache), instantiates, initialises and version-checks a plugin. */
    public static WasmPlugin load(String name, byte[] wasm, PluginLimits limits) {
        String digest = sha256(wasm);
        WasmModule module = parse(name, wasm);
        int initial = declaredInitialPages(module);
        if (initial > limits.pages()) {
            throw new PluginException("plugin " + name + " asks for " + initial / 16 + " MiB of memory at start,"
                    + " more than the cap of " + limits.memoryMiB() + " MiB");
        }
        Plugin plugin = guarded(name, "load", limits, () -> {
            Function<Instance, Machine> machines = AotCache.machines(digest, module);
            Manifest.Options options = new Manifest.Options().withAoT().withMemoryLimits(initial, limits.pages());
            return XdperfLinker.link(module, options, SILENT, machines, AotCache.kernel());
        });
        Instance instance = mainInstance(plugin, name);
        for (String export : new String[] {"xdperf_abi_version", "describe", "generate"}) {
            if (!hasExport(instance, export)) {
                throw new PluginException("plugin " + name + " does not export '" + export
                        + "': it is not an xdperf plugin (docs/abi.md lists the exports)");
            }
        }
        if (hasExport(instance, "_initialize")) {
            // WASI reactors (TinyGo, Go c-shared, wasi-libc) must run their initialiser once; the SDK does not.
            guarded(name, "_initialize", limits, () -> instance.export("_initialize").apply());
        }
        long[] packed = guarded(name, "xdperf_abi_version", limits, () -> instance.export("xdperf_abi_version").apply());
        if (packed == null || packed.length != 1) {
            throw new PluginException("plugin " + name + ": xdperf_abi_version must return one i32");
        }
        AbiVersion abi = AbiVersion.fromPacked((int) packed[0]);
        try {
            abi.requireAcceptedBy(AbiVersion.HOST, name);
        } catch (AbiException e) {
            throw new PluginException(e.getMessage());
        }
        return new WasmPlugin(name, limits, plugin, instance, abi);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String kind() {
        return "wasm";
    }

    @Override
    public AbiVersion abi() {
        return abi;
    }

    @Override
    public synchronized PluginDescription describe() {
        if (description == null) {
            byte[] out = call("describe", new byte[0]);
            description = DescriptionJson.parse(name, out);
        }
        return description;
    }

    /** Asks the plugin for the run's templates and decodes them; the caller validates and compiles. */
    @Override
    public TemplateSet generate(RunRequest request) {
        byte[] out = call("generate", AbiCodec.encode(request));
        TemplateSet set;
        try {
            set = AbiCodec.decodeSet(out);
        } catch (AbiException e) {
            throw new PluginException("plugin " + name + ": generate returned a malformed template set: " + e.getMessage());
        }
        if (!set.abi().equals(abi)) {
            throw new PluginException("plugin " + name + ": generate returned templates for ABI " + set.abi()
                    + " but the plugin declares " + abi);
        }
        return set;
    }

    private byte[] call(String function, byte[] input) {
        byte[] out = guarded(name, function, limits, () -> plugin.call(function, input));
        if (out == null) {
            out = new byte[0];
        }
        if (out.length > limits.maxOutputBytes()) {
            throw new PluginException("plugin " + name + ": " + function + " returned " + out.length
                    + " bytes, more than the cap of " + limits.maxOutputBytes());
        }
        return out;
    }

    /** Runs one step of the plugin on a watched thread; turns every way it can fail into one sentence. */
    static <T> T guarded(String name, String function, PluginLimits limits, Callable<T> body) {
        FutureTask<T> task = new FutureTask<>(body);
        Thread t = new Thread(task, "xdperf-plugin-" + name + "-" + function);
        t.setDaemon(true);
        t.start();
        String prefix = "plugin " + name + ": " + function;
        try {
            return task.get(limits.callTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            t.interrupt();
            try {
                t.join(1000);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            throw new PluginException(prefix + " did not finish within " + limits.callTimeout().toMillis() + " ms and was stopped");
        } catch (InterruptedException e) {
            t.interrupt();
            Thread.currentThread().interrupt();
            throw new PluginException(prefix + " was interrupted");
        } catch (ExecutionException e) {
            throw new PluginException(prefix + " failed: " + describe(e.getCause()));
        }
    }

    static String describe(Throwable c) {
        if (c instanceof ExtismFunctionException x) {
            // the plugin's own words, once: not the SDK's "function F returned an error: " around them
            String msg = x.getError();
            return msg == null || msg.isBlank() ? "it returned an error without a message" : msg.strip();
        }
        if (c instanceof OutOfMemoryError || c instanceof StackOverflowError) {
            return "it exhausted the host's " + (c instanceof StackOverflowError ? "stack" : "memory");
        }
        String cls = c.getClass().getSimpleName();
        String msg = c.getMessage() == null ? "" : c.getMessage().strip();
        if (msg.toLowerCase().contains("out of bounds")) {
            // a bad pointer, or one past memory it failed to grow: either way the access is the cause
            return "it accessed memory out of bounds (" + msg + ")";
        }
        if (cls.contains("Trap") || msg.toLowerCase().contains("unreachable")) {
            return "it trapped (" + (msg.isEmpty() ? cls : msg) + ")";
        }
        if (cls.contains("Interrupt") || c instanceof InterruptedException) {
            return "it was interrupted";
        }
        if (msg.toLowerCase().contains("memory") || msg.toLowerCase().contains("grow")) {
            return "it ran out of its memory cap (" + msg + ")";
        }
        return (msg.isEmpty() ? cls : msg);
    }

    static WasmModule parse(String name, byte[] wasm) {
        try {
            return Parser.parse(wasm);
        } catch (RuntimeException e) {
            throw new PluginException("plugin " + name + ": load failed: not a WebAssembly module (" + e.getMessage() + ")");
        }
    }

    /** The module's own initial memory (pages): the cap replaces the declared limits, so keep its start size. */
    static int declaredInitialPages(WasmModule module) {
        return module.memorySection().filter(m -> m.memoryCount() > 0)
                .map(m -> Math.max(1, m.getMemory(0).limits().initialPages())).orElse(1);
    }

    private static boolean hasExport(Instance instance, String name) {
        try {
            return instance.exportType(name) != null;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static Instance mainInstance(Plugin plugin, String name) {
        try {
            Field f = Plugin.class.getDeclaredField("mainInstance");
            f.setAccessible(true);
            return (Instance) f.get(plugin);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new PluginException("plugin " + name + ": this Extism SDK version hides the module instance (" + e + ")");
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        // Nothing native to release: the instance is garbage once unreferenced.
    }
}
