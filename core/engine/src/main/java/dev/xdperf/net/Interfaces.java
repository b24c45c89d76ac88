package dev.xdperf.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.xdperf.packet.MacAddress;
import dev.xdperf.packet.UdpStream;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What the kernel knows about an interface in this network namespace. */
public final class Interfaces {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Interfaces() {}

    public static boolean exists(String ifname) {
        return ifname != null && !ifname.isEmpty() && !ifname.contains("/") && Files.isDirectory(sysfs(ifname));
    }

    public static void requireExists(String ifname) {
        if (!exists(ifname)) {
            throw new IllegalArgumentException("interface " + ifname + " does not exist in this network namespace (see 'ip link')");
        }
    }

    private static Path sysfs(String ifname) {
        return Path.of("/sys/class/net", ifname);
    }

    public static MacAddress mac(String ifname) {
        return MacAddress.parse(readSys(ifname, "address"));
    }

    public static int mtu(String ifname) {
        return Integer.parseInt(readSys(ifname, "mtu"));
    }

    public static boolean up(String ifname) {
        String state = readSys(ifname, "operstate");
        return state.equals("up") || state.equals("unknown");
    }

    private static String readSys(String ifname, String attr) {
        try {
            return Files.readString(sysfs(ifname).resolve(attr)).trim();
        } catch (IOException e) {
            throw new IllegalArgumentException("read " + attr + " of " + ifname + ": " + e.getMessage());
        }
    }

    private static long readStat(String ifname, String stat) {
        try {
            return Long.parseLong(Files.readString(sysfs(ifname).resolve("statistics").resolve(stat)).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** The interface's addresses of one family, global scope first. */
    public static List<InetAddress> addresses(String ifname, boolean ipv6) {
        List<InetAddress> out = new ArrayList<>();
        try {
            JsonNode root = JSON.readTree(Commands.check(List.of("ip", "-j", "addr", "show", "dev", ifname)));
            for (JsonNode link : root) {
                for (JsonNode a : link.path("addr_info")) {
                    String family = a.path("family").asText();
                    if ((ipv6 && family.equals("inet6")) || (!ipv6 && family.equals("inet"))) {
                        InetAddress addr = UdpStream.parseIp(a.path("local").asText());
                        if (a.path("scope").asText().equals("global")) {
                            out.add(0, addr);
                        } else if (!addr.isLinkLocalAddress()) {
                            out.add(addr);
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("read addresses of " + ifname + ": " + e.getMessage());
        }
        return out;
    }

    /** The neighbour table's MAC for {@code ip} on {@code ifname}, if the kernel has resolved it. */
    public static Optional<MacAddress> neighbour(String ifname, InetAddress ip) {
        try {
            JsonNode root = JSON.readTree(Commands.check(List.of("ip", "-j",
                    ip instanceof Inet6Address ? "-6" : "-4", "neigh", "show", "to", ip.getHostAddress(), "dev", ifname)));
            for (JsonNode n : root) {
                String mac = n.path("lladdr").asText("");
                if (!mac.isEmpty()) {
                    return Optional.of(MacAddress.parse(mac));
                }
            }
        } catch (IOException | IllegalStateException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** The gateway the kernel routes {@code ip} through from {@code ifname}, or empty when it is on-link. */
    public static Optional<InetAddress> gateway(String ifname, InetAddress ip) {
        Commands.Output o = Commands.run(List.of("ip", "-j", "route", "get", ip.getHostAddress(), "oif", ifname));
        if (!o.ok()) {
            return Optional.empty();
        }
        try {
            for (JsonNode r : JSON.readTree(o.stdout())) {
                String gw = r.path("gateway").asText("");
                if (!gw.isEmpty()) {
                    return Optional.of(UdpStream.parseIp(gw));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /** Current rx and tx queue counts from {@code ethtool -l}, or {1, 1} when it cannot tell. */
    public static int[] queues(String ifname) {
        Commands.Output o = Commands.run(List.of("ethtool", "-l", ifname));
        int[] q = {1, 1};
        if (!o.ok()) {
            return q;
        }
        String text = o.stdout();
        int current = text.indexOf("Current hardware settings");
        if (current < 0) {
            return q;
        }
        for (String line : text.substring(current).split("\n")) {
            String[] kv = line.split(":");
            if (kv.length != 2) {
                continue;
            }
            String v = kv[1].trim();
            if (!v.matches("\\d+")) {
                continue;
            }
            switch (kv[0].trim()) {
                case "RX" -> q[0] = Integer.parseInt(v);
                case "TX" -> q[1] = Integer.parseInt(v);
                case "Combined" -> q[0] = q[1] = Math.max(q[0], Integer.parseInt(v));
                default -> { }
            }
        }
        return q;
    }

    public static void setQueues(String ifname, int rx, int tx) {
        Commands.check(List.of("ethtool", "-L", ifname, "rx", Integer.toString(rx), "tx", Integer.toString(tx)));
    }

    /** A snapshot of the device's counters: sysfs statistics and the XDP transmit counters of ethtool -S. */
    public static DeviceCounters counters(String ifname) {
        long xmit = 0;
        long xmitErr = 0;
        for (Map.Entry<String, Long> e : EthtoolStats.read(ifname).orElse(Map.of()).entrySet()) {
            if (e.getKey().endsWith("xdp_xmit_errors") || e.getKey().endsWith("xdp_xmit_err")) {
                xmitErr += e.getValue();
            } else if (e.getKey().endsWith("xdp_xmit")) {
                xmit += e.getValue();
            }
        }
        return new DeviceCounters(readStat(ifname, "tx_packets"), readStat(ifname, "rx_packets"),
                readStat(ifname, "tx_dropped"), readStat(ifname, "rx_dropped"), xmit, xmitErr, System.nanoTime());
    }

    public static boolean isIpv4(InetAddress a) {
        return a instanceof Inet4Address;
    }
}
