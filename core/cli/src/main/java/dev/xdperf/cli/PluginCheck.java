package dev.xdperf.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.ChecksumFiller;
import dev.xdperf.abi.Checksums;
import dev.xdperf.abi.FieldRule;
import dev.xdperf.abi.OptionSpec;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.PluginDescription;
import dev.xdperf.abi.RunRequest;
import dev.xdperf.abi.TemplateSet;
import dev.xdperf.abi.TemplateValidator;
import dev.xdperf.features.FrameParser;
import dev.xdperf.features.PacketRecord;
import dev.xdperf.packet.Capture;
import dev.xdperf.packet.PcapWriter;
import dev.xdperf.plugin.LoadedPlugin;
import dev.xdperf.plugin.PluginException;
import dev.xdperf.registry.Manifest;
import dev.xdperf.registry.Names;
import dev.xdperf.registry.SemVer;
import dev.xdperf.template.FieldEngine;
import dev.xdperf.template.TemplateCompiler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What an author runs before publishing ({@code xdperf plugin check}): the plugin's description,
 * generate for its defaults and a few variations, the host's ABI checks on every set, the
 * reference engine over the first packets, and a pcap of the first packets read back and
 * decoded by the built-in dissector (the receiver's parser, features' FrameParser), with
 * every checksum verified from the decoded headers. One finding per line.
 */
final class PluginCheck {
    /** The run every variation starts from: documentation addresses (RFC 5737, RFC 3849), MTU 1500. */
    static final int MTU = 1500;
    private static final byte[] SRC_MAC = {2, 0, 0, 0, 0, 1};
    private static final byte[] DST_MAC = {2, 0, 0, 0, 0, 2};
    private static final int ENGINE_PACKETS = 1024;
    private static final int MAX_OPTION_VARIATIONS = 12;

    enum Level { OK, NOTE, FAIL }

    record Finding(Level level, String text) {
        String line() {
            return String.format("%-4s  %s", level == Level.OK ? "ok" : level.name().toLowerCase(Locale.ROOT), text);
        }
    }

    private record Variation(String label, Map<String, String> options, boolean v4, boolean v6, int frameSize, int streamBase,
                             int cpus, boolean mustSucceed) {}

    private final List<Finding> findings = new ArrayList<>();

    private PluginCheck() {}

    /** Runs every check; {@code manifest} (or null) must match the description; the pcap goes to {@code pcap} (or a temporary file). */
    static List<Finding> run(LoadedPlugin plugin, JsonNode manifest, String manifestName, Path pcap, int packets) {
        PluginCheck c = new PluginCheck();
        c.check(plugin, manifest, manifestName, pcap, packets);
        return List.copyOf(c.findings);
    }

    private void ok(String text) {
        findings.add(new Finding(Level.OK, text));
    }

    private void note(String text) {
        findings.add(new Finding(Level.NOTE, text));
    }

    private void fail(String text) {
        findings.add(new Finding(Level.FAIL, text));
    }

    private void check(LoadedPlugin plugin, JsonNode manifest, String manifestName, Path pcap, int packets) {
        PluginDescription d;
        try {
            d = plugin.describe();
        } catch (PluginException e) {
            fail("describe: " + e.getMessage());
            return;
        }
        if (!describe(plugin, d)) {
            return;
        }
        if (manifest != null) {
            List<String> diff = PluginManifests.differences(manifest, PluginManifests.of(d, PluginManifests.kind(plugin)));
            if (diff.isEmpty()) {
                ok("manifest " + manifestName + " matches the plugin's own description");
            } else {
                fail("manifest " + manifestName + " does not match the plugin's own description: " + String.join("; ", diff)
                        + " (write it with: xdperf plugin manifest)");
            }
        }
        TemplateSet defaults = null;
        for (Variation v : variations(d)) {
            TemplateSet set = generate(plugin, d, v);
            if (defaults == null && set != null && v.mustSucceed()) {
                defaults = set;
            }
        }
        if (defaults != null) {
            sharedCounters(defaults);
            pcap(defaults, pcap, packets);
        }
    }

    private boolean describe(LoadedPlugin plugin, PluginDescription d) {
        boolean good = true;
        if (!Names.valid(d.id())) {
            fail("describe: id '" + d.id() + "' is not a name the registry takes (lowercase letters, digits, '-', '_'; at most 64)");
            good = false;
        }
        try {
            if (!SemVer.parse(d.version()).toString().equals(d.version())) {
                fail("describe: version '" + d.version() + "' is not canonical semantic versioning (say " + SemVer.parse(d.version()) + ")");
                good = false;
            }
        } catch (IllegalArgumentException e) {
            fail("describe: version '" + d.version() + "' is not a semantic version (MAJOR.MINOR.PATCH): " + e.getMessage());
            good = false;
        }
        for (OptionSpec o : d.options()) {
            if (o.defaultValue() != null) {
                try {
                    o.check(d.id(), o.defaultValue());
                } catch (IllegalArgumentException e) {
                    fail("describe: the default of option " + o.name() + " is refused by its own declaration: " + e.getMessage());
                    good = false;
                }
            }
            if (o.help().isBlank()) {
                note("describe: option " + o.name() + " has no help text (operators read it in 'xdperf plugin describe')");
            }
        }
        if (d.description().isBlank()) {
            note("describe: no description (the registry's search shows it)");
        }
        if (d.license().isBlank()) {
            note("describe: no license (the registry shows it; say \"Apache-2.0\", \"MIT\", ...)");
        }
        try {
            Manifest.parse(PluginManifests.bytes(PluginManifests.of(d, PluginManifests.kind(plugin))));
        } catch (IllegalArgumentException e) {
            fail("describe: the registry would refuse the manifest written from it: " + e.getMessage());
            good = false;
        }
        if (good) {
            ok("describe: " + d.id() + " " + d.version() + ", " + plugin.kind() + ", template ABI " + d.abi() + ", "
                    + d.options().size() + " option" + (d.options().size() == 1 ? "" : "s") + "; the manifest written from it is valid");
        }
        return good;
    }

    private static List<Variation> variations(PluginDescription d) {
        List<Variation> out = new ArrayList<>();
        out.add(new Variation("defaults", Map.of(), true, true, 0, 0, 2, true));
        out.add(new Variation("defaults, IPv6 addresses only", Map.of(), false, true, 0, 0, 2, false));
        out.add(new Variation("--size 128", Map.of(), true, true, 128, 0, 2, false));
        out.add(new Variation("--size 1514", Map.of(), true, true, 1514, 0, 2, false));
        out.add(new Variation("stream base 7, 4 CPUs", Map.of(), true, true, 0, 7, 4, false));
        List<Variation> options = new ArrayList<>();
        for (OptionSpec o : d.options()) {
            List<String> values = new ArrayList<>();
            switch (o.type()) {
                case "enum" -> values.addAll(o.values());
                case "bool" -> values.addAll(List.of("true", "false"));
                case "int" -> {
                    if (o.min() != null) {
                        values.add(Long.toString(o.min()));
                    }
                    if (o.max() != null) {
                        values.add(Long.toString(o.max()));
                    }
                }
                default -> { }
            }
            values.remove(o.defaultValue());
            for (String v : values) {
                options.add(new Variation(o.name() + "=" + v, Map.of(o.name(), v), true, true, 0, 0, 2, false));
            }
        }
        out.addAll(options.subList(0, Math.min(options.size(), MAX_OPTION_VARIATIONS)));
        return out;
    }

    private TemplateSet generate(LoadedPlugin plugin, PluginDescription d, Variation v) {
        String what = "generate (" + v.label() + ")";
        RunRequest request;
        try {
            request = request(d, v);
        } catch (IllegalArgumentException e) {
            fail(what + ": the plugin's own declaration refuses it: " + e.getMessage());
            return null;
        }
        TemplateSet set;
        try {
            set = plugin.generate(request);
        } catch (PluginException e) {
            String msg = e.getMessage();
            if (v.mustSucceed() || isBug(msg)) {
                fail(what + ": " + msg);
            } else {
                ok(what + ": refused in one sentence: " + msg);
            }
            return null;
        }
        try {
            TemplateValidator.validate(set, MTU);
            TemplateCompiler.compile(set, MTU, 0);
        } catch (RuntimeException e) {
            fail(what + ": the host's ABI checks refuse the set: " + e.getMessage());
            return null;
        }
        int below = (int) set.templates().stream().filter(t -> t.streamId() < v.streamBase()).count();
        if (below > 0) {
            fail(what + ": " + below + " template(s) use a stream id below the request's stream base " + v.streamBase()
                    + " (start at RunRequest.streamBase: the host runs several plugins or shards in one run)");
            return null;
        }
        if (v.frameSize() != 0 && set.templates().stream().anyMatch(t -> t.length() != v.frameSize())) {
            note(what + ": frames are not the " + v.frameSize() + " bytes asked for (a plugin should honour --size, or refuse it)");
        }
        String engine = referenceEngine(set, what);
        if (engine == null) {
            return null;
        }
        int min = set.templates().stream().mapToInt(PacketTemplate::length).min().orElse(0);
        int max = set.templates().stream().mapToInt(PacketTemplate::length).max().orElse(0);
        int rules = set.templates().stream().mapToInt(t -> t.fields().size()).sum();
        ok(what + ": " + set.templates().size() + " template" + (set.templates().size() == 1 ? "" : "s") + ", "
                + (min == max ? min + "-byte frames" : "frames of " + min + ".." + max + " bytes") + ", " + rules + " field rule"
                + (rules == 1 ? "" : "s") + "; ABI checks pass; " + engine);
        return set;
    }

    /** A trap, a timeout, a memory cap, bytes that do not decode: a bug, never a refusal. */
    private static boolean isBug(String msg) {
        String m = msg.toLowerCase(Locale.ROOT);
        for (String s : List.of("trapped", "did not finish", "ran out of", "exhausted", "malformed", "out of bounds", "out-of-bounds",
                "returned templates for abi", "returned nothing", "it threw", "more than the output cap", "was interrupted")) {
            if (m.contains(s)) {
                return true;
            }
        }
        return false;
    }

    private static RunRequest request(PluginDescription d, Variation v) {
        List<InetAddress> src = new ArrayList<>();
        List<InetAddress> dst = new ArrayList<>();
        if (v.v4()) {
            src.add(addr("192.0.2.1"));
            dst.add(addr("192.0.2.2"));
        }
        if (v.v6()) {
            src.add(addr("2001:db8::1"));
            dst.add(addr("2001:db8::2"));
        }
        return new RunRequest(AbiVersion.HOST, MTU, v.cpus(), SRC_MAC, DST_MAC, v.frameSize(), v.streamBase(), src, dst,
                d.resolveOptions(v.options()));
    }

    private static InetAddress addr(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Java reference engine over the first packets: every frame's checksums as its rules say. */
    private String referenceEngine(TemplateSet set, String what) {
        FieldEngine engine = new FieldEngine(set, 0);
        for (long k = 0; k < ENGINE_PACKETS; k++) {
            int t = engine.templateOf(k);
            byte[] f = engine.frame(k);
            if (!ChecksumFiller.verifies(engine.template(t), f)) {
                fail(what + ": reference engine: packet " + k + " (template " + t + ") has a checksum its rules do not match");
                return null;
            }
        }
        return "reference engine: " + ENGINE_PACKETS + " packets computed, their checksums verify";
    }

    /**
     * Field rules count per template (docs/abi.md, "Counters are per template, or per stream"): templates with
     * the same per-packet counter send the same values at the same moment. Said, not failed:
     * it may be what the author wants.
     */
    private void sharedCounters(TemplateSet set) {
        Map<String, List<Integer>> byRule = new LinkedHashMap<>();
        for (int i = 0; i < set.templates().size(); i++) {
            for (FieldRule r : set.templates().get(i).fields()) {
                if (r.scope() == FieldRule.Scope.PACKET && (r.op() == FieldRule.Op.INCREMENT || r.op() == FieldRule.Op.DECREMENT)) {
                    String key = r.offset() + "/" + r.width() + "/" + r.op() + "/" + r.min() + "/" + r.max() + "/" + r.step();
                    byRule.computeIfAbsent(key, x -> new ArrayList<>()).add(i);
                }
            }
        }
        byRule.forEach((key, templates) -> {
            if (templates.size() > 1) {
                note("counters: templates " + templates + " count the same values at offset " + key.split("/")[0]
                        + " at the same moment: field rules count packets per template; a per-stream rule (scope 2) shares one"
                        + " counter across a stream's templates (docs/abi.md, \"Counters are per template, or per stream\")");
            }
        });
    }

    /** The first packets of the defaults into a pcap, read back and decoded by the receiver's parser. */
    private void pcap(TemplateSet set, Path file, int packets) {
        FieldEngine engine = new FieldEngine(set, 0);
        Path out = file;
        try {
            if (out == null) {
                out = Files.createTempFile("xdperf-check-", ".pcap");
            }
            try (PcapWriter w = new PcapWriter(out)) {
                for (long k = 0; k < packets; k++) {
                    w.write(engine.frame(k), k * 1000);
                }
            }
            Capture capture = Capture.read(out);
            if (capture.frames().size() != packets) {
                fail("pcap: wrote " + packets + " packets, read back " + capture.frames().size());
                return;
            }
            List<String> decoded = new ArrayList<>();
            Map<String, List<Integer>> problems = new LinkedHashMap<>();
            for (int k = 0; k < packets; k++) {
                PacketTemplate t = engine.template(engine.templateOf(k));
                String problem = null;
                byte[] f = capture.frames().get(k).data();
                PacketRecord r = new PacketRecord();
                if (!FrameParser.parse(f, f.length, f.length, -1, r)) {
                    note("pcap: packet " + k + " carries no IPv4 or IPv6 packet the dissector knows (the receiver counts it as not xdperf's)");
                    continue;
                }
                String sums;
                try {
                    sums = Dissector.checksumProblem(f);
                } catch (IndexOutOfBoundsException e) {
                    sums = "its headers run past the end of the frame";
                }
                if (sums != null) {
                    problem = sums;
                } else if (t.mhOffset() != 0 && !r.xdperf) {
                    problem = "the receiver does not find its measurement header (it must follow the UDP or TCP header or the ICMP echo header)";
                } else if (t.mhOffset() != 0 && r.stream != t.streamId()) {
                    problem = "its measurement header says stream " + r.stream + ", its template is stream " + t.streamId();
                }
                if (problem != null) {
                    problems.computeIfAbsent(problem, x -> new ArrayList<>()).add(k);
                } else if (decoded.size() < 4) {
                    decoded.add(Dissector.summary(r, f.length));
                }
            }
            // one finding per kind of problem, not per packet
            problems.forEach((problem, which) -> fail("pcap: " + (which.size() == 1 ? "packet " + which.get(0)
                    : which.size() + " of " + packets + " packets (the first: packet " + which.get(0) + ")") + ": " + problem));
            if (problems.isEmpty()) {
                ok("pcap: " + packets + " packets written to " + (file == null ? "a temporary file" : file)
                        + ", read back and decoded; checksums and measurement headers verify");
                for (int i = 0; i < decoded.size(); i++) {
                    findings.add(new Finding(Level.OK, "  packet " + i + ": " + decoded.get(i)));
                }
            }
        } catch (IOException e) {
            fail("pcap: " + e.getMessage());
        } finally {
            if (file == null && out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temporary file: the system cleans it up
                }
            }
        }
    }

    /** Reads the headers the receiver's parser decoded again, byte by byte, to verify checksums and print them. */
    static final class Dissector {
        private Dissector() {}

        static String summary(PacketRecord r, int length) {
            String proto = switch (r.proto) {
                case 17 -> "UDP";
                case 6 -> "TCP";
                case 1 -> "ICMP";
                case 58 -> "ICMPv6";
                default -> "protocol " + r.proto;
            };
            boolean ports = r.proto == 17 || r.proto == 6;
            String ends = ports ? (r.family == 6 ? "[" + r.srcText() + "]:" + r.sport + " > [" + r.dstText() + "]:" + r.dport
                    : r.srcText() + ":" + r.sport + " > " + r.dstText() + ":" + r.dport) : r.srcText() + " > " + r.dstText();
            return "IPv" + r.family + " " + proto + " " + ends + (r.vlan >= 0 ? " vlan " + r.vlan : "")
                    + (r.proto == 6 ? String.format(" flags 0x%02x", r.tcpFlags) : "") + ", " + length + " bytes"
                    + (r.xdperf ? ", measurement header stream " + r.stream : ", no measurement header");
        }

        /** The first wrong checksum of an Ethernet frame (IPv4 header, UDP, TCP, ICMP, ICMPv6), or null. */
        static String checksumProblem(byte[] f) {
            int at = 14;
            int type = u16(f, 12);
            while ((type == 0x8100 || type == 0x88A8) && at + 4 <= f.length) {
                type = u16(f, at + 2);
                at += 4;
            }
            int proto;
            int l4;
            int l4len;
            byte[] src;
            byte[] dst;
            if (type == 0x0800) {
                int ihl = (f[at] & 0x0f) * 4;
                if (ihl < 20 || at + ihl > f.length) {
                    return "its IPv4 header length " + ihl + " does not fit the frame";
                }
                if (Checksums.ipv4Header(f, at, ihl) != 0) {
                    return "its IPv4 header checksum is wrong";
                }
                int total = u16(f, at + 2);
                if (at + total > f.length || total < ihl) {
                    return "its IPv4 total length " + total + " does not fit the frame";
                }
                if ((u16(f, at + 6) & 0x3fff) != 0) {
                    return null;   // a fragment: no whole L4 segment to sum
                }
                proto = f[at + 9] & 0xff;
                l4 = at + ihl;
                l4len = total - ihl;
                src = java.util.Arrays.copyOfRange(f, at + 12, at + 16);
                dst = java.util.Arrays.copyOfRange(f, at + 16, at + 20);
            } else if (type == 0x86DD) {
                proto = f[at + 6] & 0xff;
                l4 = at + 40;
                l4len = u16(f, at + 4);
                if (l4 + l4len > f.length) {
                    return "its IPv6 payload length " + l4len + " runs past the frame";
                }
                src = java.util.Arrays.copyOfRange(f, at + 8, at + 24);
                dst = java.util.Arrays.copyOfRange(f, at + 24, at + 40);
            } else {
                return null;
            }
            switch (proto) {
                case 17 -> {
                    if (type == 0x0800 && u16(f, l4 + 6) == 0) {
                        return null;   // no checksum (IPv4 only)
                    }
                    return Checksums.verifyTransport(src, dst, 17, f, l4, l4len) ? null : "its UDP checksum is wrong";
                }
                case 6 -> {
                    return Checksums.verifyTransport(src, dst, 6, f, l4, l4len) ? null : "its TCP checksum is wrong";
                }
                case 58 -> {
                    return Checksums.verifyTransport(src, dst, 58, f, l4, l4len) ? null : "its ICMPv6 checksum is wrong";
                }
                case 1 -> {
                    return Checksums.fold(Checksums.sum(f, l4, l4len, 0)) == 0 ? null : "its ICMP checksum is wrong";
                }
                default -> {
                    return null;
                }
            }
        }

        private static int u16(byte[] f, int at) {
            return (f[at] & 0xff) << 8 | (f[at + 1] & 0xff);
        }
    }
}
