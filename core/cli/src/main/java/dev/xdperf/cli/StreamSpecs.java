package dev.xdperf.cli;

import dev.xdperf.packet.SizeMix;
import dev.xdperf.spec.RunSpec;
import java.util.List;

/** The --stream option's own syntax, "udp|PLUGIN[,share=N|,pps=RATE][,size=...][,KEY=VALUE...]", as spec streams. */
final class StreamSpecs {
    private StreamSpecs() {}

    /** Every --stream; rates on all of them or on none, as the spec wants it (said here in the flags' words). */
    static List<RunSpec.Stream> parseAll(List<String> specs) {
        List<RunSpec.Stream> streams = specs.stream().map(StreamSpecs::parse).toList();
        long withRate = streams.stream().filter(st -> st.pps() != null).count();
        if (withRate > 0 && withRate != streams.size()) {
            throw new IllegalArgumentException("give every --stream a pps=RATE, or none (and shares instead)");
        }
        return streams;
    }

    /** "udp|PLUGIN[,share=N|,pps=RATE][,size=BYTES|imix|SIZE:WEIGHT,...][,KEY=VALUE...]" of one --stream. */
    static RunSpec.Stream parse(String spec) {
        String[] parts = spec.split(",");
        String what = parts[0].trim();
        if (what.isEmpty()) {
            throw new IllegalArgumentException("--stream '" + spec + "' names no stream (udp or a plugin)");
        }
        double share = 1;
        Long rate = null;
        int size = 0;
        String mix = null;
        java.util.Map<String, String> opts = new java.util.LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            if (mix != null && parts[i].trim().matches("\\d+:\\d+")) {
                mix += "," + parts[i].trim();   // size=64:7,594:4,1518:1: the commas belong to the mix
                continue;
            }
            String[] kv = parts[i].split("=", 2);
            if (kv.length != 2) {
                throw new IllegalArgumentException("--stream '" + spec + "': '" + parts[i] + "' is not key=value");
            }
            String k = kv[0].trim();
            String v = kv[1].trim();
            try {
                switch (k) {
                    case "share" -> share = Double.parseDouble(v.replace("%", ""));
                    case "pps" -> rate = new Converters.Rate().convert(v);
                    case "size" -> {
                        if (SizeMix.isMix(v)) {
                            mix = v;
                        } else {
                            size = Integer.parseInt(v);
                        }
                    }
                    default -> opts.put(k, v);
                }
            } catch (NumberFormatException | picocli.CommandLine.TypeConversionException e) {
                throw new IllegalArgumentException("--stream '" + spec + "': bad value for " + k + " ('" + v + "')");
            }
        }
        if (!(share > 0)) {
            throw new IllegalArgumentException("--stream '" + spec + "': share must be positive");
        }
        if (what.equals("udp") && !opts.isEmpty()) {
            throw new IllegalArgumentException("--stream udp takes share, pps and size, not " + String.join(", ", opts.keySet()));
        }
        RunSpec.Stream s = what.equals("udp") ? RunSpec.Stream.udp(share) : RunSpec.Stream.plugin(what, opts, share);
        s = s.withSize(size);
        if (mix != null) {
            s = s.withSizeMix(sizeMix("--stream '" + spec + "': size", mix));
        }
        return rate == null ? s : s.withPps(rate);
    }

    /** A mix of frame sizes, its error said in the words of the option it came from. */
    static SizeMix sizeMix(String where, String text) {
        try {
            return SizeMix.parse(text);
        } catch (dev.xdperf.XdperfException.ConfigException e) {
            throw new IllegalArgumentException(where + " " + text + ": " + e.getMessage());
        }
    }
}
