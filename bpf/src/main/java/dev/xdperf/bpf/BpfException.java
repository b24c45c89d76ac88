package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.Native;

/**
 * The root of every failure in this module. Messages read as a chain of "verb object:
 * cause (hint)", in lower case, so that the CLI can print them as one sentence.
 */
public class BpfException extends dev.xdperf.XdperfException.BpfLoadException {
    private final int errno;

    public BpfException(String message) {
        this(message, 0);
    }

    public BpfException(String message, int errno) {
        super(message);
        this.errno = Math.abs(errno);
    }

    /** The errno behind the failure, or 0 when there is none. */
    public int errno() {
        return errno;
    }

    /** "verb object: cause (hint)" for a negative or positive errno. */
    public static BpfException fromErrno(String what, int errno) {
        int e = Math.abs(errno);
        return new BpfException(what + ": " + Native.strerror(e) + hint(e), e);
    }

    static String hint(int errno) {
        return switch (errno) {
            case 1, 13 -> " (run as root or grant CAP_BPF, CAP_NET_ADMIN and CAP_PERFMON)";
            case 12 -> " (out of memory for BPF maps: check the memory cgroup limit)";
            default -> "";
        };
    }
}
