package dev.xdperf.template;

import dev.xdperf.abi.TemplateSet;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A template set turned into xdp_tx's map values: one struct xdperf_template per template,
 * the weighted cycle, the shared list values, the frame that seeds the live-frame pages, and
 * what xdp_tx copies into a frame before writing it (plan.copy: 0, Structs.COPY_ALL, or
 * Structs.COPY_RANGE with {@code copyWords} 8-byte words from {@code copyFrom}).
 */
public record CompiledSet(TemplateSet set, List<ByteBuffer> templates, Schedule schedule, long[] lists,
                          byte[] seedFrame, int copy, int copyFrom, int copyWords) {
    public CompiledSet {
        templates = List.copyOf(templates);
        lists = lists.clone();
        seedFrame = seedFrame.clone();
    }

    @Override
    public byte[] seedFrame() {
        return seedFrame.clone();
    }

    @Override
    public long[] lists() {
        return lists.clone();
    }

    /** Largest frame of the set. */
    public int maxLength() {
        return seedFrame.length;
    }
}
