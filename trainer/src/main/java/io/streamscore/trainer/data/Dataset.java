package io.streamscore.trainer.data;

import java.util.List;
import java.util.SplittableRandom;

/**
 * A labelled data set held as one contiguous row-major array ({@code x[row * cols + col]}) and a label array, so a
 * training pass streams through memory with no per-row objects.
 */
public final class Dataset {
    private final List<String> featureNames;
    private final double[] x;
    private final double[] y;
    private final int rows;
    private final String source;

    /**
     * @param source where the data came from, for messages (a file name or "generated")
     */
    public Dataset(List<String> featureNames, double[] x, double[] y, String source) {
        if (featureNames.isEmpty()) {
            throw new IllegalArgumentException(source + ": no feature columns");
        }
        if (x.length != (long) y.length * featureNames.size()) {
            throw new IllegalArgumentException(source + ": " + x.length + " feature values do not fill " + y.length
                    + " rows of " + featureNames.size() + " features");
        }
        this.featureNames = List.copyOf(featureNames);
        this.x = x;
        this.y = y;
        this.rows = y.length;
        this.source = source;
    }

    public List<String> featureNames() {
        return featureNames;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return featureNames.size();
    }

    public String source() {
        return source;
    }

    /** The feature matrix, row-major. Shared, not copied: callers must not modify it. */
    public double[] features() {
        return x;
    }

    /** The 0/1 labels. Shared, not copied: callers must not modify it. */
    public double[] labels() {
        return y;
    }

    public double label(int row) {
        return y[row];
    }

    public double value(int row, int col) {
        return x[row * featureNames.size() + col];
    }

    /** One row's features, copied. */
    public double[] row(int row) {
        double[] r = new double[cols()];
        System.arraycopy(x, row * cols(), r, 0, r.length);
        return r;
    }

    public long positives() {
        long n = 0;
        for (double v : y) {
            if (v == 1.0) {
                n++;
            }
        }
        return n;
    }

    /**
     * The columns that hold a different whole number in every row, as an ID, a row number or a timestamp does (a
     * measured feature can be distinct in every row too, but rarely a whole number each time); only from
     * {@link #MIN_ROWS_FOR_IDENTIFIERS} rows on, where a genuine integer feature is unlikely to be all distinct.
     */
    public List<String> identifierLikeColumns() {
        List<String> found = new java.util.ArrayList<>();
        if (rows < MIN_ROWS_FOR_IDENTIFIERS) {
            return found;
        }
        int k = cols();
        double[] column = new double[rows];
        for (int j = 0; j < k; j++) {
            boolean whole = true;
            for (int i = 0; i < rows && whole; i++) {
                double v = x[i * k + j];
                whole = v == Math.rint(v);
                column[i] = v;
            }
            if (!whole) {
                continue;
            }
            java.util.Arrays.sort(column);
            boolean distinct = true;
            for (int i = 1; i < rows && distinct; i++) {
                distinct = column[i] != column[i - 1];
            }
            if (distinct) {
                found.add(featureNames.get(j));
            }
        }
        return found;
    }

    /**
     * The names of identifiers: {@code id}, {@code uuid}, {@code guid}, {@code index}, {@code row_number}, or a name
     * ending in {@code _id}, {@code -id}, {@code .id}, {@code " id"} (any letter case), {@code Id} or {@code ID} after
     * a lower-case letter or a digit ({@code customerId}, {@code customerID}), or {@code _uuid}.
     */
    private static final java.util.regex.Pattern IDENTIFIER_NAME = java.util.regex.Pattern.compile(
            "(?i:id|uuid|guid|index|row_?num(ber)?|row_?id|.*[_\\-. ](id|uuid|guid))|.*[a-z0-9](Id|ID)");

    /** Whether a column's name says it identifies rows (a customer number, a row index) rather than measures them. */
    public static boolean namedLikeAnIdentifier(String column) {
        return IDENTIFIER_NAME.matcher(column).matches();
    }

    /** Below this many rows, distinct whole numbers in a column say little. */
    public static final int MIN_ROWS_FOR_IDENTIFIERS = 50;

    /** Bytes one training pass reads: the features and the labels. */
    public long bytes() {
        return 8L * (x.length + y.length);
    }

    /**
     * Splits into training and holdout parts by a seeded shuffle of the row indices; row order within each part
     * follows the shuffle.
     */
    public Split split(double holdoutFraction, long seed) {
        if (!(holdoutFraction > 0 && holdoutFraction < 1)) {
            throw new IllegalArgumentException("holdout fraction must be in (0, 1), got " + holdoutFraction);
        }
        int holdoutRows = (int) Math.round(rows * holdoutFraction);
        if (holdoutRows == 0 || holdoutRows == rows) {
            throw new IllegalArgumentException(source + ": a holdout of " + holdoutFraction + " of " + rows
                    + " rows leaves an empty part; use more data or another fraction");
        }
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = rows - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int trainRows = rows - holdoutRows;
        return new Split(subset(order, 0, trainRows, source + " (train part)"),
                subset(order, trainRows, rows, source + " (holdout part)"));
    }

    /**
     * The rows {@code order[from]}, …, {@code order[to - 1]}, in that order, as a new data set (copied).
     *
     * @param name the new data set's source, for messages
     */
    public Dataset select(int[] order, int from, int to, String name) {
        if (from < 0 || to < from || to > order.length) {
            throw new IllegalArgumentException("rows " + from + " to " + to + " of an order of " + order.length);
        }
        return subset(order, from, to, name);
    }

    private Dataset subset(int[] order, int from, int to, String name) {
        int cols = cols();
        double[] sx = new double[(to - from) * cols];
        double[] sy = new double[to - from];
        for (int i = from; i < to; i++) {
            System.arraycopy(x, order[i] * cols, sx, (i - from) * cols, cols);
            sy[i - from] = y[order[i]];
        }
        return new Dataset(featureNames, sx, sy, name);
    }

    /** A training part and a holdout part. */
    public record Split(Dataset train, Dataset holdout) {
    }
}
