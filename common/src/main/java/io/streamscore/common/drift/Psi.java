package io.streamscore.common.drift;

/**
 * The population stability index of observed counts against expected proportions over the same bins:
 *
 * <pre>
 *   PSI = Σ_b (a′_b − e′_b) · ln(a′_b / e′_b),   a_b = count_b / n,   x′ = max(x, ε),   ε = {@value #EPSILON}
 * </pre>
 *
 * e_b is the training proportion of bin b ({@link Bins#proportions()}), a_b the observed one. The floor ε keeps the
 * index finite when a bin is empty on one side (ln(0) would make it infinite); every term is ≥ 0, so PSI ≥ 0, and 0
 * only when the floored proportions are equal. The sum runs over the bins in order, from 0, in IEEE double: an
 * offline computation in the same order gives the same value. With no observations (n = 0) it is NaN. Conventional
 * reading: below 0.1 stable, 0.1 to 0.25 a moderate shift, above 0.25 a large one.
 */
public final class Psi {
    /** The floor on both proportions of a bin. */
    public static final double EPSILON = 1e-4;

    private Psi() {
    }

    /** PSI of {@code counts} (one per bin, in bin order) against {@code expected} proportions. */
    public static double of(double[] expected, long[] counts) {
        return of(expected, counts, 0);
    }

    /**
     * PSI of the {@code expected.length} counts starting at {@code counts[offset]} against {@code expected}.
     *
     * @throws IllegalArgumentException when the slice is outside {@code counts}
     */
    public static double of(double[] expected, long[] counts, int offset) {
        if (offset < 0 || offset + expected.length > counts.length) {
            throw new IllegalArgumentException(expected.length + " bins from " + offset + " do not fit in "
                    + counts.length + " counts");
        }
        long n = 0;
        for (int b = 0; b < expected.length; b++) {
            n += counts[offset + b];
        }
        if (n == 0) {
            return Double.NaN;
        }
        double psi = 0;
        for (int b = 0; b < expected.length; b++) {
            psi += term(expected[b], counts[offset + b] / (double) n);
        }
        return psi;
    }

    /** PSI of observed proportions {@code actual} against {@code expected}, bin by bin. */
    public static double of(double[] expected, double[] actual) {
        if (expected.length != actual.length) {
            throw new IllegalArgumentException(expected.length + " expected proportions, " + actual.length + " observed");
        }
        double psi = 0;
        for (int b = 0; b < expected.length; b++) {
            psi += term(expected[b], actual[b]);
        }
        return psi;
    }

    /** One bin's term, (a′ − e′)·ln(a′ / e′), both floored at ε. */
    public static double term(double expected, double actual) {
        double e = Math.max(expected, EPSILON);
        double a = Math.max(actual, EPSILON);
        return (a - e) * Math.log(a / e);
    }
}
