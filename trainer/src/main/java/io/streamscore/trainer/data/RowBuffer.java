package io.streamscore.trainer.data;

import java.util.Arrays;
import java.util.List;

/**
 * Collects rows, one at a time, into the contiguous row-major arrays a {@link Dataset} holds, for the loaders (CSV
 * file, Kafka topic). Growth is bounded in both directions: a wide first row allocates at most ~1M values up front
 * (1,000,000 columns × 1,024 rows would be 8 GB before a row is read), and data beyond the largest Java array is
 * refused with an error instead of overflowing.
 */
public final class RowBuffer {
    /** The most values one Java array can hold on common JVMs. */
    static final int MAX_VALUES = Integer.MAX_VALUE - 8;

    private final int cols;
    private double[] x;
    private double[] y;
    private int rows;
    private long positives;

    public RowBuffer(int cols) {
        this.cols = cols;
        int capacity = Math.max(1, Math.min(1024, (1 << 20) / cols));
        this.x = new double[cols * capacity];
        this.y = new double[capacity];
    }

    /**
     * Makes room for one more row; call before {@link #set}.
     *
     * @param where names the row for the error when there is no more room (e.g. "data.csv:17")
     */
    public void ensureRoom(String where) throws DataFormatException {
        if (rows < y.length) {
            return;
        }
        long grown = Math.min((long) y.length * 2, MAX_VALUES / cols);
        if (grown <= rows) {
            throw new DataFormatException(where + ": too much data: " + rows + " rows x " + cols
                    + " features is the most one training set can hold (" + MAX_VALUES + " values)");
        }
        y = Arrays.copyOf(y, (int) grown);
        x = Arrays.copyOf(x, (int) grown * cols);
    }

    /** Sets feature {@code col} of the row being filled. */
    public void set(int col, double value) {
        x[rows * cols + col] = value;
    }

    /** Finishes the row being filled with its 0/1 label. */
    public void endRow(double label) {
        y[rows] = label;
        positives += (long) label;
        rows++;
    }

    public int rows() {
        return rows;
    }

    /** Rows with label 1. */
    public long positives() {
        return positives;
    }

    public Dataset toDataset(List<String> featureNames, String source) {
        return new Dataset(featureNames, Arrays.copyOf(x, rows * cols), Arrays.copyOf(y, rows), source);
    }
}
