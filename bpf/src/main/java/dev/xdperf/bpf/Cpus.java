package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/** CPU sets as the kernel lists them, and pinning of the calling thread. */
public final class Cpus {
    private static volatile int possible = -1;

    private Cpus() {}

    /** Number of possible CPUs: the length of every per-CPU map value array. */
    public static int possible() {
        int p = possible;
        if (p < 0) {
            p = Native.bpf().libbpf_num_possible_cpus();
            if (p <= 0) {
                throw BpfException.fromErrno("count possible CPUs", p);
            }
            possible = p;
        }
        return p;
    }

    /** The online CPUs, from /sys/devices/system/cpu/online. */
    public static List<Integer> online() {
        try {
            return parseList(Files.readString(Path.of("/sys/devices/system/cpu/online")).trim());
        } catch (IOException e) {
            List<Integer> all = new ArrayList<>();
            for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
                all.add(i);
            }
            return all;
        }
    }

    /** Parses a kernel CPU list such as "0-3,8,10-11". */
    public static List<Integer> parseList(String text) {
        List<Integer> cpus = new ArrayList<>();
        if (text.isBlank()) {
            return cpus;
        }
        for (String part : text.split(",")) {
            String p = part.trim();
            int dash = p.indexOf('-');
            try {
                if (dash < 0) {
                    cpus.add(Integer.parseInt(p));
                } else {
                    int from = Integer.parseInt(p.substring(0, dash));
                    int to = Integer.parseInt(p.substring(dash + 1));
                    if (to < from) {
                        throw new IllegalArgumentException("bad CPU range '" + p + "'");
                    }
                    for (int c = from; c <= to; c++) {
                        cpus.add(c);
                    }
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad CPU list '" + text + "'");
            }
        }
        return cpus;
    }

    /** Pins the calling thread to one CPU and checks that it now runs there. */
    public static void pinCurrentThread(int cpu) {
        int bytes = ((Math.max(cpu + 1, possible()) + 63) / 64) * 8;
        Pointer mask = Memory.allocateDirect(Native.runtime(), bytes);
        for (int i = 0; i < bytes; i++) {
            mask.putByte(i, (byte) 0);
        }
        mask.putByte(cpu / 8, (byte) (1 << (cpu % 8)));
        if (Native.libc().sched_setaffinity(0, bytes, mask) != 0) {
            throw BpfException.fromErrno("pin thread to CPU " + cpu,
                    jnr.ffi.Runtime.getSystemRuntime().getLastError());
        }
        Thread.yield();
        int now = currentCpu();
        if (now != cpu) {
            throw new BpfException("pin thread to CPU " + cpu + ": still running on CPU " + now);
        }
    }

    public static int currentCpu() {
        return Native.libc().sched_getcpu();
    }
}
