package dev.xdperf.stats;

import dev.xdperf.net.DeviceCounters;
import dev.xdperf.rx.RxSnapshot;
import dev.xdperf.tx.TxCounters;
import java.util.Map;

/** Where a run publishes what it knows every second (the web module's Prometheus endpoint). */
public interface MetricsSink {
    /** What the run knows now; any part may be null or empty. */
    record View(TxCounters tx, Map<Integer, Long> sentPerStream, RxSnapshot rx, Map<String, DeviceCounters> devices) {
        public static final View EMPTY = new View(null, Map.of(), null, Map.of());
    }

    void update(View v);
}
