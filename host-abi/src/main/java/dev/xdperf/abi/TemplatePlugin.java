package dev.xdperf.abi;

import org.pf4j.ExtensionPoint;

/**
 * The extension point a Java plugin implements (PF4J): the same contract as the exports of a
 * WebAssembly plugin (docs/abi.md). The host calls {@link #describe()} first, checks the ABI
 * version it declares, then {@link #generate(RunRequest)} once per run.
 *
 * <p>A Java plugin runs inside the xdperf process with the full rights of the JVM; see
 * docs/plugins-java.md. Implementations are annotated {@code @org.pf4j.Extension} and found
 * through the index PF4J's annotation processor writes at compile time.
 */
public interface TemplatePlugin extends ExtensionPoint {
    /**
     * The template ABI this interface belongs to. Compile-time constants: javac copies them into
     * the plugin's class files, so a plugin that passes them to
     * {@link PluginDescription#builder(String, String, int, int)} declares the ABI it was built
     * against, not the one of the host it happens to run in.
     */
    int ABI_MAJOR = 1;
    int ABI_MINOR = 0;

    /** The plugin's id, version, ABI version, description and options. Called first, and once per load. */
    PluginDescription describe();

    /**
     * The run's templates. The request carries the declared options with defaults filled in and
     * the operator's values checked against their types. Throw an IllegalArgumentException with
     * one sentence for a combination of options that cannot work; the host reports its message.
     * The returned set's ABI version must be the one {@link #describe()} declared.
     */
    TemplateSet generate(RunRequest request);
}
