package dev.xdperf.cli;

import dev.xdperf.control.ControlServer;
import dev.xdperf.spec.RunSpec;
import java.util.function.Predicate;
import picocli.CommandLine.Option;

/** The xdperf server a run is agreed with, which counts what arrives (`client`). */
final class ServerOptions {
    @Option(names = {"-c", "--server"}, paramLabel = "HOST", description = "xdperf server to agree the run with (its control address).")
    String server;

    @Option(names = "--port", paramLabel = "P", description = "Server's control port (default ${DEFAULT-VALUE}).")
    int port = ControlServer.DEFAULT_PORT;

    /** Only the options {@code given} accepts (with a profile: those on the command line). */
    void applyTo(RunSpec.Builder b, Predicate<String> given) {
        if (given.test("--server")) {
            b.server(server);
        }
        if (given.test("--port")) {
            b.serverPort(port);
        }
    }

    /** As the dashboard shows it. */
    String describe() {
        return server == null ? "-" : server + ":" + port;
    }
}
