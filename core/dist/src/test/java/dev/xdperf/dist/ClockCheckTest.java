package dev.xdperf.dist;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ClockCheckTest {
    /** `chronyc -n tracking` of chrony 4.3 on a synchronised host. */
    static final String CHRONY = """
            Reference ID    : C0A80001 (192.168.0.1)
            Stratum         : 3
            Ref time (UTC)  : Fri Jan 31 11:58:41 2025
            System time     : 0.000012345 seconds slow of NTP time
            Last offset     : -0.000004120 seconds
            RMS offset      : 0.000021930 seconds
            Frequency       : 7.385 ppm fast
            Residual freq   : -0.001 ppm
            Skew            : 0.043 ppm
            Root delay      : 0.011290 seconds
            Root dispersion : 0.000612 seconds
            Update interval : 64.5 seconds
            Leap status     : Normal
            """;

    /** `pmc -u -b 0 'GET TIME_STATUS_NP'` of linuxptp 4. */
    static final String PMC = """
            sending: GET TIME_STATUS_NP
            \t3cecef.fffe.0b2a60-0 seq 0 RESPONSE MANAGEMENT TIME_STATUS_NP
            \t\tmaster_offset              -23
            \t\tingress_time               1738324721123456789
            \t\tcumulativeScaledRateOffset +0.000000000
            \t\tscaledLastGmPhaseChange    0
            \t\tgmTimeBaseIndicator        0
            \t\tlastGmPhaseChange          0x0000'0000000000000000.0000
            \t\tgmPresent                  true
            \t\tgmIdentity                 3cecef.fffe.0b2a61
            """;

    @Test
    void chronysSystemTimeIsTheOffset() {
        ClockCheck.Offset o = ClockCheck.parseChrony(CHRONY);
        assertEquals("chrony", o.source());
        assertEquals(-12_345L, o.offsetNs(), "slow: behind NTP time");
        assertEquals(1_500_000L, ClockCheck.parseChrony(CHRONY.replace("0.000012345 seconds slow", "0.001500000 seconds fast")).offsetNs());
        assertFalse(ClockCheck.parseChrony(CHRONY.replace("Leap status     : Normal", "Leap status     : Not synchronised")).known());
        assertFalse(ClockCheck.parseChrony("506 Cannot talk to daemon\n").known());
    }

    @Test
    void ptpsMasterOffsetIsTheOffset() {
        ClockCheck.Offset o = ClockCheck.parsePmc(PMC);
        assertEquals("ptp", o.source());
        assertEquals(-23L, o.offsetNs());
        assertFalse(ClockCheck.parsePmc(PMC.replace("gmPresent                  true", "gmPresent                  false")).known());
        assertFalse(ClockCheck.parsePmc("sending: GET TIME_STATUS_NP\n").known());
    }

    @Test
    void anOffsetBeyondTheToleranceOrUnknownIsRefusedInOneSentence() {
        Duration ms = Duration.ofMillis(1);
        assertDoesNotThrow(() -> ClockCheck.require(ClockCheck.parseChrony(CHRONY), ms, false));
        IllegalStateException far = assertThrows(IllegalStateException.class, () -> ClockCheck.require(
                ClockCheck.parseChrony(CHRONY.replace("0.000012345 seconds slow", "0.004000000 seconds fast")), ms, false));
        assertEquals("check the clock: it is +4.000 ms off (chrony), beyond the 1.000 ms allowed"
                + " (wait for chrony to converge, or raise --max-clock-offset)", far.getMessage());
        ClockCheck.Offset unknown = ClockCheck.Offset.unknown("neither chronyc tracking nor pmc (linuxptp) reported an offset");
        IllegalStateException u = assertThrows(IllegalStateException.class, () -> ClockCheck.require(unknown, ms, false));
        assertEquals("check the clock: its offset is unknown, neither chronyc tracking nor pmc (linuxptp) reported an offset"
                + " (run chrony or linuxptp, or give --allow-unknown-clock)", u.getMessage());
        assertDoesNotThrow(() -> ClockCheck.require(unknown, ms, true));
    }

    @Test
    void startTimesAreRfc3339OrEpochSeconds() {
        assertEquals(Instant.parse("2025-01-31T12:00:00Z"), StartTime.parse("2025-01-31T12:00:00Z"));
        assertEquals(Instant.parse("2025-01-31T12:00:00.250Z"), StartTime.parse("2025-01-31T13:00:00.250+01:00"));
        assertEquals(Instant.ofEpochSecond(1738324800), StartTime.parse("1738324800"));
        assertEquals(Instant.ofEpochSecond(1738324800, 250_000_000), StartTime.parse("1738324800.25"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StartTime.parse("tomorrow"));
        assertEquals("--start-at 'tomorrow' is not a time (give RFC 3339 with an offset, e.g. 2025-01-31T12:00:00Z,"
                + " or seconds since the epoch)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> StartTime.parse("2025-01-31T12:00:00"), "no offset: ambiguous");
    }
}
