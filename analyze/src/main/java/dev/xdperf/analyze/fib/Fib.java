package dev.xdperf.analyze.fib;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Interfaces, routes and neighbours for {@code bpf_fib_lookup}, in the JSON that {@code ip -j}
 * prints: {@code {"links": [ip -j link], "routes": [ip -j route], "neighbours": [ip -j neigh]}}.
 * A link may say {@code "forwarding": false} (default true); a route {@code "type"} (unicast by
 * default; local, broadcast, blackhole, unreachable, prohibit) and {@code "metric"}. The lookup
 * follows the kernel's bpf_ipv4_fib_lookup and bpf_ipv6_fib_lookup: the interface in the
 * parameters must exist and forward, the longest matching prefix wins (local routes first, then
 * the lowest metric), the packet must fit the route's MTU, and the next hop needs a valid
 * neighbour entry unless BPF_FIB_LOOKUP_SKIP_NEIGH is set.
 */
public final class Fib {
    /** A network interface. */
    public record Link(int ifindex, String name, byte[] mac, int mtu, boolean forwarding) {}

    /** A route: prefix, optional gateway, its interface, kind and metric. */
    public record Route(byte[] prefix, int length, byte[] gateway, String dev, String type, long metric, int mtu) {}

    /** A neighbour entry (an ARP or NDP cache line). */
    public record Neighbour(byte[] address, String dev, byte[] mac, boolean valid) {}

    public static final int SUCCESS = 0;
    public static final int BLACKHOLE = 1;
    public static final int UNREACHABLE = 2;
    public static final int PROHIBIT = 3;
    public static final int NOT_FWDED = 4;
    public static final int FWD_DISABLED = 5;
    public static final int NO_NEIGH = 7;
    public static final int FRAG_NEEDED = 8;

    public static final int FLAG_DIRECT = 1;
    public static final int FLAG_OUTPUT = 2;
    public static final int FLAG_SKIP_NEIGH = 4;
    public static final int FLAG_TBID = 8;
    public static final int FLAG_SRC = 16;
    public static final int FLAG_MARK = 32;
    public static final int FLAGS = 63;

    /** sizeof(struct bpf_fib_lookup). */
    public static final int PARAMS_SIZE = 64;
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int ENODEV = 19;
    private static final int EINVAL = 22;
    private static final int EAFNOSUPPORT = 97;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<Link> links;
    private final List<Route> routes;
    private final List<Neighbour> neighbours;
    private final String source;

    public Fib(List<Link> links, List<Route> routes, List<Neighbour> neighbours, String source) {
        this.links = List.copyOf(links);
        this.routes = List.copyOf(routes);
        this.neighbours = List.copyOf(neighbours);
        this.source = source;
    }

    /** No interfaces at all: every lookup fails as in a namespace without the interface (-ENODEV). */
    public static Fib empty() {
        return new Fib(List.of(), List.of(), List.of(), "no --fib");
    }

    public List<Link> links() {
        return links;
    }

    public List<Route> routes() {
        return routes;
    }

    public List<Neighbour> neighbours() {
        return neighbours;
    }

    /** Where the tables came from (a file, or the host). */
    public String source() {
        return source;
    }

    // ---- reading ---------------------------------------------------------------------------------

    /** Reads a file in the format above; bad input fails with one sentence. */
    public static Fib read(Path file) {
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("read fib file " + file + ": no such file");
        } catch (IOException e) {
            throw new IllegalArgumentException("read fib file " + file + ": not JSON (" + e.getMessage().split("\n")[0] + ")");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("read fib file " + file + ": expected an object with \"links\", \"routes\" and"
                    + " \"neighbours\" (as ip -j link, ip -j route and ip -j neigh print them)");
        }
        return parse(root, "fib file " + file);
    }

    /**
     * The host's tables, from {@code ip -j link}, {@code ip -j route} (main and local tables, IPv4 and
     * IPv6), {@code ip -j neigh} and each interface's forwarding sysctl.
     */
    public static Fib host() {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode links = (ArrayNode) ip("-j", "link", "show");
        for (JsonNode l : links) {
            String name = l.path("ifname").asText();
            Path fwd = Path.of("/proc/sys/net/ipv4/conf", name, "forwarding");
            try {
                ((ObjectNode) l).put("forwarding", Files.readString(fwd).trim().equals("1"));
            } catch (IOException | RuntimeException e) {
                ((ObjectNode) l).put("forwarding", false);
            }
        }
        root.set("links", links);
        ArrayNode routes = root.putArray("routes");
        for (String family : List.of("-4", "-6")) {
            for (String table : List.of("main", "local")) {
                for (JsonNode r : ip("-j", family, "route", "show", "table", table)) {
                    if (family.equals("-6") && r.isObject()) {
                        ((ObjectNode) r).put("family", "inet6");  // "default" alone does not say which
                    }
                    routes.add(r);
                }
            }
        }
        ArrayNode neigh = root.putArray("neighbours");
        for (JsonNode n : ip("-j", "neigh", "show")) {
            neigh.add(n);
        }
        return parse(root, "the host's tables (ip -j)");
    }

    private static JsonNode ip(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        cmd.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalArgumentException("read the host's routes: " + String.join(" ", cmd) + " failed");
            }
            String text = new String(out, StandardCharsets.UTF_8).trim();
            JsonNode n = text.isEmpty() ? JSON.createArrayNode() : JSON.readTree(text);
            return n.isArray() ? n : JSON.createArrayNode();
        } catch (IOException e) {
            throw new IllegalArgumentException("read the host's routes: cannot run ip (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalArgumentException("read the host's routes: interrupted");
        }
    }

    static Fib parse(JsonNode root, String where) {
        List<Link> links = new ArrayList<>();
        int i = 0;
        for (JsonNode l : array(root, "links", where)) {
            i++;
            String at = "read " + where + ": link " + i;
            if (!l.path("ifindex").canConvertToInt() || l.path("ifindex").asInt() <= 0) {
                throw new IllegalArgumentException(at + ": \"ifindex\" must be a positive number");
            }
            String name = l.path("ifname").asText("if" + l.path("ifindex").asInt());
            byte[] mac = l.hasNonNull("address") ? mac(l.path("address").asText(), at) : new byte[6];
            links.add(new Link(l.path("ifindex").asInt(), name, mac, l.path("mtu").asInt(1500),
                    !l.has("forwarding") || l.path("forwarding").asBoolean()));
        }
        List<Route> routes = new ArrayList<>();
        i = 0;
        for (JsonNode r : array(root, "routes", where)) {
            i++;
            String at = "read " + where + ": route " + i;
            String dst = r.path("dst").asText("");
            if (dst.isEmpty()) {
                throw new IllegalArgumentException(at + ": \"dst\" is missing (a prefix such as 10.0.0.0/24, or default)");
            }
            String type = r.path("type").asText("unicast").toLowerCase(Locale.ROOT);
            JsonNode hop = r;
            if (!r.hasNonNull("dev") && r.path("nexthops").isArray() && r.path("nexthops").size() > 0) {
                hop = r.path("nexthops").get(0);  // multipath: the first path (the kernel hashes flows over them)
            }
            byte[] gw = hop.hasNonNull("gateway") ? address(hop.path("gateway").asText(), at) : null;
            int mtu = r.path("metrics").isArray() ? mtuOf(r.path("metrics")) : r.path("mtu").asInt(0);
            boolean v6Hint = gw != null ? gw.length == 16 : dst.contains(":") || "inet6".equals(r.path("family").asText());
            byte[] prefix;
            int len;
            if (dst.equals("default")) {
                prefix = new byte[v6Hint ? 16 : 4];
                len = 0;
            } else {
                int slash = dst.indexOf('/');
                prefix = address(slash < 0 ? dst : dst.substring(0, slash), at);
                try {
                    len = slash < 0 ? prefix.length * 8 : Integer.parseInt(dst.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(at + ": prefix length of " + dst + " is not a number");
                }
                if (len < 0 || len > prefix.length * 8) {
                    throw new IllegalArgumentException(at + ": prefix length of " + dst + " is out of range");
                }
            }
            if (!List.of("unicast", "local", "broadcast", "blackhole", "unreachable", "prohibit", "anycast", "multicast", "throw",
                    "nat").contains(type)) {
                throw new IllegalArgumentException(at + ": unknown route type " + type);
            }
            String dev = hop.path("dev").asText(null);
            if (dev == null && type.equals("unicast")) {
                throw new IllegalArgumentException(at + ": a unicast route needs \"dev\"");
            }
            routes.add(new Route(prefix, len, gw, dev, type, r.path("metric").asLong(0), mtu));
        }
        List<Neighbour> neigh = new ArrayList<>();
        i = 0;
        for (JsonNode n : array(root, "neighbours", where)) {
            i++;
            String at = "read " + where + ": neighbour " + i;
            if (!n.hasNonNull("dst") || !n.hasNonNull("dev")) {
                throw new IllegalArgumentException(at + ": needs \"dst\" and \"dev\"");
            }
            byte[] mac = n.hasNonNull("lladdr") ? mac(n.path("lladdr").asText(), at) : null;
            boolean valid = mac != null;
            if (n.path("state").isArray()) {
                valid = false;
                for (JsonNode s : n.path("state")) {
                    valid |= List.of("PERMANENT", "NOARP", "REACHABLE", "PROBE", "STALE", "DELAY").contains(s.asText());
                }
                valid &= mac != null;
            }
            neigh.add(new Neighbour(address(n.path("dst").asText(), at), n.path("dev").asText(), mac, valid));
        }
        return new Fib(links, routes, neigh, where);
    }

    private static int mtuOf(JsonNode metrics) {
        for (JsonNode m : metrics) {
            if (m.has("mtu")) {
                return m.path("mtu").asInt(0);
            }
        }
        return 0;
    }

    private static Iterable<JsonNode> array(JsonNode root, String field, String where) {
        JsonNode n = root.path(field);
        if (n.isMissingNode() || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw new IllegalArgumentException("read " + where + ": \"" + field + "\" must be an array");
        }
        return n;
    }

    private static byte[] address(String text, String at) {
        if (!text.matches("[0-9a-fA-F:.]+") || (!text.contains(":") && !text.matches("\\d+\\.\\d+\\.\\d+\\.\\d+"))) {
            throw new IllegalArgumentException(at + ": " + text + " is not an IP address");
        }
        try {
            return InetAddress.getByName(text).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(at + ": " + text + " is not an IP address");
        }
    }

    private static byte[] mac(String text, String at) {
        String[] parts = text.split(":");
        if (parts.length != 6) {
            throw new IllegalArgumentException(at + ": " + text + " is not a MAC address");
        }
        byte[] b = new byte[6];
        for (int i = 0; i < 6; i++) {
            try {
                b[i] = (byte) Integer.parseInt(parts[i], 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(at + ": " + text + " is not a MAC address");
            }
        }
        return b;
    }

    // ---- lookup ----------------------------------------------------------------------------------

    /**
     * bpf_fib_lookup on {@code params} (struct bpf_fib_lookup, at least 64 bytes), which it updates
     * as the kernel does; returns the helper's result (a BPF_FIB_LKUP_RET_* code or a negative errno).
     */
    public long lookup(byte[] params, int plen, long flags) {
        if (plen < PARAMS_SIZE) {
            return -EINVAL;
        }
        if ((flags & ~FLAGS) != 0) {
            return -EINVAL;
        }
        int family = params[0] & 0xff;
        if (family != AF_INET && family != AF_INET6) {
            return -EAFNOSUPPORT;
        }
        boolean v6 = family == AF_INET6;
        int ifindex = u32(params, 8);
        Link in = link(ifindex);
        if (in == null) {
            return -ENODEV;
        }
        if (!in.forwarding) {
            return FWD_DISABLED;
        }
        byte[] dst = Arrays.copyOfRange(params, 32, v6 ? 48 : 36);
        Route best = null;
        for (Route r : routes) {
            if (r.prefix.length != dst.length || !matches(r.prefix, r.length, dst)) {
                continue;
            }
            if (best == null || better(r, best)) {
                best = r;
            }
        }
        if (best == null) {
            return NOT_FWDED;  // -ENETUNREACH from the table lookup
        }
        switch (best.type) {
            case "blackhole":
                return BLACKHOLE;
            case "unreachable":
                return UNREACHABLE;
            case "prohibit":
                return PROHIBIT;
            case "unicast":
                break;
            default:
                return NOT_FWDED;
        }
        Link out = linkNamed(best.dev);
        if (out == null) {
            return NOT_FWDED;
        }
        int mtu = best.mtu > 0 ? best.mtu : out.mtu;
        int totLen = u16(params, 6);
        if (totLen > mtu) {
            put16(params, 6, mtu);
            return FRAG_NEEDED;
        }
        putU32(params, 12, (int) best.metric);
        putU32(params, 8, out.ifindex);
        if ((flags & FLAG_SKIP_NEIGH) == 0) {
            if (best.gateway != null && best.gateway.length == dst.length) {
                System.arraycopy(best.gateway, 0, params, 32, dst.length);
            }
            byte[] next = Arrays.copyOfRange(params, 32, 32 + dst.length);
            Neighbour n = neighbour(next, out.name);
            if (n == null || !n.valid) {
                return NO_NEIGH;
            }
            System.arraycopy(n.mac, 0, params, 58, 6);
            System.arraycopy(out.mac, 0, params, 52, 6);
        }
        put16(params, 48, 0);
        put16(params, 50, 0);
        put16(params, 6, mtu);
        return SUCCESS;
    }

    /** Local routes first (the local table is consulted first), then the longest prefix, then the lowest metric. */
    private static boolean better(Route r, Route best) {
        boolean rl = r.type.equals("local") || r.type.equals("broadcast");
        boolean bl = best.type.equals("local") || best.type.equals("broadcast");
        if (rl != bl) {
            return rl;
        }
        if (r.length != best.length) {
            return r.length > best.length;
        }
        return r.metric < best.metric;
    }

    private Link link(int ifindex) {
        return links.stream().filter(l -> l.ifindex == ifindex).findFirst().orElse(null);
    }

    private Link linkNamed(String name) {
        return links.stream().filter(l -> l.name.equals(name)).findFirst().orElse(null);
    }

    private Neighbour neighbour(byte[] addr, String dev) {
        return neighbours.stream().filter(n -> n.dev.equals(dev) && Arrays.equals(n.address, addr)).findFirst().orElse(null);
    }

    private static boolean matches(byte[] prefix, int len, byte[] a) {
        for (int bit = 0; bit < len; bit++) {
            int mask = 0x80 >>> (bit % 8);
            if ((prefix[bit / 8] & mask) != (a[bit / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static int u32(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8 | (b[o + 2] & 0xff) << 16 | (b[o + 3] & 0xff) << 24;
    }

    /** tot_len and mtu_result are host-order u16. */
    private static int u16(byte[] b, int o) {
        return (b[o] & 0xff) | (b[o + 1] & 0xff) << 8;
    }

    private static void put16(byte[] b, int o, int v) {
        b[o] = (byte) v;
        b[o + 1] = (byte) (v >>> 8);
    }

    private static void putU32(byte[] b, int o, int v) {
        for (int i = 0; i < 4; i++) {
            b[o + i] = (byte) (v >>> (8 * i));
        }
    }

    /** A short description for reports: counts of links, routes and neighbours. */
    public String describe() {
        return links.size() + " links, " + routes.size() + " routes, " + neighbours.size() + " neighbours from " + source;
    }
}
