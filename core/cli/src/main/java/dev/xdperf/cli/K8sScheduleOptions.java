package dev.xdperf.cli;

import dev.xdperf.dist.StartTime;
import dev.xdperf.k8s.Manifests;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How much the whole run sends, for how long, and from when (`k8s render`). */
final class K8sScheduleOptions {
    @Option(names = "--pps", paramLabel = "RATE", converter = Converters.Rate.class, description = "Rate of the whole run (default: flat out).")
    Long pps;

    @Option(names = {"-n", "--count"}, paramLabel = "N", converter = Converters.Count.class, description = "Packets of the whole run.")
    Long count;

    @Option(names = {"-t", "--duration"}, required = true, paramLabel = "TIME", converter = Converters.Time.class,
            description = "How long the agents send.")
    Duration duration;

    @Option(names = "--start-margin", paramLabel = "TIME", converter = Converters.Time.class,
            description = "Start this long after now, time to schedule pods and pull images (default 60s).")
    Duration startMargin = Duration.ofSeconds(60);

    @Option(names = "--start-at", paramLabel = "TIME", description = "An exact start time instead (RFC 3339 or epoch seconds).")
    String startAt;

    void applyTo(Manifests.Options o) {
        o.pps = pps == null ? null : Long.toString(pps);
        o.count = count == null ? null : Long.toString(count);
        o.duration = duration;
        o.startMargin = startMargin;
        o.startAt = startAt == null ? null : StartTime.parse(startAt);
    }
}
