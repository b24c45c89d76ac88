package dev.xdperf.analyze.vm;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Names of BPF helpers by number, from the kernel's UAPI list (linux/bpf.h, __BPF_FUNC_MAPPER). */
public final class HelperNames {
    private static final List<String> NAMES = read();

    private HelperNames() {}

    private static List<String> read() {
        List<String> out = new ArrayList<>();
        try (InputStream in = HelperNames.class.getResourceAsStream("helpers.txt")) {
            if (in == null) {
                return out;
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                out.add(line.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(out);
    }

    /** "bpf_map_lookup_elem" for 1; "helper #N" for numbers beyond the list. */
    public static String name(int id) {
        if (id > 0 && id < NAMES.size()) {
            return "bpf_" + NAMES.get(id);
        }
        return "helper #" + id;
    }
}
