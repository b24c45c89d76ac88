package dev.xdperf.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** What a run sends when it is not the built-in UDP stream: a plugin with its options, or a mix of streams (`client`, `demo`). */
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
}
