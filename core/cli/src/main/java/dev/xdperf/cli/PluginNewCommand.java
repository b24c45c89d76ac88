package dev.xdperf.cli;

import dev.xdperf.registry.Names;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code xdperf plugin new}: the start of the author's loop (docs/authoring.md). */
@Command(name = "new", mixinStandardHelpOptions = true,
        description = "Write a buildable plugin project (C: Makefile, Go: go.mod, Java: pom.xml) whose example passes 'plugin check'.")
final class PluginNewCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The plugin's name: lowercase letters, digits, '-' and '_'.")
    String name;

    @Option(names = "--lang", required = true, paramLabel = "c|go|java", description = "The language of the project.")
    String lang;

    @Option(names = "--dir", paramLabel = "D", description = "Where to write it (default: ./NAME); it must not exist or be empty.")
    Path dir;

    @Override
    public Integer call() {
        if (!Names.valid(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a plugin name (lowercase letters, digits, '-' and '_', at most 64;"
                    + " no path characters): nothing was written");
        }
        if (!Scaffold.LANGUAGES.contains(lang)) {
            throw new IllegalArgumentException("--lang " + lang + " is not one of " + String.join(", ", Scaffold.LANGUAGES));
        }
        Path target = dir == null ? Path.of(name) : dir;
        Scaffold.write(target, Scaffold.files(name, lang));
        PrintWriter out = spec.commandLine().getOut();
        out.println("wrote " + lang + " plugin project " + name + " in " + target + " (see its README.md)");
        switch (lang) {
            case "c" -> out.println("next: cd " + target + " && make && xdperf plugin check build/" + name + ".wasm");
            case "go" -> out.println("next: cd " + target + " && go vet ./... && go test ./...; build the .wasm with TinyGo or Go >= 1.24"
                    + " (README.md), then: xdperf plugin check " + name + ".wasm");
            default -> out.println("next: xdperf plugin sdk --install && cd " + target + " && mvn package && xdperf plugin check target/"
                    + name + "-0.1.0.jar");
        }
        return 0;
    }
}
