package io.streamscore.common;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How one prediction's logit decomposes: logit = intercept + Σ term(i), one term per feature, term(i) = w_i·x̃_i with
 * x̃_i the feature as the model sees it (standardized when the model carries a {@link Standardization}).
 *
 * <p>Built by {@link LogisticModel#contributions(double[])}, which computes each term with the same operations as
 * {@link LogisticModel#logit(double[])} and sums them in the same order (from 0, in the model's feature order, the
 * intercept added last), so {@link #logit()} equals {@code model.logit(x)} bit for bit and the probability a reader
 * derives from it is exactly {@code model.predictProbability(x)}.
 *
 * <p>{@link #top(int)} keeps the K terms of largest magnitude (what credit scoring calls reason codes); the rest are
 * counted in {@link #omitted()} and summed in {@link #omittedSum()}, so intercept + Σ kept terms + omittedSum still
 * gives the logit, up to the rounding of adding in another order.
 *
 * <p>Immutable; the term array is owned (never exposed), so building one on the hot path copies nothing.
 */
public final class Contributions {
    private final List<String> names;
    private final double[] terms;
    private final double intercept;
    private final double logit;
    private final boolean selected;
    private final int omitted;
    private final double omittedSum;

    private Contributions(List<String> names, double[] terms, double intercept, double logit, boolean selected,
                          int omitted, double omittedSum) {
        this.names = names;
        this.terms = terms;
        this.intercept = intercept;
        this.logit = logit;
        this.selected = selected;
        this.omitted = omitted;
        this.omittedSum = omittedSum;
    }

    /** Every term in the model's order; takes ownership of {@code terms}. For {@link LogisticModel} only. */
    static Contributions owning(List<String> names, double[] terms, double intercept, double logit) {
        return new Contributions(names, terms, intercept, logit, false, 0, 0.0);
    }

    /**
     * Contributions as a reader found them (e.g. parsed back from a score), in the given map's iteration order.
     *
     * @param omitted    how many terms were left out; negative when none were selected out (every term is present)
     * @param omittedSum their sum (ignored when {@code omitted} is negative)
     */
    public static Contributions of(Map<String, Double> terms, double intercept, double logit, int omitted,
                                   double omittedSum) {
        String[] n = new String[terms.size()];
        double[] t = new double[n.length];
        int i = 0;
        for (Map.Entry<String, Double> e : terms.entrySet()) {
            n[i] = Objects.requireNonNull(e.getKey(), "feature name");
            t[i] = Objects.requireNonNull(e.getValue(), "term of " + e.getKey());
            i++;
        }
        boolean selected = omitted >= 0;
        return new Contributions(List.of(n), t, intercept, logit, selected, selected ? omitted : 0,
                selected ? omittedSum : 0.0);
    }

    /**
     * The {@code k} terms of largest magnitude, largest first; equal magnitudes in the model's feature order (so the
     * choice is deterministic). {@code k} at or above {@link #size()} keeps every term, reordered.
     *
     * @throws IllegalArgumentException when {@code k < 1}, or when this is already a selection
     */
    public Contributions top(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("k is " + k + "; must be >= 1");
        }
        if (selected) {
            throw new IllegalArgumentException("these contributions are already a selection of " + terms.length);
        }
        int n = terms.length;
        int keep = Math.min(k, n);
        // Insertion into a ranked array of indices: O(n·k) with no boxing, cheaper than sorting for the small k a
        // reason-code list uses. An index ranks before another when its magnitude is larger, or equal and earlier.
        int[] best = new int[keep];
        int filled = 0;
        for (int i = 0; i < n; i++) {
            if (filled == keep && !ranksBefore(i, best[keep - 1])) {
                continue;
            }
            int at = filled == keep ? keep - 1 : filled++;
            while (at > 0 && ranksBefore(i, best[at - 1])) {
                best[at] = best[at - 1];
                at--;
            }
            best[at] = i;
        }
        boolean[] kept = new boolean[n];
        String[] keptNames = new String[keep];
        double[] keptTerms = new double[keep];
        for (int j = 0; j < keep; j++) {
            kept[best[j]] = true;
            keptNames[j] = names.get(best[j]);
            keptTerms[j] = terms[best[j]];
        }
        double rest = 0.0;
        for (int i = 0; i < n; i++) {
            if (!kept[i]) {
                rest += terms[i];
            }
        }
        return new Contributions(List.of(keptNames), keptTerms, intercept, logit, true, n - keep, rest);
    }

    private boolean ranksBefore(int a, int b) {
        int c = Double.compare(Math.abs(terms[a]), Math.abs(terms[b]));
        return c > 0 || (c == 0 && a < b);
    }

    /** How many terms are present. */
    public int size() {
        return terms.length;
    }

    /**
     * The features of the terms present, in order; immutable. For {@link LogisticModel#contributions} it is the model's
     * own {@link LogisticModel#featureNames()} list, the same instance for every prediction, which lets a writer keep
     * their encoded form.
     */
    public List<String> names() {
        return names;
    }

    /** The feature of the {@code i}-th term present. */
    public String name(int i) {
        return names.get(i);
    }

    /** The {@code i}-th term present: w·x̃ of feature {@link #name(int)}. */
    public double term(int i) {
        return terms[i];
    }

    /** The terms present by feature name, in order (a copy). */
    public Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < terms.length; i++) {
            m.put(names.get(i), terms[i]);
        }
        return m;
    }

    public double intercept() {
        return intercept;
    }

    /** intercept + Σ every term, as the model computes it (including terms left out by {@link #top(int)}). */
    public double logit() {
        return logit;
    }

    /** True for the result of {@link #top(int)}: {@link #omitted()} and {@link #omittedSum()} then say what is left out. */
    public boolean isSelection() {
        return selected;
    }

    /** How many terms {@link #top(int)} left out; 0 when every term is present. */
    public int omitted() {
        return omitted;
    }

    /** The sum of the terms left out, in the model's feature order; 0 when none were. */
    public double omittedSum() {
        return omittedSum;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Contributions c && names.equals(c.names) && Arrays.equals(terms, c.terms)
                && Double.compare(intercept, c.intercept) == 0 && Double.compare(logit, c.logit) == 0
                && selected == c.selected && omitted == c.omitted && Double.compare(omittedSum, c.omittedSum) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(names, Arrays.hashCode(terms), intercept, logit, selected, omitted, omittedSum);
    }

    @Override
    public String toString() {
        return "Contributions[logit " + logit + " = intercept " + intercept + " + " + asMap()
                + (selected ? " + " + omitted + " omitted (sum " + omittedSum + ")" : "") + "]";
    }
}
