package dev.xdperf.bpf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Cached kernel feature probes. Only WORKS and UNSUPPORTED are conclusive; FAILED carries
 * the reason the probe itself could not run (for example missing privileges).
 */
public final class Features {
    public enum State { WORKS, UNSUPPORTED, FAILED }

    public record Result(State state, String detail) {
        public boolean works() {
            return state == State.WORKS;
        }
    }

    private static volatile Result bpf;
    private static volatile Result liveFrames;

    private Features() {}

    public static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Can this process load XDP programs at all? Loads the probe object to find out. */
    public static synchronized Result bpf() {
        if (bpf == null) {
            try (BpfObject o = BpfObject.loadBundled("probe", List.of("xdp_probe"))) {
                bpf = new Result(State.WORKS, "XDP programs load");
            } catch (BpfException e) {
                bpf = new Result(e.errno() == 1 || e.errno() == 13 ? State.FAILED : State.UNSUPPORTED, e.getMessage());
            }
        }
        return bpf;
    }

    /** BPF_PROG_RUN with live frames (kernel >= 5.18); runs a program that drops its frame. */
    public static synchronized Result liveFrames() {
        if (liveFrames == null) {
            Result b = bpf();
            if (!b.works()) {
                liveFrames = new Result(State.FAILED, "cannot probe: " + b.detail());
            } else {
                try (BpfObject o = BpfObject.loadBundled("probe", List.of("xdp_probe"))) {
                    new LiveFrames(o.program("xdp_probe"), new byte[64], 0, 0, 0).run(1);
                    liveFrames = new Result(State.WORKS, "BPF_F_TEST_XDP_LIVE_FRAMES accepted");
                } catch (UnsupportedFeatureException e) {
                    liveFrames = new Result(State.UNSUPPORTED, e.getMessage());
                } catch (BpfException e) {
                    liveFrames = new Result(State.FAILED, e.getMessage());
                }
            }
        }
        return liveFrames;
    }

    /** Throws the reason when live-frame transmission cannot work here. */
    public static void requireLiveFrames() {
        Result r = liveFrames();
        if (r.state() == State.UNSUPPORTED) {
            throw new UnsupportedFeatureException("XDP live frames not supported by kernel "
                    + kernelRelease() + " (requires kernel >= 5.18)");
        }
        if (!r.works()) {
            throw new BpfException(r.detail());
        }
    }
}
