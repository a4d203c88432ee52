package io.streamscore.common.drift;

import io.streamscore.common.InvalidModelException;

import java.util.Arrays;

/**
 * How one quantity (a feature, or the model's score) was distributed on the training rows: B bins cut at B − 1 edges,
 * and the proportion of the training rows in each bin. The trainer fits it ({@link #fit}) and the scorer counts live
 * values into the same bins with the same {@link #binOf}, so both cut every value identically.
 *
 * <p>Bins are half-open, closed below: with edges e₁ &lt; … &lt; e_{B−1}, bin 0 is (−∞, e₁), bin i is [eᵢ, eᵢ₊₁) and
 * the last bin is [e_{B−1}, +∞). <b>A value equal to an edge falls in the bin above it</b> (the bin the edge starts).
 * Immutable and always valid: edges finite and strictly increasing, proportions finite, ≥ 0, one more than the edges,
 * summing to 1 within {@value #SUM_TOLERANCE}.
 */
public final class Bins {
    /** How far the proportions' sum may be from 1: a sum of B proportions count/n, each rounded. */
    public static final double SUM_TOLERANCE = 1e-9;
    /** The most bins one quantity may have (a bound on what a model record may make the scorer count). */
    public static final int MAX_BINS = 1000;

    private final double[] edges;
    private final double[] proportions;

    /**
     * @throws InvalidModelException naming {@code edges[i]} or {@code proportions[i]} when the bins are not valid
     */
    public Bins(double[] edges, double[] proportions) {
        if (edges == null || proportions == null) {
            throw new InvalidModelException("edges and proportions must both be given");
        }
        if (proportions.length != edges.length + 1) {
            throw new InvalidModelException("proportions has " + proportions.length + " entries but edges has "
                    + edges.length + "; there must be one more proportion than edges (a bin below the first edge, one "
                    + "above the last)");
        }
        if (proportions.length > MAX_BINS) {
            throw new InvalidModelException("proportions has " + proportions.length + " bins; at most " + MAX_BINS);
        }
        for (int i = 0; i < edges.length; i++) {
            if (!Double.isFinite(edges[i])) {
                throw new InvalidModelException("edges[" + i + "] is " + edges[i] + "; must be finite");
            }
            if (i > 0 && !(edges[i] > edges[i - 1])) {
                throw new InvalidModelException("edges[" + i + "] is " + edges[i] + ", not above edges[" + (i - 1)
                        + "] = " + edges[i - 1] + "; edges must be strictly increasing");
            }
        }
        double sum = 0;
        for (int i = 0; i < proportions.length; i++) {
            if (!(Double.isFinite(proportions[i]) && proportions[i] >= 0)) {
                throw new InvalidModelException("proportions[" + i + "] is " + proportions[i]
                        + "; must be finite and >= 0");
            }
            sum += proportions[i];
        }
        if (Math.abs(sum - 1) > SUM_TOLERANCE) {
            throw new InvalidModelException("proportions sum to " + sum + "; must sum to 1 (within " + SUM_TOLERANCE
                    + ")");
        }
        this.edges = edges.clone();
        this.proportions = proportions.clone();
    }

    /**
     * The bins of {@code values} (e.g. one feature over the training rows): at most {@code maxBins} bins cut at
     * quantiles, with the proportion of the values in each.
     *
     * <p>With the values sorted, v₀ ≤ … ≤ v_{n−1}, candidate edge j (j = 1 … B − 1) is v_{⌊j·n/B⌋}, the value at the
     * j-th B-quantile's rank. A candidate equal to the previous edge or to the minimum v₀ is dropped, so a discrete
     * feature gets fewer bins (a binary one two, a constant one a single bin) and no bin is empty on the training data
     * (each bin holds at least the value its lower edge is). The proportions are then counted with {@link #binOf} and
     * the final edges. Costs one sort of the values: O(n log n).
     *
     * @throws IllegalArgumentException for no values, a non-finite value, or fewer than 1 bin
     */
    public static Bins fit(double[] values, int maxBins) {
        if (maxBins < 1 || maxBins > MAX_BINS) {
            throw new IllegalArgumentException("bins is " + maxBins + "; must be in 1.." + MAX_BINS);
        }
        int n = values.length;
        if (n == 0) {
            throw new IllegalArgumentException("no values to fit bins to");
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        if (!Double.isFinite(sorted[0]) || !Double.isFinite(sorted[n - 1])) {
            throw new IllegalArgumentException("values must be finite; found " + (Double.isFinite(sorted[0])
                    ? sorted[n - 1] : sorted[0]));
        }
        double[] candidates = new double[maxBins - 1];
        int kept = 0;
        double last = sorted[0];
        for (int j = 1; j < maxBins; j++) {
            double q = sorted[(int) ((long) j * n / maxBins)];
            if (q > last) {
                candidates[kept++] = q;
                last = q;
            }
        }
        double[] edges = Arrays.copyOf(candidates, kept);
        long[] counts = new long[kept + 1];
        for (double v : sorted) {
            counts[binOf(edges, v)]++;
        }
        double[] proportions = new double[counts.length];
        for (int b = 0; b < counts.length; b++) {
            proportions[b] = counts[b] / (double) n;
        }
        return new Bins(edges, proportions);
    }

    /**
     * The bin of {@code x}: the number of edges ≤ x, from 0 to {@link #count()} − 1. A value equal to an edge falls in
     * the bin above it. Pure: the trainer's proportions and the scorer's counts use this one function.
     */
    public int binOf(double x) {
        return binOf(edges, x);
    }

    /** The number of edges ≤ x, by binary search (a NaN, which the scorer never counts, falls in the last bin). */
    static int binOf(double[] edges, double x) {
        int lo = 0;
        int hi = edges.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (edges[mid] <= x) {
                lo = mid + 1;
            } else if (x < edges[mid]) {
                hi = mid;
            } else { // NaN: compares neither way
                return edges.length;
            }
        }
        return lo;
    }

    /** The number of bins: one more than the edges. */
    public int count() {
        return proportions.length;
    }

    public double[] edges() {
        return edges.clone();
    }

    /** The training proportions, one per bin, in bin order. */
    public double[] proportions() {
        return proportions.clone();
    }

    double proportionAt(int bin) {
        return proportions[bin];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Bins b && Arrays.equals(edges, b.edges) && Arrays.equals(proportions, b.proportions);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(edges) + Arrays.hashCode(proportions);
    }

    @Override
    public String toString() {
        return "Bins[edges=" + Arrays.toString(edges) + ", proportions=" + Arrays.toString(proportions) + "]";
    }
}
