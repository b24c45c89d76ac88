package dev.xdperf.probe;

import dev.xdperf.bpf.BpfException;
import dev.xdperf.bpf.BpfObject;
import dev.xdperf.bpf.Cpus;
import dev.xdperf.bpf.Features;
import dev.xdperf.bpf.XdpLink;
import dev.xdperf.bpf.XdpMode;
import dev.xdperf.net.Commands;
import dev.xdperf.net.Interfaces;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** What this machine and interface can do for xdperf, with advice for each gap. */
public final class Probe {
    public record Report(Map<String, String> facts, List<String> advice, boolean ready) {}

    private Probe() {}

    public static Report run(String dev) {
        Map<String, String> f = new LinkedHashMap<>();
        List<String> advice = new ArrayList<>();
        String kernel = Features.kernelRelease();
        f.put("kernel", kernel);
        f.put("cpus online", Cpus.online().toString());
        boolean priv = Privileges.canUseXdp();
        f.put("privileges", priv ? "CAP_BPF/CAP_SYS_ADMIN and CAP_NET_ADMIN present" : "missing");
        if (!priv) {
            advice.add("run xdperf as root (sudo), or grant CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON");
        }
        boolean ready = priv;
        Features.Result bpf;
        try {
            bpf = Features.bpf();
        } catch (BpfException e) {
            bpf = new Features.Result(Features.State.FAILED, e.getMessage());
        }
        f.put("bpf programs", describe(bpf));
        Features.Result live = Features.liveFrames();
        f.put("xdp live frames", describe(live));
        if (live.state() == Features.State.UNSUPPORTED) {
            advice.add("kernel " + kernel + " cannot transmit with BPF_PROG_RUN live frames: xdperf client needs kernel >= 5.18");
        }
        ready &= bpf.works() && live.works();
        f.put("btf", java.nio.file.Files.exists(java.nio.file.Path.of("/sys/kernel/btf/vmlinux")) ? "present" : "absent");
        if (dev != null) {
            if (!Interfaces.exists(dev)) {
                f.put("interface " + dev, "does not exist in this network namespace");
                advice.add("interface " + dev + " does not exist here: see 'ip link' (or run inside its namespace with 'ip netns exec')");
                ready = false;
            } else {
                ready &= probeDevice(dev, f, advice, bpf.works());
            }
        }
        if (advice.isEmpty()) {
            advice.add(ready ? "ready: xdperf can send and receive here" : "see the lines above");
        }
        return new Report(f, advice, ready);
    }

    private static boolean probeDevice(String dev, Map<String, String> f, List<String> advice, boolean bpfWorks) {
        String p = "interface " + dev + ": ";
        Commands.Output info = Commands.run(List.of("ethtool", "-i", dev));
        String driver = "unknown";
        if (info.ok()) {
            for (String line : info.stdout().split("\n")) {
                if (line.startsWith("driver:")) {
                    driver = line.substring(7).trim();
                }
            }
        }
        f.put(p + "driver", driver);
        f.put(p + "state", Interfaces.up(dev) ? "up" : "down");
        f.put(p + "mtu", Integer.toString(Interfaces.mtu(dev)));
        int[] q = Interfaces.queues(dev);
        f.put(p + "queues", "rx " + q[0] + ", tx " + q[1]);
        boolean ok = true;
        if (!Interfaces.up(dev)) {
            advice.add(dev + " is down: 'ip link set " + dev + " up'");
            ok = false;
        }
        if (driver.equals("veth") && q[0] < Cpus.online().size()) {
            advice.add(dev + " (veth) has " + q[0] + " queue(s): for one queue per CPU run 'ethtool -L " + dev + " rx "
                    + Cpus.online().size() + " tx " + Cpus.online().size() + "' on both ends (receiver first) before attaching XDP");
        }
        if (!bpfWorks) {
            f.put(p + "native xdp", "not probed (cannot load programs)");
            return false;
        }
        for (XdpMode mode : XdpMode.values()) {
            String key = p + mode.name().toLowerCase() + " xdp";
            try (BpfObject o = BpfObject.loadBundled("tx", List.of("xdp_pass"));
                 XdpLink l = XdpLink.attach(o.program("xdp_pass"), dev, mode)) {
                f.put(key, "works");
            } catch (BpfException e) {
                f.put(key, e.getMessage());
                if (mode == XdpMode.NATIVE) {
                    ok = false;
                    advice.add(e.errno() == 16 || e.errno() == 17
                            ? dev + " already has an XDP program attached: detach it ('ip link set " + dev + " xdp off') or use another interface"
                            : dev + " (driver " + driver + ") has no native XDP: xdperf can only send at speed through drivers"
                                    + " with XDP transmit support (veth, i40e, ice, mlx5, ixgbe, virtio_net, ...)");
                }
            }
        }
        if (driver.equals("veth")) {
            advice.add("veth: the peer interface needs a native XDP program (xdperf server attaches one), or frames sent with XDP_TX vanish");
        }
        return ok;
    }

    private static String describe(Features.Result r) {
        return switch (r.state()) {
            case WORKS -> "works";
            case UNSUPPORTED -> "unsupported: " + r.detail();
            case FAILED -> "could not probe: " + r.detail();
        };
    }
}
