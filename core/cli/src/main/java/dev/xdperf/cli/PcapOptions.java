package dev.xdperf.cli;

import dev.xdperf.run.Run;
import dev.xdperf.spec.RunSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The frames a run would send, written to a capture instead of sent (`client`). */
final class PcapOptions {
    @Option(names = "--pcap", paramLabel = "FILE",
            description = {"Write the packets the run would send (--count of them, default 1000) to a pcap file; send nothing.",
                    "Needs no --dev: addresses not given come from the device, else from the documentation ranges"
                            + " (192.0.2.1 -> 198.51.100.1, 2001:db8::1 -> ::2, MACs 02:00:00:00:00:01 -> :02)."})
    Path pcap;

    boolean asked() {
        return pcap != null;
    }

    /** Writes {@code count} frames (null: 1000) of {@code run}, its seed settled, and says so with the seed that repeats them. */
    void write(RunSpec run, Long count) throws IOException {
        RunSpec settled = run.withSeedSettled();
        List<String> notes = new ArrayList<>();
        long n = Run.writePcap(settled, PluginCommand.resolver(), pcap, count == null ? 1000 : count, notes::add);
        String seed = Long.toUnsignedString(settled.seed());
        notes.add("seed " + seed + " (a run with --seed " + seed + " sends these frames)");
        System.err.println("wrote " + n + " packets to " + pcap + "; " + String.join("; ", notes));
    }
}
