package dev.xdperf.cli;

import dev.xdperf.XdperfException;
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
            e.println("xdperf: " + Terminal.printableLines(lowerFirst(msg)) + " (see 'xdperf " + subcommandName(ex.getCommandLine()) + "--help')");
            e.flush();
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            c.getErr().println("xdperf: " + Terminal.printableLines(describe(ex)));   // messages may quote a registry
            if (ex instanceof dev.xdperf.bpf.VerifierException v && !v.log().isBlank()) {
                v.log().lines().forEach(l -> c.getErr().println("  | " + l));
            }
            c.getErr().flush();
            if (System.getenv("XDPERF_DEBUG") != null) {
                ex.printStackTrace(c.getErr());
            }
            return exitCode(ex);
        });
        return cl.execute(args);
    }

    private static String subcommandName(CommandLine c) {
        String name = c.getCommandName();
        return name.equals("xdperf") ? "" : name + " ";
    }

    /** One sentence for any failure the user can cause: the exit code of each kind is in {@link #exitCode}. */
    static String describe(Throwable ex) {
        if (ex instanceof XdperfException || ex instanceof IllegalArgumentException || ex instanceof SecurityException
                || ex instanceof IllegalStateException) {
            return lowerFirst(ex.getMessage());
        }
        if (ex instanceof java.io.IOException) {
            return lowerFirst(ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage());
        }
        return "internal error: " + ex + " (set XDPERF_DEBUG=1 for the stack trace and report it)";
    }

    /**
     * Exit codes, in one place: 0 done; 1 a failure of the run or of its input (every
     * {@link XdperfException} phase, bad files, missing interfaces) or an internal error; 2 a bad
     * command line (the parameter handler above); 3 a run that sent nothing or lost shards
     * (returned by the commands).
     */
    static int exitCode(Throwable ex) {
        return 1;
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
