package dev.xdperf.demo;

import dev.xdperf.SelfProcess;
import dev.xdperf.net.DemoTopology;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * `xdperf demo`: a real server and a real client, each its own process in its own network
 * namespace, over a veth pair with native XDP on both ends. Removes everything on exit,
 * on failure and on Ctrl-C.
 */
public final class Demo {
    private final List<String> clientArgs;
    private final List<Integer> relayed;
    private final List<PortRelay> relays = new ArrayList<>();
    private final PrintStream out;
    private final PrintStream err;
    private final List<Process> children = new ArrayList<>();
    private DemoTopology topology;

    public Demo(List<String> clientArgs, PrintStream out, PrintStream err) {
        this(clientArgs, List.of(), out, err);
    }

    /** {@code relayed}: ports the client serves in its namespace (--web, --metrics-port), reached on this host's localhost. */
    public Demo(List<String> clientArgs, List<Integer> relayed, PrintStream out, PrintStream err) {
        this.clientArgs = List.copyOf(clientArgs);
        this.relayed = List.copyOf(relayed);
        this.out = out;
        this.err = err;
    }

    public int run() throws IOException, InterruptedException {
        Thread cleanup = new Thread(this::cleanUp, "xdperf-demo-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        try {
            topology = DemoTopology.create(Long.toString(ProcessHandle.current().pid()));
            err.printf("demo: namespaces %s (client %s %s) and %s (server %s %s), veth with one queue per CPU%n",
                    topology.clientNs(), DemoTopology.CLIENT_IF, DemoTopology.CLIENT_IP,
                    topology.serverNs(), DemoTopology.SERVER_IF, DemoTopology.SERVER_IP);
            if (!relayed.isEmpty()) {
                String inside = topology.linkHost();
                for (int port : relayed) {
                    relays.add(new PortRelay(port, inside));
                }
                err.printf("demo: localhost port%s %s lead%s to the client's namespace (%s)%n", relayed.size() > 1 ? "s" : "",
                        String.join(", ", relayed.stream().map(String::valueOf).toList()), relayed.size() > 1 ? "" : "s", inside);
            }

            List<String> server = new ArrayList<>(List.of("ip", "netns", "exec", topology.serverNs()));
            server.addAll(SelfProcess.command());
            server.addAll(List.of("server", "--dev", DemoTopology.SERVER_IF, "--bind", DemoTopology.SERVER_IP, "--runs", "1"));
            Process s = new ProcessBuilder(server).redirectErrorStream(true).start();
            children.add(s);
            CountDownLatch listening = new CountDownLatch(1);
            Thread pump = new Thread(() -> pump(s, listening), "xdperf-demo-server-output");
            pump.setDaemon(true);
            pump.start();
            if (!listening.await(30, TimeUnit.SECONDS) || !s.isAlive()) {
                s.waitFor(2, TimeUnit.SECONDS);
                throw new IllegalStateException("the demo server did not start" + (s.isAlive() ? "" : " (exit " + s.exitValue() + ")"));
            }

            List<String> client = new ArrayList<>(List.of("ip", "netns", "exec", topology.clientNs()));
            client.addAll(SelfProcess.command());
            client.addAll(List.of("client", "--dev", DemoTopology.CLIENT_IF, "--server", DemoTopology.SERVER_IP));
            client.addAll(clientArgs);
            Process c = new ProcessBuilder(client).inheritIO().start();
            children.add(c);
            int code = c.waitFor();
            if (!s.waitFor(10, TimeUnit.SECONDS)) {
                s.destroy();
            }
            pump.join(2000);
            return code;
        } finally {
            cleanUp();
            try {
                Runtime.getRuntime().removeShutdownHook(cleanup);
            } catch (IllegalStateException ignored) {
                // already shutting down: the hook runs cleanUp itself
            }
        }
    }

    private void pump(Process s, CountDownLatch listening) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                err.println("server: " + line);
                if (line.contains("listening on port")) {
                    listening.countDown();
                }
            }
        } catch (IOException ignored) {
            // the server is gone
        } finally {
            listening.countDown();
        }
    }

    private synchronized void cleanUp() {
        relays.forEach(PortRelay::close);
        relays.clear();
        for (Process p : children) {
            if (p.isAlive()) {
                p.destroy();
                try {
                    if (!p.waitFor(5, TimeUnit.SECONDS)) {
                        p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                }
            }
        }
        children.clear();
        if (topology != null) {
            topology.close();
            topology = null;
        }
    }

    public static Duration defaultDuration() {
        return Duration.ofSeconds(5);
    }
}
