package dev.xdperf.cli;

import dev.xdperf.registry.client.TrustStore;
import dev.xdperf.registry.release.FirstPartyReleases;
import dev.xdperf.registry.server.RegistryServer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code xdperf registry serve}. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Serve the registry API and pages until stopped.")
final class RegistryServeCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

    @Spec
    CommandSpec spec;

    @Option(names = "--data", required = true, paramLabel = "DIR", description = "Where the database and plugin files live.")
    Path data;

    @Option(names = "--port", paramLabel = "P", description = "TCP port (default ${DEFAULT-VALUE}; 0 picks a free one).")
    int port = RegistryServer.DEFAULT_PORT;

    @Option(names = "--bind", paramLabel = "ADDR", description = "Address to listen on (default ${DEFAULT-VALUE}).")
    String bind = "127.0.0.1";

    @Option(names = "--max-artifact-size", paramLabel = "BYTES", description = "Largest plugin file accepted (default ${DEFAULT-VALUE}).")
    long maxArtifact = 16L * 1024 * 1024;

    @Option(names = {"-q", "--quiet"}, description = "No request log.")
    boolean quiet;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        // what happens before it listens (seeding) is printed after the "listening on" line: that line comes first,
        // so a script (or the docs harness) can wait for it
        List<String> early = new ArrayList<>();
        var shipped = FirstPartyReleases.shipped();
        if (shipped.isEmpty()) {
            early.add("note: this xdperf was built without the first-party signing key, so it has no signed first-party"
                    + " releases to offer (an empty registry starts empty)");
        }
        boolean[] listening = {false};
        RegistryServer server = RegistryServer.builder(data).withBind(bind).withPort(port).withMaxArtifactBytes(maxArtifact)
                .withLog(quiet ? s -> { } : s -> {
                    synchronized (out) {
                        if (!listening[0]) {
                            early.add(LocalTime.now().format(TIME) + " " + s);
                            return;
                        }
                        out.println(LocalTime.now().format(TIME) + " " + s);
                        out.flush();
                    }
                })
                // an empty registry starts with the signed first-party releases this xdperf ships (tcp, icmp, quic)
                .withSeed(shipped, TrustStore.firstPartyKey())
                .build();
        server.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }));
        synchronized (out) {
            out.println("xdperf registry: listening on " + server.url() + " (data " + data.toAbsolutePath() + ")");
            early.forEach(out::println);
            listening[0] = true;
            out.flush();
        }
        stopped.await();
        return 0;
    }
}
