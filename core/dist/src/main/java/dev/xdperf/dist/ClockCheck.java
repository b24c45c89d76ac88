package dev.xdperf.dist;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How far this host's clock is from the time its synchronisation daemon follows: chrony's
 * "System time" (the offset of the system clock from NTP time, which chronyd is slewing
 * away), else linuxptp's master offset (the PTP hardware clock against its master; the system
 * clock follows it through phc2sys). Neither available: unknown.
 */
public final class ClockCheck {
    private static final Pattern CHRONY = Pattern.compile(
            "(?m)^System time\\s*:\\s*([0-9.]+)\\s+seconds\\s+(fast|slow)\\s+of\\s+NTP\\s+time");
    private static final Pattern CHRONY_UNSYNC = Pattern.compile("(?m)^Leap status\\s*:\\s*Not synchronised");
    private static final Pattern PMC = Pattern.compile("(?m)^\\s*master_offset\\s+(-?\\d+)");
    private static final Pattern PMC_GM = Pattern.compile("(?m)^\\s*gmPresent\\s+(true|false)");

    private ClockCheck() {}

    /**
     * The clock's offset: positive when this host is ahead. {@code offsetNs} is null when unknown;
     * {@code detail} says why, or what was read.
     */
    public record Offset(String source, Long offsetNs, String detail) {
        public static Offset unknown(String why) {
            return new Offset("unknown", null, why);
        }

        public boolean known() {
            return offsetNs != null;
        }

        public String describe() {
            return known() ? String.format(Locale.ROOT, "%+.3f ms (%s)", offsetNs / 1e6, source) : "unknown (" + detail + ")";
        }
    }

    /** Asks chrony, then PTP; each at most a few seconds. */
    public static Offset measure() {
        Optional<String> chrony = run(List.of("chronyc", "-n", "tracking"));
        if (chrony.isPresent()) {
            Offset o = parseChrony(chrony.get());
            if (o.known()) {
                return o;
            }
        }
        Optional<String> pmc = run(List.of("pmc", "-u", "-b", "0", "GET TIME_STATUS_NP"));
        if (pmc.isPresent()) {
            Offset o = parsePmc(pmc.get());
            if (o.known()) {
                return o;
            }
        }
        return Offset.unknown("neither chronyc tracking nor pmc (linuxptp) reported an offset");
    }

    /** Parses `chronyc tracking`: "System time : 0.000001234 seconds fast of NTP time". */
    public static Offset parseChrony(String text) {
        if (CHRONY_UNSYNC.matcher(text).find()) {
            return Offset.unknown("chrony is not synchronised");
        }
        Matcher m = CHRONY.matcher(text);
        if (!m.find()) {
            return Offset.unknown("chronyc tracking printed no System time line");
        }
        long ns = new java.math.BigDecimal(m.group(1)).movePointRight(9).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
        return new Offset("chrony", m.group(2).equals("fast") ? ns : -ns, "System time " + m.group(1) + " s " + m.group(2));
    }

    /** Parses `pmc -u -b 0 'GET TIME_STATUS_NP'`: "master_offset -23" (ns), with a grandmaster present. */
    public static Offset parsePmc(String text) {
        Matcher gm = PMC_GM.matcher(text);
        if (gm.find() && gm.group(1).equals("false")) {
            return Offset.unknown("ptp4l sees no grandmaster");
        }
        Matcher m = PMC.matcher(text);
        if (!m.find()) {
            return Offset.unknown("pmc printed no master_offset");
        }
        return new Offset("ptp", Long.parseLong(m.group(1)), "PTP master_offset " + m.group(1) + " ns");
    }

    /** The command's output when it exists, ran and exited 0 within 3 s. */
    private static Optional<String> run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            // The output is a few hundred bytes: it fits the pipe, so waiting before reading cannot block.
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return Optional.empty();
            }
            byte[] out = p.getInputStream().readAllBytes();
            return p.exitValue() == 0 ? Optional.of(new String(out, StandardCharsets.UTF_8)) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Refuses (one sentence) when the offset is beyond {@code max}, or unknown and that is not allowed. */
    public static void require(Offset o, Duration max, boolean allowUnknown) {
        if (!o.known()) {
            if (!allowUnknown) {
                throw new IllegalStateException("check the clock: its offset is unknown, " + o.detail()
                        + " (run chrony or linuxptp, or give --allow-unknown-clock)");
            }
            return;
        }
        if (Math.abs(o.offsetNs()) > max.toNanos()) {
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "check the clock: it is %+.3f ms off (%s), beyond the %.3f ms allowed (wait for %s to converge, or raise --max-clock-offset)",
                    o.offsetNs() / 1e6, o.source(), max.toNanos() / 1e6, o.source()));
        }
    }
}
