package dev.xdperf.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.xdperf.stats.RunReport;
import dev.xdperf.tx.TxCounters;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The final report of each kind of run, as the client prints it: which direction, and both in a bidirectional run. */
class RunResultTest {
    static RunReport sent(String dev, long packets) {
        return new RunReport(dev, List.of(0), 64, 0, 1.0, new TxCounters(packets, packets * 64, packets, 0, 0, 1_000_000_000L),
                new dev.xdperf.net.DeviceCounters(packets, 0, 0, 0, packets, 0, 1_000_000_000L),
                null, null, null, false, null, List.of(), Map.of(0, packets), Map.of(0, "udp"));
    }

    @Test
    void aForwardRunIsItsReportWithItsDirection() {
        RunReport fwd = sent("c0", 1000);
        RunResult r = new RunResult(fwd, null, null, 0, 0);
        ObjectNode expected = fwd.toJson();
        expected.put("direction", "forward");
        assertEquals(expected, r.toJson());
        assertEquals(fwd.toText(), r.toText());
        assertFalse(r.sentNothing());
    }

    @Test
    void aReverseRunSaysTheServerSent() {
        RunReport rev = sent("s0", 0);
        RunResult r = new RunResult(null, rev, null, 0, 0);
        assertEquals("reverse", r.toJson().path("direction").asText());
        assertEquals(rev.toJson().path("sent_packets"), r.toJson().path("sent_packets"));
        assertEquals("reverse (the server sends):" + System.lineSeparator() + rev.toText(), r.toText());
        assertTrue(r.sentNothing(), "a direction that ran and sent nothing");
    }

    @Test
    void aBidirectionalRunReportsEachDirectionOnItsOwn() {
        RunReport fwd = sent("c0", 1000);
        RunReport rev = sent("s0", 2000);
        RunResult r = new RunResult(fwd, rev, null, 0, 0);
        ObjectNode n = r.toJson();
        assertEquals(List.of("direction", "forward", "reverse"), List.copyOf(iterable(n)));
        assertEquals("bidir", n.path("direction").asText());
        assertEquals(fwd.toJson(), n.get("forward"));
        assertEquals(rev.toJson(), n.get("reverse"));
        String nl = System.lineSeparator();
        assertEquals("forward (this end sends):" + nl + fwd.toText() + "reverse (the server sends):" + nl + rev.toText(), r.toText());
    }

    private static List<String> iterable(ObjectNode n) {
        List<String> names = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
