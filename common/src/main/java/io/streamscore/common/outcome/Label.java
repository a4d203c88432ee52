package io.streamscore.common.outcome;

import java.util.Locale;
import java.util.Objects;

/**
 * One label as read from the labels topic: the true class of an event the scorer scored, named by its event id.
 *
 * @param eventId the {@code eventId} of the feature event it labels; never empty
 * @param value   0 or 1
 */
public record Label(String eventId, int value) {
    /** How error messages describe what a label value may be. */
    public static final String GRAMMAR = "0/1, true/false or 0.0/1.0";

    public Label {
        if (eventId == null || eventId.isEmpty()) {
            throw new IllegalArgumentException("eventId must be a non-empty string");
        }
        if (value != 0 && value != 1) {
            throw new IllegalArgumentException("label is " + value + "; must be 0 or 1");
        }
    }

    /**
     * The label grammar the trainer reads too: 0, 1, 0.0, 1.0, true or false, in any letter case. A JSON number,
     * boolean or string is read by its text, so {@code 1}, {@code 1.0}, {@code true} and {@code "1"} are all 1.
     *
     * @return 0 or 1; -1 when {@code text} is not a label
     */
    public static int parseValue(String text) {
        Objects.requireNonNull(text, "text");
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "0", "0.0", "false" -> 0;
            case "1", "1.0", "true" -> 1;
            default -> -1;
        };
    }
}
