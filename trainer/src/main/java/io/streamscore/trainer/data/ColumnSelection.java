package io.streamscore.trainer.data;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which of the data's columns to train on: every column but the label (the default), only the named ones in the
 * given order ({@code --features}), or all but the named ones ({@code --exclude}, e.g. an ID column). Columns left out
 * are not parsed at all, so an excluded column may hold text.
 *
 * @param include the feature columns, in order; null for all
 * @param exclude columns to leave out; empty for none
 */
public record ColumnSelection(List<String> include, List<String> exclude) {
    public static final ColumnSelection ALL = new ColumnSelection(null, List.of());

    public ColumnSelection {
        include = include == null ? null : List.copyOf(include);
        exclude = exclude == null ? List.of() : List.copyOf(exclude);
        if (include != null && !exclude.isEmpty()) {
            throw new IllegalArgumentException("give --features or --exclude, not both");
        }
        if (include != null && include.isEmpty()) {
            throw new IllegalArgumentException("--features needs at least one column");
        }
        String dup = firstDuplicate(include == null ? exclude : include);
        if (dup != null) {
            throw new IllegalArgumentException("column '" + dup + "' is named twice");
        }
    }

    /** Exactly these columns, in this order. */
    public static ColumnSelection only(List<String> columns) {
        return new ColumnSelection(columns, List.of());
    }

    /** Every column but the label and these. */
    public static ColumnSelection allBut(List<String> columns) {
        return new ColumnSelection(null, columns);
    }

    /**
     * The chosen columns among {@code available} (the data's columns, label excluded), in training order.
     *
     * @param label the label column's name, refused as a feature; null when the source has no label column
     * @throws IllegalArgumentException naming the column that is not there (or is the label)
     */
    public List<String> resolve(List<String> available, String label) {
        List<String> named = include != null ? include : exclude;
        for (String column : named) {
            if (column.equals(label)) {
                throw new IllegalArgumentException("'" + column + "' is the label column, not a feature");
            }
            if (!available.contains(column)) {
                throw new IllegalArgumentException("no column '" + column + "' (--" + (include != null ? "features"
                        : "exclude") + "); the columns are " + shown(available));
            }
        }
        if (include != null) {
            return include;
        }
        List<String> chosen = new ArrayList<>(available);
        chosen.removeAll(exclude);
        if (chosen.isEmpty()) {
            throw new IllegalArgumentException("--exclude leaves no feature column");
        }
        return chosen;
    }

    /** A column list as one readable line even when it holds a million names. */
    static String shown(List<String> columns) {
        return columns.size() <= 20 ? columns.toString()
                : columns.size() + " columns: " + columns.subList(0, 10).toString().replace("]", ", ...]");
    }

    private static String firstDuplicate(List<String> names) {
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                return n;
            }
        }
        return null;
    }
}
