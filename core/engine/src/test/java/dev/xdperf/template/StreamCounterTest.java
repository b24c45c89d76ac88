package dev.xdperf.template;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.xdperf.abi.AbiCodec;
import dev.xdperf.abi.AbiVersion;
import dev.xdperf.abi.FieldRule;
import dev.xdperf.abi.PacketTemplate;
import dev.xdperf.abi.TemplateSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Per-stream field rules: templates with the same stream id count one shared packet number,
 * so a plugin's query id runs 0, 1, 2, ... across its query types instead of repeating per
 * template. Checked against the weighted cycle, and through the ABI's bytes.
 */
class StreamCounterTest {
    private static PacketTemplate template(int stream, int weight, FieldRule.Scope scope) {
        return new PacketTemplate(new byte[64], stream, weight, 1, 0,
                List.of(FieldRule.increment(20, 2, scope, 0, 65535, 1)), List.of());
    }

    private static long id(byte[] f) {
        return ((f[20] & 0xff) << 8) | (f[21] & 0xff);
    }

    @Test
    void templatesOfOneStreamShareOneCounterAndOtherStreamsKeepTheirOwn() {
        // A (stream 7, weight 3), B (stream 9, weight 2), C (stream 7, weight 1): a cycle of 6
        TemplateSet set = new TemplateSet(AbiVersion.HOST, List.of(
                template(7, 3, FieldRule.Scope.STREAM), template(9, 2, FieldRule.Scope.STREAM), template(7, 1, FieldRule.Scope.STREAM)));
        set = AbiCodec.decodeSet(AbiCodec.encode(set));   // scope 2 survives the ABI's bytes
        FieldEngine engine = new FieldEngine(set, 0);
        long next7 = 0;
        long next9 = 0;
        for (long k = 0; k < 6 * 1000; k++) {
            int t = engine.templateOf(k);
            long want = engine.template(t).streamId() == 7 ? next7++ : next9++;
            assertEquals(want, id(engine.frame(k)), "packet " + k + " (template " + t + ")");
        }
        assertEquals(4000, next7);
        assertEquals(2000, next9);
    }

    @Test
    void perPacketRulesStillCountTheirTemplateOnly() {
        TemplateSet set = new TemplateSet(AbiVersion.HOST, List.of(
                template(7, 1, FieldRule.Scope.PACKET), template(7, 1, FieldRule.Scope.PACKET)));
        FieldEngine engine = new FieldEngine(set, 0);
        // A B A B ...: each template numbers its own packets, so the ids repeat across the two
        assertEquals(List.of(0L, 0L, 1L, 1L), List.of(id(engine.frame(0)), id(engine.frame(1)), id(engine.frame(2)), id(engine.frame(3))));
    }

    @Test
    void globalIndexInvertsLocate() {
        Schedule s = Schedule.of(List.of(3, 2, 1));
        for (long k = 0; k < 600; k++) {
            long[] tj = s.locate(k);
            assertEquals(k, s.globalIndex((int) tj[0], tj[1]));
        }
    }
}
