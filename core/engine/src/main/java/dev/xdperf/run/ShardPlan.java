package dev.xdperf.run;

import dev.xdperf.template.FlowSlicer;
import dev.xdperf.template.Shard;
import java.util.List;

/**
 * What a shard sends of the full run: its stream ids [streamBase, streamBase + streamSpan),
 * its slice of every template's flows, and whether every frame carries the measurement
 * header (only those are counted per stream by a receiver's xdp_rx).
 */
public record ShardPlan(Shard shard, int streamBase, int streamSpan, List<FlowSlicer.Slice> slices, boolean measured,
                        List<String> warnings) {
    public ShardPlan {
        slices = List.copyOf(slices);
        warnings = List.copyOf(warnings);
    }
}
