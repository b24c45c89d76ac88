package dev.xdperf.cli;

import dev.xdperf.plugin.PluginResolver;
import dev.xdperf.spec.RunSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import picocli.CommandLine.Option;

/** What a run sends when it is not the built-in UDP stream: a plugin with its options, or a mix of streams (`client`, `agent`, `demo`). */
final class TrafficOptions {
    @Option(names = {"-P", "--plugin"}, paramLabel = "NAME|PATH",
            description = "Protocol plugin that makes the templates: a bundled or installed NAME, PUBLISHER/NAME[@VERSION] (exactly that installed release), or a plugin file (wasm, jar, zip).")
    String plugin;

    @Option(names = {"-O", "--plugin-opt"}, paramLabel = "KEY=VALUE", description = "A plugin option (repeatable); see 'xdperf plugin describe'.")
    List<String> pluginOpts = new ArrayList<>();

    @Option(names = "--stream", paramLabel = "SPEC",
            description = {"A stream of a mixed run (repeatable): udp or a plugin, then ,share=N or ,pps=RATE,",
                    ",size=BYTES and the plugin's options; e.g. --stream udp,share=80 --stream icmp,share=20,flows=8"})
    List<String> streamSpecs = new ArrayList<>();

    /** These options as arguments of another xdperf command (the demo's client). */
    List<String> args() {
        List<String> out = new ArrayList<>();
        if (plugin != null) {
            out.addAll(List.of("--plugin", plugin));
        }
        pluginOpts.forEach(o -> out.addAll(List.of("--plugin-opt", o)));
        streamSpecs.forEach(s -> out.addAll(List.of("--stream", s)));
        return out;
    }

    /** Whether what is sent is the built-in UDP stream only (no plugin, no template file, only udp streams). */
    boolean udpOnly(Path templates) {
        return plugin == null && templates == null && streamSpecs.stream().allMatch(s -> s.startsWith("udp"));
    }

    /**
     * The source of the frames: the plugin or the template file ({@code templates}, the command's
     * own option), the plugin options, the streams. Over a profile ({@code overFile}) the options
     * given are added to the file's, and the streams replace the file's only when given.
     */
    void applyTo(RunSpec.Builder b, Path templates, boolean overFile, Predicate<String> given) {
        if (plugin != null && templates != null) {
            throw new IllegalArgumentException("give --plugin or --templates, not both");
        }
        b.plugin(plugin).templates(templates);
        if (overFile) {
            PluginResolver.parseOptions(pluginOpts).forEach(b::pluginOption);
        } else {
            b.pluginOptions(PluginResolver.parseOptions(pluginOpts));
        }
        if (given.test("--stream")) {
            b.streams(StreamSpecs.parseAll(streamSpecs));
        }
    }

    /** As the dashboard shows it: the plugin, the streams, or the built-in stream. */
    String describe() {
        return plugin != null ? plugin : streamSpecs.isEmpty() ? "built-in udp" : String.join(" + ", streamSpecs);
    }
}
