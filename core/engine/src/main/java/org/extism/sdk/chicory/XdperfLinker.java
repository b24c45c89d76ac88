package org.extism.sdk.chicory;

import com.dylibso.chicory.log.Logger;
import com.dylibso.chicory.runtime.Instance;
import com.dylibso.chicory.runtime.Machine;
import com.dylibso.chicory.wasm.WasmModule;
import java.lang.reflect.Field;
import java.util.Objects;
import java.util.function.Function;

/**
 * Links an Extism plugin with machine factories that xdperf compiled (or loaded from its
 * cache) itself. The SDK (0.1.6) compiles the plugin and its kernel module again on every
 * instantiation, even of a {@link CompiledPlugin}; this does what its linker does, in its
 * package, with the machines handed in. No host functions and no WASI: xdperf's plugins get
 * the Extism kernel only.
 */
public final class XdperfLinker {
    private XdperfLinker() {
    }

    /**
     * An instantiated plugin whose main module is {@code main}, run by {@code mainMachines};
     * the Extism kernel runs on {@code kernelMachines}. {@code options} must ask for AoT.
     */
    public static Plugin link(WasmModule main, Manifest.Options options, Logger logger,
                              Function<Instance, Machine> mainMachines, Function<Instance, Machine> kernelMachines) {
        if (!options.aot) {
            throw new IllegalArgumentException("XdperfLinker links compiled modules only: options must ask for AoT");
        }
        Machines machines = new Machines(main, mainMachines, kernelMachines);
        HostEnv env = new HostEnv(new Kernel(machines), options.config, options.allowedHosts, options.httpConfig, logger);
        DependencyGraph graph = new DependencyGraph(logger);
        graph.setOptions(options);
        setMachines(graph, machines);
        graph.registerFunctions(env.toHostFunctions());
        graph.registerModule(DependencyGraph.MAIN_MODULE_NAME, main);
        return new Plugin(graph.instantiate(), env);
    }

    private static void setMachines(DependencyGraph graph, CachedAotMachineFactory machines) {
        try {
            Field f = DependencyGraph.class.getDeclaredField("aotMachineFactory");
            f.setAccessible(true);
            f.set(graph, machines);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this Extism SDK version links differently (" + e + ")", e);
        }
    }

    /** The main module's machines for the main instance, the kernel's for every other. Compiles nothing. */
    static final class Machines extends CachedAotMachineFactory {
        private final WasmModule main;
        private final Function<Instance, Machine> mainMachines;
        private final Function<Instance, Machine> kernelMachines;

        Machines(WasmModule main, Function<Instance, Machine> mainMachines, Function<Instance, Machine> kernelMachines) {
            this.main = Objects.requireNonNull(main);
            this.mainMachines = Objects.requireNonNull(mainMachines);
            this.kernelMachines = Objects.requireNonNull(kernelMachines);
        }

        @Override
        public CachedAotMachineFactory compile(WasmModule module) {
            return this;
        }

        @Override
        public Machine apply(Instance instance) {
            return (instance.module() == main ? mainMachines : kernelMachines).apply(instance);
        }
    }
}
