package dev.xdperf.analyze;

import dev.xdperf.abi.AbiCodec;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.TemplateSet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** An analysis's adversarial order as a template set, which xdperf's sender replays as the same cycle. */
public final class AdversaryTemplates {
    private AdversaryTemplates() {}

    /**
     * One template per trace in the cycle, weight 1 each (the sender goes round robin, the same
     * cycle), made from the trace's witness packet. {@code file} is where it goes, for the message
     * when a witness cannot be a template.
     */
    public static TemplateSet of(Analysis a, Path file) {
        List<byte[]> packets = a.adversaryPackets();
        List<Integer> cycle = a.adversary().traces().stream().distinct().toList();
        List<PacketTemplate> ts = new ArrayList<>();
        for (int id : cycle) {
            byte[] w = packets.get(a.adversary().traces().indexOf(id));
            if (w.length < TemplateSet.MIN_FRAME || w.length > TemplateSet.MAX_FRAME) {
                throw new IllegalArgumentException("write " + file + ": the witness of trace T" + id + " is " + w.length
                        + " bytes, a template must be " + TemplateSet.MIN_FRAME + ".." + TemplateSet.MAX_FRAME
                        + " (write a .pcap instead)");
            }
            ts.add(PacketTemplate.of(w).withStreamId(ts.size()));
        }
        return new TemplateSet(AbiVersion.HOST, ts);
    }

    /** Writes {@link #of} to {@code file}, encoded as docs/abi.md describes. */
    public static void write(Analysis a, Path file) throws IOException {
        Files.write(file, AbiCodec.encode(of(a, file)));
    }
}
