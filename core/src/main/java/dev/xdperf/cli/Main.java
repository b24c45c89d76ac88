package dev.xdperf.cli;

import dev.xdperf.bpf.BpfException;
import dev.xdperf.control.ControlClient;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The `xdperf` command. Subcommands map options onto the library and nothing else. */
@Command(name = "xdperf", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "XDP traffic generator and receiver.",
        subcommands = {ClientCommand.class, ServerCommand.class, DemoCommand.class, BenchCommand.class, ProbeCommand.class, PluginCommand.class, NdrCommand.class,
                RegistryCommand.class, AnalyzeCommand.class, VersionCommand.class,
                AgentCommand.class, SinkCommand.class, MergeCommand.class, K8sCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter e = ex.getCommandLine().getErr();
            String msg = ex.getMessage();
            e.println("xdperf: " + lowerFirst(msg) + " (see 'xdperf " + subcommandName(ex.getCommandLine()) + "--help')");
            e.flush();
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            c.getErr().println("xdperf: " + describe(ex));
            if (ex instanceof dev.xdperf.bpf.VerifierException v && !v.log().isBlank()) {
                v.log().lines().forEach(l -> c.getErr().println("  | " + l));
            }
            c.getErr().flush();
            if (System.getenv("XDPERF_DEBUG") != null) {
                ex.printStackTrace(c.getErr());
            }
            return 1;
        });
        return cl.execute(args);
    }

    private static String subcommandName(CommandLine c) {
        String name = c.getCommandName();
        return name.equals("xdperf") ? "" : name + " ";
    }

    /** One sentence for any failure the user can cause. */
    static String describe(Throwable ex) {
        if (ex instanceof BpfException || ex instanceof IllegalArgumentException || ex instanceof SecurityException
                || ex instanceof dev.xdperf.plugin.PluginException || ex instanceof dev.xdperf.abi.AbiException
                || ex instanceof ControlClient.ControlException || ex instanceof IllegalStateException
                || ex instanceof dev.xdperf.analyze.AnalyzeException) {
            return lowerFirst(ex.getMessage());
        }
        if (ex instanceof java.io.IOException) {
            return lowerFirst(ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage());
        }
        return "internal error: " + ex + " (set XDPERF_DEBUG=1 for the stack trace and report it)";
    }

    private static String lowerFirst(String s) {
        if (s == null || s.isEmpty()) {
            return "unknown error";
        }
        if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isLowerCase(s.charAt(1))) {
            return Character.toLowerCase(s.charAt(0)) + s.substring(1);
        }
        return s;
    }

    /** {@code xdperf --version}: the same lines as {@code xdperf version}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return VersionCommand.lines(dev.xdperf.BuildInfo.current(), System.getProperty("java.version"),
                    System.getProperty("java.home")).toArray(String[]::new);
        }
    }
}
