package dev.xdperf.cli;

import dev.xdperf.abi.AbiVersion;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code xdperf plugin search}. */
@Command(name = "search", mixinStandardHelpOptions = true, description = "Search the registry for plugins this xdperf can run.")
final class PluginSearchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "TEXT", arity = "0..1", description = "Words in the name, publisher or description.")
    String text;

    @Option(names = "--kind", paramLabel = "wasm|pf4j")
    String kind;

    @Option(names = "--any-abi", description = "Also list plugins built for a template ABI this xdperf does not support.")
    boolean anyAbi;

    @Mixin
    RegistryOption registry;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        var hits = registry.client().search(text, kind, anyAbi ? null : AbiVersion.HOST);
        if (hits.isEmpty()) {
            out.println("no plugins match");
        }
        for (var h : hits) {
            out.printf("%-28s %-10s %-5s ABI %-5s %s%n", Terminal.printable(h.id()), Terminal.printable(h.version()),
                    Terminal.printable(h.kind()), Terminal.printable(h.abi()), Terminal.printable(h.description()));
        }
        return 0;
    }
}
