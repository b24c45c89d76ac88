package dev.xdperf.abi;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One option a plugin declares: its type, default and help (docs/abi.md, "The description").
 * {@code min}/{@code max} apply to {@code int} options, {@code values} to {@code enum} options.
 */
public record OptionSpec(String name, String type, String defaultValue, String help, Long min, Long max, List<String> values) {
    /** The option types a plugin may declare. */
    public static final Set<String> TYPES = Set.of("int", "bool", "string", "enum", "mac", "ip", "cidr", "port-range");

    public OptionSpec {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("an option needs a name");
        }
        if (type == null || !TYPES.contains(type)) {
            throw new IllegalArgumentException("option '" + name + "' has an unknown type '" + type + "' (one of "
                    + String.join(", ", TYPES.stream().sorted().toList()) + ")");
        }
        help = help == null ? "" : help;
        values = values == null ? List.of() : List.copyOf(values);
        if (type.equals("enum") && values.isEmpty()) {
            throw new IllegalArgumentException("option '" + name + "' is an enum without values");
        }
    }

    /** An integer option with a range. */
    public static OptionSpec integer(String name, long defaultValue, long min, long max, String help) {
        return new OptionSpec(name, "int", Long.toString(defaultValue), help, min, max, List.of());
    }

    public static OptionSpec bool(String name, boolean defaultValue, String help) {
        return new OptionSpec(name, "bool", Boolean.toString(defaultValue), help, null, null, List.of());
    }

    /** A free-form string; {@code defaultValue} may be null (then the option is absent unless given). */
    public static OptionSpec string(String name, String defaultValue, String help) {
        return new OptionSpec(name, "string", defaultValue, help, null, null, List.of());
    }

    /** One of a fixed list of values. */
    public static OptionSpec choice(String name, List<String> values, String defaultValue, String help) {
        return new OptionSpec(name, "enum", defaultValue, help, null, null, values);
    }

    /** Any other type: {@code mac}, {@code ip}, {@code cidr}, {@code port-range}. */
    public static OptionSpec of(String name, String type, String defaultValue, String help) {
        return new OptionSpec(name, type, defaultValue, help, null, null, List.of());
    }

    /**
     * Checks {@code value} against the type; returns it normalised, or throws an
     * IllegalArgumentException whose message is one sentence naming plugin, option and value.
     */
    public String check(String plugin, String value) {
        String v = value.trim();
        String what = "plugin " + plugin + " option " + name + "=" + value;
        switch (type) {
            case "int" -> {
                long n;
                try {
                    n = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(what + ": not an integer");
                }
                if (min != null && n < min || max != null && n > max) {
                    throw new IllegalArgumentException(what + ": outside " + (min == null ? "" : min) + ".." + (max == null ? "" : max));
                }
                return Long.toString(n);
            }
            case "bool" -> {
                String b = v.toLowerCase(Locale.ROOT);
                if (!b.equals("true") && !b.equals("false")) {
                    throw new IllegalArgumentException(what + ": not true or false");
                }
                return b;
            }
            case "enum" -> {
                if (!values.contains(v)) {
                    throw new IllegalArgumentException(what + ": not one of " + String.join(", ", values));
                }
                return v;
            }
            case "mac" -> {
                String mac = normaliseMac(v);
                if (mac == null) {
                    throw new IllegalArgumentException(what + ": not a MAC address");
                }
                return mac;
            }
            case "ip" -> {
                InetAddress a = parseIp(v);
                if (a == null) {
                    throw new IllegalArgumentException(what + ": not an IPv4 or IPv6 address");
                }
                return a.getHostAddress();
            }
            case "cidr" -> {
                String[] p = v.split("/");
                InetAddress a = p.length == 2 ? parseIp(p[0]) : null;
                int bits;
                try {
                    bits = p.length == 2 ? Integer.parseInt(p[1]) : -1;
                } catch (NumberFormatException e) {
                    bits = -1;
                }
                if (a == null || bits < 0 || bits > a.getAddress().length * 8) {
                    throw new IllegalArgumentException(what + ": not an address prefix like 198.18.0.0/24");
                }
                return v;
            }
            case "port-range" -> {
                String[] p = v.split("-");
                try {
                    int lo = Integer.parseInt(p[0]);
                    int hi = p.length == 2 ? Integer.parseInt(p[1]) : lo;
                    if (p.length > 2 || lo < 0 || hi > 65535 || lo > hi) {
                        throw new NumberFormatException();
                    }
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(what + ": not a port range like 1024-65535");
                }
                return v;
            }
            default -> {
                return v;
            }
        }
    }

    /** Six hex pairs separated by ':' or '-', as lower-case with ':'; null when it is not one. */
    static String normaliseMac(String text) {
        String[] parts = text.split("[:-]");
        if (parts.length != 6) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        for (String part : parts) {
            if (!part.matches("[0-9a-fA-F]{2}")) {
                return null;
            }
            b.append(b.length() == 0 ? "" : ":").append(part.toLowerCase(Locale.ROOT));
        }
        return b.toString();
    }

    /** An IPv4 or IPv6 literal (never a name: nothing is looked up); null when it is not one. */
    static InetAddress parseIp(String text) {
        if (text.isEmpty() || !(text.contains(":") || text.matches("\\d{1,3}(\\.\\d{1,3}){3}"))) {
            return null;
        }
        try {
            InetAddress a = InetAddress.getByName(text);
            return a instanceof Inet4Address || a instanceof Inet6Address ? a : null;
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
