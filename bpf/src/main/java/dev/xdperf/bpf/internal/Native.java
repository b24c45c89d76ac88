package dev.xdperf.bpf.internal;

import dev.xdperf.bpf.BpfException;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/** Loads libbpf and libc once per process. */
public final class Native {
    private static volatile LibBpf bpf;
    private static volatile LibC libc;

    private Native() {}

    public static LibBpf bpf() {
        LibBpf b = bpf;
        if (b == null) {
            synchronized (Native.class) {
                if (bpf == null) {
                    try {
                        LibBpf loaded = LibraryLoader.create(LibBpf.class)
                                .search("/usr/lib/x86_64-linux-gnu")
                                .search("/usr/lib64")
                                .search("/usr/lib")
                                .load("bpf");
                        // libbpf prints warnings on stderr by default; we report errors ourselves
                        // and capture verifier logs per program instead.
                        loaded.libbpf_set_print(null);
                        bpf = loaded;
                    } catch (UnsatisfiedLinkError | RuntimeException e) {
                        throw new BpfException("load libbpf: " + e.getMessage()
                                + " (install libbpf1, for example with scripts/setup.sh)");
                    }
                }
                b = bpf;
            }
        }
        return b;
    }

    public static LibC libc() {
        LibC c = libc;
        if (c == null) {
            synchronized (Native.class) {
                if (libc == null) {
                    libc = LibraryLoader.create(LibC.class).load("c");
                }
                c = libc;
            }
        }
        return c;
    }

    public static Runtime runtime() {
        return Runtime.getRuntime(bpf());
    }

    public static int lastErrno() {
        return Runtime.getRuntime(bpf()).getLastError();
    }

    public static String strerror(int errno) {
        return libc().strerror(Math.abs(errno)).toLowerCase(java.util.Locale.ROOT);
    }
}
