package io.streamscore.scorer.settings;

import io.streamscore.common.outcome.DurationText;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Validators for {@link Setting}s whose {@code toString()} says in words what a value may be ("an integer from 0 to
 * 65535", "latest or event-time"): the same words end the refusal of a bad value, and fill the help and the docs.
 * Kafka's own ({@link ConfigDef.Range}: {@code [1,...]}) are written for Kafka's docs, not for an error line.
 */
public final class Validators {
    /** What Kafka accepts as a topic name. */
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    private Validators() {
    }

    /** A validator from a test on the parsed value and its description. */
    public static ConfigDef.Validator of(String description, Predicate<Object> valid) {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                boolean ok;
                try {
                    ok = valid.test(value);
                } catch (RuntimeException e) {
                    ok = false;
                }
                if (!ok) {
                    throw new ConfigException(name, value, "must be " + description);
                }
            }

            @Override
            public String toString() {
                return description;
            }
        };
    }

    /** An integer at or above {@code min}; {@code note} (may be empty) says what a special value means. */
    public static ConfigDef.Validator atLeast(long min, String note) {
        return of("an integer >= " + min + suffix(note), v -> ((Number) v).longValue() >= min);
    }

    /** An integer from {@code min} to {@code max}, both included. */
    public static ConfigDef.Validator between(long min, long max, String note) {
        return of("an integer from " + min + " to " + max + suffix(note),
                v -> ((Number) v).longValue() >= min && ((Number) v).longValue() <= max);
    }

    /** One of {@code choices}, ignoring case and surrounding blanks. */
    public static ConfigDef.Validator oneOf(String... choices) {
        List<String> allowed = Arrays.asList(choices);
        return of(String.join(" or ", allowed),
                v -> allowed.contains(((String) v).trim().toLowerCase(Locale.ROOT)));
    }

    /** Non-blank text; null passes (a setting without default that is required elsewhere, with a hint). */
    public static ConfigDef.Validator nonBlank(String description) {
        return of(description, v -> v == null || !((String) v).isBlank());
    }

    /** A Kafka topic name. */
    public static ConfigDef.Validator topic() {
        return of("a topic name (1 to 249 of A-Z a-z 0-9 . _ -)", v -> isTopic((String) v));
    }

    /** Empty (the feature is off), or a Kafka topic name. */
    public static ConfigDef.Validator optionalTopic() {
        return of("empty (off) or a topic name (1 to 249 of A-Z a-z 0-9 . _ -)",
                v -> ((String) v).isBlank() || isTopic((String) v));
    }

    private static boolean isTopic(String t) {
        String s = t.trim();
        return TOPIC.matcher(s).matches() && !s.equals(".") && !s.equals("..");
    }

    /** Empty (none), or text matching {@code pattern}, described by {@code description}. */
    public static ConfigDef.Validator optionalMatching(Pattern pattern, String description) {
        return of(description, v -> ((String) v).isBlank() || pattern.matcher(((String) v).trim()).matches());
    }

    /** A duration ({@link DurationText}: a whole number and a unit) of at least {@code min}. */
    public static ConfigDef.Validator duration(Duration min) {
        return of("a duration" + atLeastText(min) + ": a whole number and a unit, ms, s, m, h or d (e.g. 15m, 1h, 7d)",
                v -> DurationText.parse((String) v).compareTo(min) >= 0);
    }

    /** A comma-separated list of at least one duration, each of at least {@code min}; blank entries are skipped. */
    public static ConfigDef.Validator durations(Duration min) {
        return of("one or more durations" + atLeastText(min) + ", comma-separated: each a whole number and a unit, "
                + "ms, s, m, h or d (e.g. 1h,24h)", v -> {
                    @SuppressWarnings("unchecked")
                    List<String> items = ((List<String>) v).stream().filter(s -> !s.isBlank()).toList();
                    return !items.isEmpty() && items.stream().allMatch(s -> DurationText.parse(s).compareTo(min) >= 0);
                });
    }

    /** Empty (the feature is off), or a comma-separated list of durations, each of at least {@code min}. */
    public static ConfigDef.Validator optionalDurations(Duration min) {
        return of("empty (off) or durations" + atLeastText(min) + ", comma-separated: each a whole number and a unit, "
                + "ms, s, m, h or d (e.g. 1h,24h)", v -> {
                    @SuppressWarnings("unchecked")
                    List<String> items = ((List<String>) v).stream().filter(s -> !s.isBlank()).toList();
                    return items.stream().allMatch(s -> DurationText.parse(s).compareTo(min) >= 0);
                });
    }

    /** A finite number above zero. */
    public static ConfigDef.Validator positiveNumber(String example) {
        return of("a positive number" + suffix(example == null || example.isEmpty() ? "" : "e.g. " + example),
                v -> Double.isFinite(((Number) v).doubleValue()) && ((Number) v).doubleValue() > 0);
    }

    private static String atLeastText(Duration min) {
        return min.isZero() ? "" : " of at least " + DurationText.format(min);
    }

    private static String suffix(String note) {
        return note == null || note.isEmpty() ? "" : " (" + note + ")";
    }
}
