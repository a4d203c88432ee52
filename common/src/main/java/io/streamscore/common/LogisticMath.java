package io.streamscore.common;

/**
 * The numerically stable building blocks of logistic regression: the sigmoid, the log-loss and a dot product.
 *
 * <p>Every function here is finite for every finite input; none clamps its argument to a magic range.
 */
public final class LogisticMath {

    /**
     * The probability floor used by {@link #logLoss(double, double)}: the machine epsilon of double, as sklearn's
     * {@code log_loss} uses, so that a prediction of exactly 0 or 1 costs about 36 nats instead of infinity.
     */
    public static final double PROBABILITY_EPSILON = Math.ulp(1.0);

    private LogisticMath() {
    }

    /**
     * σ(z) = 1/(1+e^(−z)), computed as 1/(1+e^(−z)) for z ≥ 0 and e^z/(1+e^z) otherwise, so the exponential never
     * overflows: for every finite z the result is in [0, 1] and never NaN.
     */
    public static double sigmoid(double z) {
        if (z >= 0) {
            return 1.0 / (1.0 + Math.exp(-z));
        }
        double e = Math.exp(z);
        return e / (1.0 + e);
    }

    /**
     * The binary cross-entropy of one example given the logit z = w·x + b, exactly and without log(0).
     *
     * <p>Derivation: with p = σ(z), −log p = log(1+e^(−z)) and −log(1−p) = log(1+e^z) = z + log(1+e^(−z)). So
     * −[y log p + (1−y) log(1−p)] = (1−y)·z + log(1+e^(−z)), and rewriting log(1+e^(−z)) = max(−z,0) + log1p(e^(−|z|))
     * to keep the exponent ≤ 0 gives max(z,0) − y·z + log1p(e^(−|z|)).
     */
    public static double logLossFromLogit(double y, double z) {
        return Math.max(z, 0.0) - y * z + log1p(Math.exp(-Math.abs(z)));
    }

    /**
     * The binary cross-entropy of one prediction p for label y: −[y log p + (1−y) log(1−p)], with p first moved into
     * [ε, 1−ε] (ε = {@link #PROBABILITY_EPSILON}) so that p = 0 or p = 1 gives a large but finite loss. Prefer
     * {@link #logLossFromLogit} when the logit is at hand: it needs no floor at all.
     */
    public static double logLoss(double y, double p) {
        if (Double.isNaN(p) || Double.isNaN(y)) {
            throw new IllegalArgumentException("logLoss of NaN: y=" + y + ", p=" + p);
        }
        double q = Math.min(Math.max(p, PROBABILITY_EPSILON), 1.0 - PROBABILITY_EPSILON);
        return -(y * Math.log(q) + (1.0 - y) * Math.log1p(-q));
    }

    /**
     * log(1+x) for x ≥ 0, accurate to a few ulps, using only {@link Math#log} (a JIT intrinsic; the JDK's
     * {@code Math.log1p} is a much slower library call, and metrics evaluate this once per row).
     * The correction x/(u−1) undoes the rounding of u = 1+x (Goldberg, "What every computer scientist should know
     * about floating-point arithmetic", theorem 4).
     */
    static double log1p(double x) {
        double u = 1.0 + x;
        if (u == 1.0) {
            return x;
        }
        return Math.log(u) * x / (u - 1.0);
    }

    /** Σ a[i]·b[i] over the first {@code length} entries, summed left to right so the result is reproducible. */
    public static double dot(double[] a, double[] b, int length) {
        double sum = 0.0;
        for (int i = 0; i < length; i++) {
            sum += a[i] * b[i];
        }
        return sum;
    }
}
