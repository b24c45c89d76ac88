package dev.xdperf.template;

import dev.xdperf.abi.TemplateSet;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A template set turned into xdp_tx's map values: one struct xdperf_template per template,
 * the weighted cycle, the shared list values, and the frame that seeds the live-frame pages.
 */
public record CompiledSet(TemplateSet set, List<ByteBuffer> templates, Schedule schedule, long[] lists,
                          byte[] seedFrame, boolean copy) {
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
