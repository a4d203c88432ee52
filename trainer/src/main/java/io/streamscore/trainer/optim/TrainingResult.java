package io.streamscore.trainer.optim;

import io.streamscore.common.LogisticModel;
import io.streamscore.trainer.eval.ClassificationMetrics;

import java.util.List;

/**
 * What a training run produced: the model (with its metrics in the metadata) and how it got there.
 *
 * @param model            the fitted model, version 1 until it is published
 * @param objectiveHistory the training objective at the start (index 0) and after each iteration
 * @param iterations       how many iterations ran
 * @param stopReason       why they stopped; {@link StopReason#CONVERGED} only when the gradient test held
 * @param gradientNorm     the largest component of the objective's gradient at the final weights, ‖∇f‖∞
 * @param snapshots        the model at a few points of training (for 1–2 features: 4 points, log-spaced), for
 *                         decision-boundary charts; empty for wider data
 * @param warnings         what a user should know (learning rate reduced, separable data, constant columns, ...)
 * @param separable        the training data is linearly separable and no L2 penalty was given, so the weights have no
 *                         finite optimum
 * @param trainMetrics     metrics on the training data
 * @param holdoutMetrics   metrics on the holdout or test data; null when there was none
 * @param timings          where the time went (not part of the model, which must not depend on it)
 */
public record TrainingResult(LogisticModel model, double[] objectiveHistory, int iterations, StopReason stopReason,
                             double gradientNorm, List<Snapshot> snapshots, List<String> warnings, boolean separable,
                             ClassificationMetrics trainMetrics, ClassificationMetrics holdoutMetrics,
                             Timings timings) {

    public TrainingResult {
        objectiveHistory = objectiveHistory.clone();
        snapshots = List.copyOf(snapshots);
        warnings = List.copyOf(warnings);
    }

    @Override
    public double[] objectiveHistory() {
        return objectiveHistory.clone();
    }

    /** The same run with another model, e.g. the published one with its version. */
    public TrainingResult withModel(LogisticModel published) {
        return new TrainingResult(published, objectiveHistory, iterations, stopReason, gradientNorm, snapshots, warnings,
                separable, trainMetrics, holdoutMetrics, timings);
    }

    public double finalObjective() {
        return objectiveHistory[objectiveHistory.length - 1];
    }

    /**
     * How far above the gradient tolerance the largest gradient component may end before the run counts as far from
     * the optimum: a run that only just misses the tolerance (the iteration limit a little too low) has a usable model;
     * one stuck at 100 times it, as plain gradient descent on unscaled features is after its learning rate was halved
     * away, does not.
     */
    public static final double FAR_FROM_OPTIMUM = 100;

    /**
     * Whether training ended far from the optimum: not converged, with the largest gradient component more than
     * {@link #FAR_FROM_OPTIMUM} times the gradient tolerance (the default tolerance when it was 0). Separable data
     * without a penalty is not counted: it has no finite optimum to be far from, and its own warning says to add
     * {@code --l2}.
     */
    public boolean farFromOptimum() {
        return !stopReason.converged() && !separable && gradientNorm > farThreshold();
    }

    /** The gradient norm above which the run is far from the optimum. */
    double farThreshold() {
        String given = model.metadata().trainingParameters().get("gradientTolerance");
        double tolerance = given == null ? 0 : Double.parseDouble(given);
        return FAR_FROM_OPTIMUM * (tolerance > 0 ? tolerance : TrainingOptions.DEFAULT_GRADIENT_TOLERANCE);
    }

    /** Whether the model ranks the evaluation data worse than a coin would: its holdout ROC AUC is below 0.5. */
    public boolean worseThanChance() {
        return holdoutMetrics != null && holdoutMetrics.rocAuc() < 0.5;
    }

    /**
     * What makes this model unfit to use as it stands, in one line for a person (the end of the trainer's output, the
     * top of the report); null when nothing does. The run is judged by {@link #farFromOptimum()} and
     * {@link #worseThanChance()}.
     */
    public String problem() {
        java.util.List<String> parts = new java.util.ArrayList<>();
        if (farFromOptimum()) {
            parts.add(String.format(java.util.Locale.ROOT, "training stopped far from the optimum (%s; gradient norm"
                    + " %.3g, above %s)", stopReason.description().replace(" (not converged)", ""), gradientNorm,
                    plain(String.format(java.util.Locale.ROOT, "%.3g", farThreshold()))));
        }
        if (worseThanChance()) {
            parts.add(String.format(java.util.Locale.ROOT, "the model is worse than chance on the evaluation data"
                    + " (ROC AUC %.4f, below 0.5)", holdoutMetrics.rocAuc()));
        }
        if (parts.isEmpty()) {
            return null;
        }
        boolean standardized = model.standardization() != null;
        return (farFromOptimum() ? "NOT CONVERGED" : "WORSE THAN CHANCE") + ": " + String.join("; ", parts)
                + ". " + (farFromOptimum() ? (standardized ? "--solver lbfgs or more --iterations get further"
                : "Standardized features (leave out --no-standardize) or --solver lbfgs get further")
                : "Check the label column (--label, --positive-label) and that the evaluation data is like the training"
                + " data");
    }

    /** 1.0E-4 as 0.0001. */
    private static String plain(String number) {
        try {
            return new java.math.BigDecimal(number).stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return number;
        }
    }

    /**
     * Seconds spent in the three stages of a run.
     *
     * @param preparation  checks, standardization and the pass's copy of the data
     * @param optimization the solver: every pass over the data
     * @param evaluation   the separability check, the metrics and the model
     */
    public record Timings(double preparation, double optimization, double evaluation) {
        public double total() {
            return preparation + optimization + evaluation;
        }
    }

    /** The model as it stood after {@code iteration} iterations. */
    public record Snapshot(int iteration, LogisticModel model, double objective) {
    }
}
