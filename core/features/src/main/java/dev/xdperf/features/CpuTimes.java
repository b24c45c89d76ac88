package dev.xdperf.features;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where CPU time went during a run: each CPU's time from /proc/stat split into user, system,
 * irq and softirq (XDP and the AF_PACKET path run in softirq or a NAPI thread, so a
 * process's own CPU time misses most of the cost), and this process's CPU time.
 */
public record CpuTimes(Map<Integer, long[]> perCpuNs, long processNs, long wallNs) {
    static final String[] PARTS = {"user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"};
    private static final long TICK_NS = 10_000_000L;   // USER_HZ is 100 on Linux

    static CpuTimes now() {
        Map<Integer, long[]> m = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (!line.startsWith("cpu") || line.startsWith("cpu ")) {
                    continue;
                }
                String[] f = line.trim().split("\\s+");
                long[] v = new long[PARTS.length];
                for (int i = 0; i < PARTS.length && i + 1 < f.length; i++) {
                    v[i] = Long.parseLong(f[i + 1]) * TICK_NS;
                }
                m.put(Integer.parseInt(f[0].substring(3)), v);
            }
        } catch (IOException | RuntimeException e) {
            // no /proc/stat: per-CPU figures stay empty
        }
        long process = 0;
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            process = os.getProcessCpuTime();
        }
        return new CpuTimes(m, process, System.nanoTime());
    }

    CpuTimes minus(CpuTimes before) {
        Map<Integer, long[]> m = new LinkedHashMap<>();
        perCpuNs.forEach((cpu, v) -> {
            long[] b = before.perCpuNs.get(cpu);
            long[] d = new long[v.length];
            for (int i = 0; i < v.length; i++) {
                d[i] = v[i] - (b == null ? 0 : b[i]);
            }
            m.put(cpu, d);
        });
        return new CpuTimes(m, processNs - before.processNs, wallNs - before.wallNs);
    }

    /** Busy time of one CPU (everything but idle and iowait). */
    public static long busy(long[] v) {
        return v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
    }
}
