package dev.xdperf.bpf.internal;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;

/** The few libc calls the engine needs: thread placement, interface lookup, identity. */
public interface LibC {
    @SaveError
    int sched_setaffinity(int pid, long cpusetsize, Pointer mask);

    int sched_getcpu();

    int if_nametoindex(String name);

    int geteuid();

    int close(int fd);

    String strerror(int errnum);
}
