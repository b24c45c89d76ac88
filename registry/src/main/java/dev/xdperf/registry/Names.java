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

    /** NAME or PUBLISHER/NAME, checked whole, so that a path is refused as what it is, in one sentence. */
    public static String requireId(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        boolean ok = text != null && (slash < 0 ? valid(text) : valid(text.substring(0, slash)) && valid(text.substring(slash + 1)));
        if (!ok) {
            throw new IllegalArgumentException("'" + text + "' is not a plugin name (NAME or PUBLISHER/NAME: lowercase letters, digits,"
                    + " '-', '_'; at most 64 each; no path characters)");
        }
        return text;
    }

    public static String requireKind(String kind) {
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("kind '" + kind + "' is not wasm or pf4j");
        }
        return kind;
    }
}
