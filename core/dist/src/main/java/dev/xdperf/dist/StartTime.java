package dev.xdperf.dist;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** The wall-clock start of a run: RFC 3339 / ISO-8601 with an offset, or seconds since the epoch. */
public final class StartTime {
    private StartTime() {}

    /** "2025-01-31T12:00:00Z", "2025-01-31T13:00:00.250+01:00", "1738324800", "1738324800.25". */
    public static Instant parse(String text) {
        String t = text.trim();
        if (t.matches("\\d+(\\.\\d{1,9})?")) {
            BigDecimal s = new BigDecimal(t);
            return Instant.ofEpochSecond(s.longValue(), s.remainder(BigDecimal.ONE).movePointRight(9).longValue());
        }
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return Instant.parse(t);
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException("--start-at '" + text + "' is not a time (give RFC 3339 with an offset,"
                        + " e.g. 2025-01-31T12:00:00Z, or seconds since the epoch)");
            }
        }
    }

    /** RFC 3339 in UTC, to the millisecond when there are any. */
    public static String format(Instant t) {
        return t.truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString();
    }
}
