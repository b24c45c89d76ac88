package dev.xdperf.plugin;

import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.UdpStream;
import java.util.List;
import java.util.Locale;

/** One option a plugin declares: its type, default and help (docs/abi.md, "The description"). */
public record OptionSpec(String name, String type, String defaultValue, String help, Long min, Long max, List<String> values) {
    public OptionSpec {
        values = values == null ? List.of() : List.copyOf(values);
    }

    /** Checks {@code value} against the type; returns it normalised, or throws one sentence. */
    public String check(String plugin, String value) {
        String v = value.trim();
        String what = "plugin " + plugin + " option " + name + "=" + value;
        switch (type) {
            case "int" -> {
                long n;
                try {
                    n = Long.parseLong(v);
                } catch (NumberFormatException e) {
                    throw new PluginException(what + ": not an integer");
                }
                if (min != null && n < min || max != null && n > max) {
                    throw new PluginException(what + ": outside " + (min == null ? "" : min) + ".." + (max == null ? "" : max));
                }
                return Long.toString(n);
            }
            case "bool" -> {
                String b = v.toLowerCase(Locale.ROOT);
                if (!b.equals("true") && !b.equals("false")) {
                    throw new PluginException(what + ": not true or false");
                }
                return b;
            }
            case "enum" -> {
                if (!values.contains(v)) {
                    throw new PluginException(what + ": not one of " + String.join(", ", values));
                }
                return v;
            }
            case "mac" -> {
                try {
                    return MacAddress.parse(v).toString();
                } catch (IllegalArgumentException e) {
                    throw new PluginException(what + ": not a MAC address");
                }
            }
            case "ip" -> {
                try {
                    return UdpStream.parseIp(v).getHostAddress();
                } catch (IllegalArgumentException e) {
                    throw new PluginException(what + ": not an IPv4 or IPv6 address");
                }
            }
            case "cidr" -> {
                String[] p = v.split("/");
                try {
                    var a = UdpStream.parseIp(p[0]);
                    int bits = Integer.parseInt(p[1]);
                    if (p.length != 2 || bits < 0 || bits > a.getAddress().length * 8) {
                        throw new IllegalArgumentException();
                    }
                } catch (RuntimeException e) {
                    throw new PluginException(what + ": not an address prefix like 198.18.0.0/24");
                }
                return v;
            }
            case "port-range" -> {
                String[] p = v.split("-");
                try {
                    int lo = Integer.parseInt(p[0]);
                    int hi = p.length == 2 ? Integer.parseInt(p[1]) : lo;
                    if (p.length > 2 || lo < 0 || hi > 65535 || lo > hi) {
                        throw new IllegalArgumentException();
                    }
                } catch (RuntimeException e) {
                    throw new PluginException(what + ": not a port range like 1024-65535");
                }
                return v;
            }
            default -> {
                return v;
            }
        }
    }
}
