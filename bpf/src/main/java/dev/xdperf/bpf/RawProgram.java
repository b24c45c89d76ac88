package dev.xdperf.bpf;

import dev.xdperf.bpf.internal.Native;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;

/**
 * A program loaded from raw instructions, without an ELF object (bpf_prog_load): for testing
 * instruction semantics against the kernel. Calls between functions are encoded in the
 * instructions themselves (src_reg 1, relative imm); maps are not supported.
 */
public final class RawProgram implements AutoCloseable {
    public static final int TYPE_XDP = 6;
    /** sizeof(struct bpf_prog_load_opts) in libbpf 1.1. */
    private static final int OPTS_SIZE = 104;
    private static final int LOG_SIZE = 1 << 20;

    private final BpfProgram program;
    private boolean closed;

    private RawProgram(BpfProgram program) {
        this.program = program;
    }

    /** Loads an XDP program; a verifier rejection throws with the end of the verifier's log. */
    public static RawProgram loadXdp(String name, long[] insns) {
        return loadXdp(name, insns, 0);
    }

    /** BPF_XDP: what libbpf gives programs in section "xdp"; a tail call needs caller and callee to agree on it. */
    public static final int ATTACH_XDP = 37;

    /** As {@link #loadXdp(String, long[])} with an expected attach type (0, or {@link #ATTACH_XDP}). */
    public static RawProgram loadXdp(String name, long[] insns, int expectedAttachType) {
        jnr.ffi.Runtime rt = Native.runtime();
        Pointer code = Memory.allocateDirect(rt, Math.max(8, insns.length * 8));
        for (int i = 0; i < insns.length; i++) {
            code.putLong(8L * i, insns[i]);
        }
        Pointer log = Memory.allocateDirect(rt, LOG_SIZE);
        log.putByte(0, (byte) 0);
        Pointer opts = Memory.allocateDirect(rt, OPTS_SIZE);
        for (int i = 0; i < OPTS_SIZE; i += 8) {
            opts.putLong(i, 0);
        }
        opts.putLong(0, OPTS_SIZE);
        opts.putInt(12, expectedAttachType);
        opts.putInt(88, 1);            // log_level
        opts.putInt(92, LOG_SIZE);     // log_size
        opts.putAddress(96, log.address());
        int fd = Native.bpf().bpf_prog_load(TYPE_XDP, name.length() > 15 ? name.substring(0, 15) : name, "GPL", code,
                insns.length, opts);
        if (fd < 0) {
            String text = log.getString(0, LOG_SIZE, StandardCharsets.UTF_8).strip();
            String[] lines = text.split("\n");
            String tail = String.join("\n", java.util.Arrays.copyOfRange(lines, Math.max(0, lines.length - 12), lines.length));
            BpfException e = BpfException.fromErrno("load program " + name, -fd);
            throw new BpfException(e.getMessage() + (tail.isEmpty() ? "" : "\n" + tail), e.errno());
        }
        return new RawProgram(new BpfProgram(name, fd));
    }

    public BpfProgram program() {
        return program;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Native.libc().close(program.fd());
        }
    }
}
