package dev.xdperf.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.BuildInfo;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.control.Wire;
import dev.xdperf.stats.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "version", mixinStandardHelpOptions = true,
        description = "Print the version, the template ABI and control protocol versions, the commit and the Java runtime.")
final class VersionCommand implements Callable<Integer> {
    @Option(names = "--json", description = "Print it as JSON.")
    boolean json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        BuildInfo b = BuildInfo.current();
        AbiVersion abi = AbiVersion.HOST;
        AbiVersion oldest = new AbiVersion(abi.major(), 0);
        String javaVersion = System.getProperty("java.version");
        String javaHome = System.getProperty("java.home");
        if (json) {
            ObjectNode n = Json.MAPPER.createObjectNode();
            n.put("version", b.version());
            n.put("commit", b.commit());
            n.put("commit_date", b.commitDate());
            n.put("dirty", b.dirty());
            n.put("template_abi", abi.toString());
            n.put("template_abi_oldest", oldest.toString());
            n.put("control_protocol", Wire.PROTOCOL_VERSION);
            n.put("java_version", javaVersion);
            n.put("java_home", javaHome);
            spec.commandLine().getOut().println(n.toPrettyString());
        } else {
            spec.commandLine().getOut().print(String.join("\n", lines(b, javaVersion, javaHome)) + "\n");
        }
        spec.commandLine().getOut().flush();
        return 0;
    }

    static List<String> lines(BuildInfo b, String javaVersion, String javaHome) {
        AbiVersion abi = AbiVersion.HOST;
        String accepts = abi.minor() == 0 ? abi.toString() : abi.major() + ".0 to " + abi;
        List<String> l = new ArrayList<>();
        l.add("xdperf " + b.version());
        l.add("commit            " + b.shortCommit() + (BuildInfo.UNKNOWN.equals(b.commitDate()) ? "" : " (" + b.commitDate() + ")"));
        l.add("template ABI      " + abi + " (runs plugins built for " + accepts + ")");
        l.add("control protocol  " + Wire.PROTOCOL_VERSION);
        l.add("java              " + javaVersion + " (" + javaHome + ")");
        return l;
    }
}
