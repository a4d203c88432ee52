package io.streamscore.trainer.data;

import java.util.Locale;

/**
 * The one label grammar of every trainer input, a CSV cell or a feature event's {@code label}: 0, 1, 0.0, 1.0, true
 * or false, in any letter case. A JSON number or boolean is read by its text (so {@code 1}, {@code 1.0} and
 * {@code true} are all 1), and so is a JSON string ({@code "1"}), as a CSV file turned into events would have it.
 */
public final class Labels {
    /** How error messages describe the grammar. */
    public static final String GRAMMAR = "0/1, true/false or 0.0/1.0";

    private Labels() {
    }

    /**
     * @return 0.0 or 1.0; NaN when {@code text} is not a label
     */
    public static double parse(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "0", "0.0", "false" -> 0.0;
            case "1", "1.0", "true" -> 1.0;
            default -> Double.NaN;
        };
    }
}
