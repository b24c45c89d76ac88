package dev.xdperf.bench;

import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.analyze.pcap.PcapReader;
import dev.xdperf.template.Schedule;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A capture's frames as a template set: each distinct frame one template (no field rules, its
 * bytes as captured, checksums included), weighted by how often it occurs, in order of first
 * appearance. The sender cycles through them by weight, so the mix is the capture's; the order
 * within a cycle and the capture's timing are not kept.
 */
public record CaptureTraffic(Path file, int frames, TemplateSet templates) {
    /** Reads {@code file}; refuses non-Ethernet captures and frames xdperf cannot send, in one sentence. */
    public static CaptureTraffic read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("read capture " + file + ": no such file");
        }
        List<byte[]> frames;
        try {
            frames = PcapReader.read(file, -1);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replaceFirst("^read ", "read capture "));
        }
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("read capture " + file + ": it holds no frames");
        }
        Map<ByteBuffer, Integer> counts = new LinkedHashMap<>();
        for (int i = 0; i < frames.size(); i++) {
            byte[] f = frames.get(i);
            if (f.length < TemplateSet.MIN_FRAME) {
                throw new IllegalArgumentException("read capture " + file + ": frame " + (i + 1) + " is " + f.length
                        + " bytes, shorter than an Ethernet header");
            }
            if (f.length > TemplateSet.MAX_FRAME) {
                throw new IllegalArgumentException("read capture " + file + ": frame " + (i + 1) + " is " + f.length
                        + " bytes, larger than " + TemplateSet.MAX_FRAME + " (an MTU of 1500; captures of offloaded"
                        + " GRO/TSO traffic hold such frames: capture with offloads off, ethtool -K IF gro off tso off)");
            }
            counts.merge(ByteBuffer.wrap(f), 1, Integer::sum);
        }
        if (counts.size() > TemplateSet.MAX_TEMPLATES) {
            throw new IllegalArgumentException("read capture " + file + ": " + counts.size() + " distinct frames, at most "
                    + TemplateSet.MAX_TEMPLATES + " (keep fewer: editcap -r " + file.getFileName() + " OUT 1-"
                    + TemplateSet.MAX_TEMPLATES + ")");
        }
        List<Integer> weights = scaled(new ArrayList<>(counts.values()));
        List<PacketTemplate> ts = new ArrayList<>();
        int i = 0;
        for (ByteBuffer f : counts.keySet()) {
            ts.add(new PacketTemplate(f.array(), 0, weights.get(i++), 1, 0, List.of(), List.of()));
        }
        return new CaptureTraffic(file, frames.size(), new TemplateSet(AbiVersion.HOST, ts));
    }

    /** Weights that fit the sender's cycle: as counted, or scaled down (at least 1 each) when they add up to more. */
    static List<Integer> scaled(List<Integer> counts) {
        long total = counts.stream().mapToLong(Integer::longValue).sum();
        if (total <= Schedule.MAX_CYCLE) {
            return counts;
        }
        double f = (Schedule.MAX_CYCLE - counts.size()) / (double) total;
        return counts.stream().map(c -> Math.max(1, (int) Math.floor(c * f))).toList();
    }

    public String describe() {
        return String.format("capture %s (%,d frames, %,d distinct)", file.getFileName(), frames, templates.templates().size());
    }
}
