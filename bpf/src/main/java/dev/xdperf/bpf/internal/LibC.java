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

    /** The mapped address, or -1 (MAP_FAILED) with errno. */
    @SaveError
    long mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

    int munmap(Pointer addr, long length);

    int getpagesize();

    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int setsockopt(int fd, int level, int name, Pointer value, int length);

    @SaveError
    int getsockopt(int fd, int level, int name, Pointer value, Pointer length);

    @SaveError
    int bind(int fd, Pointer address, int length);

    /** {@code fds} is an array of struct pollfd (int fd; short events; short revents). */
    @SaveError
    int poll(Pointer fds, long nfds, int timeoutMs);

    @SaveError
    int mount(String source, String target, String fstype, long flags, Pointer data);

    @SaveError
    int umount2(String target, int flags);
}
