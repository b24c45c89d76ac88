package dev.xdperf.features;

import dev.xdperf.bpf.BpfStats;
import dev.xdperf.bpf.ProgramInfo;
import dev.xdperf.bpf.XdpMode;
import dev.xdperf.net.Interfaces;
import dev.xdperf.rx.Verdict;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One features run on an interface: attach a receiver (xdp_features, or the AF_PACKET
 * baseline), move records to the writer until the duration is over or a stop is asked for,
 * export flows periodically, then detach, drain what is left, and report completeness.
 * Receive-only: no control channel, any traffic on the interface is observed.
 */
public final class FeatureRun {
    private final Builder spec;

    private FeatureRun(Builder spec) {
        this.spec = spec;
    }

    public static Builder builder(String ifname, FeatureTier tier) {
        return new Builder(ifname, tier);
    }

    public static final class Builder {
        private final String ifname;
        private final FeatureTier tier;
        private String out;
        private FeatureFormat format;
        private boolean afPacket;
        private Verdict verdict = Verdict.DROP;
        private XdpMode mode = XdpMode.NATIVE;
        private Duration duration;
        private Duration exportInterval = Duration.ofSeconds(10);
        private long ringBytes = XdpFeatureReceiver.DEFAULT_RING_BYTES;
        private int maxFlows = XdpFeatureReceiver.DEFAULT_MAX_FLOWS;
        private boolean attachPass = true;
        private Consumer<String> log = s -> { };

        private Builder(String ifname, FeatureTier tier) {
            this.ifname = Objects.requireNonNull(ifname);
            this.tier = Objects.requireNonNull(tier);
        }

        public Builder out(String o) {
            this.out = o;
            return this;
        }

        public Builder format(FeatureFormat f) {
            this.format = f;
            return this;
        }

        public Builder afPacket(boolean b) {
            this.afPacket = b;
            return this;
        }

        public Builder verdict(Verdict v) {
            this.verdict = v;
            return this;
        }

        public Builder xdpMode(XdpMode m) {
            this.mode = m;
            return this;
        }

        /** Null: until {@link FeatureRun#run} is told to stop. */
        public Builder duration(Duration d) {
            this.duration = d;
            return this;
        }

        public Builder exportInterval(Duration d) {
            this.exportInterval = d;
            return this;
        }

        /** Ring size: per CPU for XDP, the whole TPACKET_V3 ring for AF_PACKET. */
        public Builder ringBytes(long b) {
            this.ringBytes = b;
            return this;
        }

        public Builder maxFlows(int n) {
            this.maxFlows = n;
            return this;
        }

        /** AF_PACKET only: attach xdp_pass on the interface (veth needs it to deliver XDP_TX frames). */
        public Builder attachPass(boolean b) {
            this.attachPass = b;
            return this;
        }

        /** Where the ready line and the once-a-second live lines go. */
        public Builder log(Consumer<String> l) {
            this.log = Objects.requireNonNull(l);
            return this;
        }

        public FeatureRun build() {
            Interfaces.requireExists(ifname);
            if (format == null) {
                format = out == null ? (tier.perPacket() ? FeatureFormat.CSV : FeatureFormat.IPFIX) : FeatureFormat.forOutput(out);
            }
            if (out == null) {
                out = "xdperf-features." + format.extension;
            }
            if (exportInterval.isNegative() || exportInterval.isZero()) {
                throw new IllegalArgumentException("--features-interval must be positive");
            }
            if (maxFlows < 1) {
                throw new IllegalArgumentException("--features-max-flows must be positive");
            }
            if (!afPacket && (ringBytes < 4096 || Long.bitCount(ringBytes) != 1)) {
                throw new IllegalArgumentException("--features-ring " + ringBytes + " is not a power of two of at least 4 KiB");
            }
            if (afPacket && ringBytes < (2L << 20)) {
                throw new IllegalArgumentException("--features-ring " + ringBytes + " is below the 2 MiB the AF_PACKET ring needs");
            }
            return new FeatureRun(this);
        }
    }

    public String out() {
        return spec.out;
    }

    public FeatureFormat format() {
        return spec.format;
    }

    /** Runs until the duration ends or {@code stop} says so; returns the report. */
    public FeatureReport run(BooleanSupplier stop) throws IOException {
        Builder s = spec;
        String receiverName = s.afPacket ? "af_packet" : "xdp";
        FeatureMetadata meta = new FeatureMetadata(receiverName, s.ifname, s.tier, XdpFeatureReceiver.realtimeNanos());
        BpfStats stats = null;
        try {
            stats = BpfStats.enableRunTime();
        } catch (RuntimeException e) {
            // no run-time statistics on this kernel: the report shows zero BPF time
        }
        try (FeatureWriter writer = FeatureWriters.open(s.format, s.out, meta)) {
            Map<String, Long> devBefore = DriverCounters.read(s.ifname);
            CpuTimes cpuBefore = CpuTimes.now();
            FeatureReceiver receiver = s.afPacket
                    ? AfPacketFeatureReceiver.start(s.ifname, s.tier, s.mode, s.attachPass, s.ringBytes)
                    : XdpFeatureReceiver.start(s.ifname, s.tier, s.verdict, s.mode, s.ringBytes, s.maxFlows);
            try {
                s.log.accept("xdperf server: features " + s.tier + " on " + s.ifname + " with " + receiverName + " to "
                        + s.out + " (" + s.format.extension + ")"
                        + (s.duration == null ? ", until interrupted" : String.format(", for %.1f s", s.duration.toNanos() / 1e9)));
                long start = System.nanoTime();
                long end = s.duration == null ? Long.MAX_VALUE : start + s.duration.toNanos();
                long nextExport = start + s.exportInterval.toNanos();
                long nextLive = start + 1_000_000_000L;
                long lastSeen = 0;
                while (!stop.getAsBoolean() && System.nanoTime() < end) {
                    receiver.poll(writer, 50);
                    long now = System.nanoTime();
                    if (now >= nextExport) {
                        if (!s.tier.perPacket()) {
                            receiver.exportFlows(writer);
                        }
                        writer.flush();
                        nextExport = now + s.exportInterval.toNanos();
                    }
                    if (now >= nextLive) {
                        long seen = receiver.packetsSeen();
                        s.log.accept(String.format("[%6.1fs] seen %,d packets (%,d/s), records %,d",
                                (now - start) / 1e9, seen, seen - lastSeen, writer.written()));
                        lastSeen = seen;
                        nextLive += 1_000_000_000L;
                    }
                }
                receiver.detach();
                // Drain: for AF_PACKET blocks retire after their timeout; for XDP whatever the rings still hold.
                long drainUntil = System.nanoTime() + 200_000_000L;
                int quiet = 0;
                while (quiet < 3 || System.nanoTime() < drainUntil) {
                    quiet = receiver.poll(writer, 20) == 0 ? quiet + 1 : 0;
                    if (System.nanoTime() > drainUntil + 2_000_000_000L) {
                        break;
                    }
                }
                if (!s.tier.perPacket()) {
                    receiver.exportFlows(writer);
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                CpuTimes cpu = CpuTimes.now().minus(cpuBefore);
                Map<String, ProgramInfo> programs = new LinkedHashMap<>(receiver.programs());
                Map<String, Long> completeness = receiver.completeness(writer);
                Map<String, Long> device = DriverCounters.minus(DriverCounters.read(s.ifname), devBefore);
                writer.finish(completeness);
                return new FeatureReport(receiverName, s.ifname, s.tier, s.format, s.out, seconds, completeness, device,
                        cpu, programs, FeatureReport.warnings(s.tier, completeness, device, receiverName));
            } finally {
                receiver.close();
            }
        } finally {
            if (stats != null) {
                stats.close();
            }
        }
    }
}
