package io.streamscore.trainer.data;

import java.util.Locale;

/**
 * How to read a CSV file beyond its columns: the field separator, what to do with missing values and which label value
 * is the positive class.
 *
 * @param delimiter     the field separator; null to take it from the header: a comma, unless the header has no comma
 *                      and exactly one of ';' or a tab
 * @param missing       what a missing value (an empty cell, NA, N/A, NaN, null, None) in a column that is read does
 * @param positiveLabel the label value that is class 1, every other value being class 0 (the column must then hold
 *                      exactly two values, compared ignoring case); null for the label grammar of {@link Labels}
 */
public record CsvOptions(Character delimiter, MissingValues missing, String positiveLabel) {
    /** Comma or detected separator, missing values refused, 0/1 labels. */
    public static final CsvOptions DEFAULT = new CsvOptions(null, MissingValues.ERROR, null);

    public CsvOptions {
        if (delimiter != null && (delimiter == '"' || delimiter == '\n' || delimiter == '\r')) {
            throw new IllegalArgumentException("the delimiter cannot be a quote or a line break");
        }
        if (missing == null) {
            missing = MissingValues.ERROR;
        }
        if (positiveLabel != null && positiveLabel.isBlank()) {
            throw new IllegalArgumentException("--positive-label needs a value");
        }
        positiveLabel = positiveLabel == null ? null : positiveLabel.strip();
    }

    /** What to do with a row that has a missing value in a column that is read (a feature or the label). */
    public enum MissingValues {
        /** Refuse the file, counting every row affected. */
        ERROR,
        /** Leave such rows out, and say how many per column. */
        DROP_ROWS;

        /** {@code error} or {@code drop-rows}, as the command line spells them. */
        public String cliName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /** Parses {@code error} / {@code drop-rows} in any letter case. */
        public static MissingValues parse(String text) {
            for (MissingValues m : values()) {
                if (m.cliName().equalsIgnoreCase(text.strip())) {
                    return m;
                }
            }
            throw new IllegalArgumentException("'" + text + "' is not a missing-value policy; use error or drop-rows");
        }
    }

    /**
     * A delimiter as the command line gives it: one character, or {@code tab} / {@code \t} for a tab.
     *
     * @throws IllegalArgumentException for anything else
     */
    public static char parseDelimiter(String text) {
        if (text.equalsIgnoreCase("tab") || text.equals("\\t") || text.equals("\t")) {
            return '\t';
        }
        if (text.equalsIgnoreCase("comma")) {
            return ',';
        }
        if (text.equalsIgnoreCase("semicolon")) {
            return ';';
        }
        if (text.length() != 1) {
            throw new IllegalArgumentException("'" + text + "' is not one character; give e.g. ';', '|' or tab");
        }
        return text.charAt(0);
    }

    /** A delimiter as messages show it. */
    public static String describe(char delimiter) {
        return delimiter == '\t' ? "tab" : "'" + delimiter + "'";
    }
}
