package dev.xdperf.registry.server;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** When a publish token stops working, as an administrator writes it: a duration from now, a date or an instant. */
public final class TokenExpiry {
    private static final Pattern DURATION = Pattern.compile("([0-9]{1,6})([smhdw])");

    private TokenExpiry() {}

    /**
     * The instant {@code text} means: a duration from {@code now} (NUMBER and s, m, h, d or w), a
     * date (00:00 UTC that day) or an instant; it must lie after {@code now}. {@code what} names
     * the value in the message when it is refused.
     */
    public static Instant parse(String text, Instant now, String what) {
        String t = text.strip();
        Instant at;
        Matcher m = DURATION.matcher(t);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            at = now.plus(switch (m.group(2)) {
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            });
        } else {
            try {
                at = t.length() == 10 ? LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant() : OffsetDateTime.parse(t).toInstant();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(what + " '" + text + "' is neither a duration (90d, 12h, 30m, 2w) nor a date"
                        + " (2027-01-31) or instant (2027-01-31T12:00:00Z)");
            }
        }
        if (!at.isAfter(now)) {
            throw new IllegalArgumentException(what + " '" + text + "' is " + at + ", which is not in the future");
        }
        return at;
    }
}
