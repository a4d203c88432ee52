package io.streamscore.trainer.optim;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Everything that decides how a model is fitted. Validated here, so the optimizer can trust it.
 *
 * @param iterations   the most gradient steps to take
 * @param learningRate the initial step size η; halved whenever a step would raise the loss
 * @param tolerance    stop once a step lowers the objective by less than this (reported as stalled, not as
 *                     converged, while the gradient is above {@code gradientTolerance})
 * @param gradientTolerance stop, converged, once every component of the objective's gradient is at most this in
 *                     magnitude
 * @param l2           ridge penalty λ: the objective is mean log-loss + (λ/2)·‖w‖², the intercept not penalized
 * @param standardize  z-score every feature with its training mean and population std before fitting
 * @param seed         seeds the initial weights (uniform in [0, 1)) and the holdout split
 * @param threads      how many cores one pass over the data may use; the result does not depend on it
 * @param threshold    the decision threshold stored in the model
 * @param solver       batch gradient descent as specified, or L-BFGS
 */
public record TrainingOptions(int iterations, double learningRate, double tolerance, double gradientTolerance,
                              double l2, boolean standardize, long seed, int threads, double threshold,
                              Solver solver) {

    public static final int DEFAULT_ITERATIONS = 5000;
    public static final double DEFAULT_LEARNING_RATE = 0.5;
    public static final double DEFAULT_TOLERANCE = 1e-9;
    /** scikit-learn's default {@code tol} for its lbfgs solver, which tests the same norm. */
    public static final double DEFAULT_GRADIENT_TOLERANCE = 1e-4;
    public static final long DEFAULT_SEED = 42;

    public TrainingOptions {
        if (iterations < 1) {
            throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
        }
        if (!(learningRate > 0 && Double.isFinite(learningRate))) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + learningRate);
        }
        if (!(tolerance >= 0 && Double.isFinite(tolerance))) {
            throw new IllegalArgumentException("tolerance must be >= 0, got " + tolerance);
        }
        if (!(gradientTolerance >= 0 && Double.isFinite(gradientTolerance))) {
            throw new IllegalArgumentException("gradient tolerance must be >= 0, got " + gradientTolerance);
        }
        if (!(l2 >= 0 && Double.isFinite(l2))) {
            throw new IllegalArgumentException("l2 must be >= 0, got " + l2);
        }
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (!(threshold > 0 && threshold < 1)) {
            throw new IllegalArgumentException("threshold must be in (0, 1), got " + threshold);
        }
        if (solver == null) {
            throw new IllegalArgumentException("solver must be given");
        }
    }

    /**
     * The defaults: what {@code train} uses when no option is given. Features are standardized: plain gradient descent
     * on unscaled columns (an income in the tens of thousands beside an age in the tens) halves its learning rate
     * until it can barely move, and ends far from the optimum.
     */
    public static TrainingOptions defaults() {
        return new TrainingOptions(DEFAULT_ITERATIONS, DEFAULT_LEARNING_RATE, DEFAULT_TOLERANCE,
                DEFAULT_GRADIENT_TOLERANCE, 0.0, true, DEFAULT_SEED, Runtime.getRuntime().availableProcessors(), 0.5,
                Solver.GD);
    }

    public TrainingOptions withIterations(int n) {
        return new TrainingOptions(n, learningRate, tolerance, gradientTolerance, l2, standardize, seed, threads, threshold, solver);
    }

    public TrainingOptions withLearningRate(double eta) {
        return new TrainingOptions(iterations, eta, tolerance, gradientTolerance, l2, standardize, seed, threads, threshold, solver);
    }

    public TrainingOptions withTolerance(double tol) {
        return new TrainingOptions(iterations, learningRate, tol, gradientTolerance, l2, standardize, seed, threads, threshold, solver);
    }

    public TrainingOptions withGradientTolerance(double g) {
        return new TrainingOptions(iterations, learningRate, tolerance, g, l2, standardize, seed, threads, threshold, solver);
    }

    public TrainingOptions withL2(double lambda) {
        return new TrainingOptions(iterations, learningRate, tolerance, gradientTolerance, lambda, standardize, seed, threads, threshold, solver);
    }

    public TrainingOptions withStandardize(boolean on) {
        return new TrainingOptions(iterations, learningRate, tolerance, gradientTolerance, l2, on, seed, threads, threshold, solver);
    }

    public TrainingOptions withSeed(long s) {
        return new TrainingOptions(iterations, learningRate, tolerance, gradientTolerance, l2, standardize, s, threads, threshold, solver);
    }

    public TrainingOptions withThreads(int n) {
        return new TrainingOptions(iterations, learningRate, tolerance, gradientTolerance, l2, standardize, seed, n, threshold, solver);
    }

    public TrainingOptions withSolver(Solver s) {
        return new TrainingOptions(iterations, learningRate, tolerance, gradientTolerance, l2, standardize, seed, threads, threshold, s);
    }

    /** The options as the model's metadata records them (threads left out: they do not change the result). */
    public Map<String, String> asParameters() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("algorithm", solver == Solver.GD ? "batch-gradient-descent" : "l-bfgs");
        m.put("iterations", Integer.toString(iterations));
        m.put("learningRate", Double.toString(learningRate));
        m.put("tolerance", Double.toString(tolerance));
        m.put("gradientTolerance", Double.toString(gradientTolerance));
        m.put("l2", Double.toString(l2));
        m.put("standardize", Boolean.toString(standardize));
        m.put("seed", Long.toString(seed));
        return m;
    }
}
