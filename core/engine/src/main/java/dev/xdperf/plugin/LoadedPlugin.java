package dev.xdperf.plugin;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.PluginDescription;
import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplateSet;

/**
 * A plugin the host has loaded and whose template ABI version it has accepted: a WebAssembly
 * module or a Java (PF4J) extension. The rest of xdperf sees only this.
 */
public sealed interface LoadedPlugin extends AutoCloseable permits WasmPlugin, JavaPlugin {
    String name();

    /** "wasm" or "java". */
    String kind();

    AbiVersion abi();

    PluginDescription describe();

    /** Asks the plugin for the run's templates; the caller validates and compiles them. */
    TemplateSet generate(RunRequest request);

    @Override
    void close();
}
