package io.streamscore.trainer.cli;

import io.streamscore.trainer.optim.Solver;
import io.streamscore.trainer.optim.TrainingOptions;
import picocli.CommandLine.Option;

/**
 * The options that decide how a model is fitted, shared by {@code train} and {@code retrain} so both fit a model the
 * same way under the same names and defaults: {@link #toOptions()} is the one place they become
 * {@link TrainingOptions}.
 */
final class TrainingFlags {

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "" + TrainingOptions.DEFAULT_ITERATIONS,
            description = "Most gradient steps to take.")
    int iterations;

    @Option(names = {"--learning-rate", "--eta"}, paramLabel = "η", defaultValue = "" + TrainingOptions.DEFAULT_LEARNING_RATE,
            description = "Initial step size. Halved automatically whenever a step would raise the loss.")
    double learningRate;

    @Option(names = "--tolerance", paramLabel = "T", defaultValue = "" + TrainingOptions.DEFAULT_TOLERANCE,
            description = "Stop once a step lowers the loss by less than this (reported as not converged while the"
                    + " gradient is above --gradient-tolerance).")
    double tolerance;

    @Option(names = "--gradient-tolerance", paramLabel = "G", defaultValue = "" + TrainingOptions.DEFAULT_GRADIENT_TOLERANCE,
            description = "Stop, converged, once every component of the loss's gradient is at most G in magnitude"
                    + " (the test scikit-learn's tol makes).")
    double gradientTolerance;

    @Option(names = "--solver", paramLabel = "gd|lbfgs", defaultValue = "gd", converter = TrainCommand.SolverConverter.class,
            description = "gd: batch gradient descent as specified. lbfgs: L-BFGS, a quasi-Newton method that"
                    + " needs far fewer passes when features are correlated or unscaled (ignores --learning-rate).")
    Solver solver;

    @Option(names = "--l2", paramLabel = "λ", defaultValue = "0",
            description = "Ridge penalty: minimizes mean log-loss + (λ/2)·‖w‖² (intercept not penalized). Needed for a finite model on separable data.")
    double l2;

    @Option(names = "--standardize", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Z-score each feature with its training mean and population std before fitting (the default)."
                    + " The model keeps mean/std, so scoring still takes raw features. --no-standardize fits the raw"
                    + " values, which plain gradient descent handles only when the features share a scale.")
    boolean standardize;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "" + TrainingOptions.DEFAULT_SEED,
            description = "Seeds the initial weights (and train's holdout split): same seed, same model.")
    long seed;

    @Option(names = "--threads", paramLabel = "N", description = "Cores to use (default: all available). The model does not depend on it.")
    Integer threads;

    @Option(names = "--threshold", paramLabel = "P", defaultValue = "0.5", description = "Probability at or above which the label is 1.")
    double threshold;

    /**
     * The options as the trainer takes them.
     *
     * @throws IllegalArgumentException naming the value that is out of range
     */
    TrainingOptions toOptions() {
        return new TrainingOptions(iterations, learningRate, tolerance, gradientTolerance, l2, standardize, seed,
                threads == null ? Runtime.getRuntime().availableProcessors() : threads, threshold, solver);
    }

    /** The seed (train's holdout split uses it too). */
    long seed() {
        return seed;
    }
}
