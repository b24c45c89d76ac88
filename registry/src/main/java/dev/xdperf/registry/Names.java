package dev.xdperf.registry;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * Publisher and plugin names: lowercase letters, digits, '-' and '_', starting with a letter
 * or digit, at most 64 characters. They become file and path names, so nothing else passes.
 */
public final class Names {
    public static final String OFFICIAL = "xdperf";
    public static final Set<String> KINDS = Set.of("wasm", "pf4j");
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}");

    private Names() {}

    public static boolean valid(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    public static String requirePublisher(String name) {
        if (!valid(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a publisher name (lowercase letters, digits, '-', '_'; at most 64)");
        }
        return name;
    }

    public static String requirePlugin(String name) {
        if (!valid(name)) {
            throw new IllegalArgumentException("'" + name + "' is not a plugin name (lowercase letters, digits, '-', '_'; at most 64)");
        }
        return name;
    }

    public static String requireKind(String kind) {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("kind '" + kind + "' is not wasm or pf4j");
        }
        return kind;
    }
}
