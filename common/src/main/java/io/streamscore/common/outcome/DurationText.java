package io.streamscore.common.outcome;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as people write them on a command line and as the quality records name their windows: a whole number and
 * one unit, {@code ms}, {@code s}, {@code m}, {@code h} or {@code d} ({@code 500ms}, {@code 90s}, {@code 15m},
 * {@code 1h}, {@code 7d}). {@link #format} writes the largest unit that divides the duration exactly, so
 * {@code 60m} is written {@code 1h} and every duration has one name.
 */
public final class DurationText {
    private static final Pattern FORM = Pattern.compile("([0-9]{1,12})\\s*(ms|s|m|h|d)");

    private DurationText() {
    }

    /**
     * @throws IllegalArgumentException for anything else (no unit, a fraction, a negative number)
     */
    public static Duration parse(String text) {
        Matcher m = FORM.matcher(text == null ? "" : text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration: write a whole number and a unit, "
                    + "ms, s, m, h or d (e.g. 15m, 1h, 7d)");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** The duration in the largest unit that divides it exactly: {@code 1h}, {@code 90s}, {@code 1500ms}. */
    public static String format(Duration d) {
        long ms = d.toMillis();
        if (ms != 0) {
            if (ms % 86_400_000L == 0) {
                return ms / 86_400_000L + "d";
            }
            if (ms % 3_600_000L == 0) {
                return ms / 3_600_000L + "h";
            }
            if (ms % 60_000L == 0) {
                return ms / 60_000L + "m";
            }
            if (ms % 1000L == 0) {
                return ms / 1000L + "s";
            }
        }
        return ms + "ms";
    }
}
