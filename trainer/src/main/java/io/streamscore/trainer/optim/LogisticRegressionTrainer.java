package io.streamscore.trainer.optim;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelMetadata;
import io.streamscore.common.Standardization;
import io.streamscore.common.drift.DriftBaseline;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.data.Standardizer;
import io.streamscore.trainer.eval.ClassificationMetrics;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Fits binary logistic regression: checks and (optionally) standardizes the data, minimizes mean log-loss + (λ/2)·‖w‖²
 * over θ = (b, w), the intercept b a weight on an implicit column of ones, from θ drawn uniform in [0, 1) with the seed,
 * by {@link GradientDescent} (batch gradient descent as specified) or {@link Lbfgs}, both on the same {@link FusedPass} and both
 * stopped by the same {@link StoppingRule}; then scores the result and builds the model with its metrics and its
 * {@link DriftBaseline} (the training rows' feature and score distributions, which the scorer's drift compares live
 * events with).
 */
public final class LogisticRegressionTrainer {
    private final TrainingOptions options;
    private final Clock clock;
    private final ProgressListener progress;

    public LogisticRegressionTrainer(TrainingOptions options, Clock clock, ProgressListener progress) {
        this.options = options;
        this.clock = clock;
        this.progress = progress;
    }

    /**
     * @param train   the data to fit
     * @param holdout data to evaluate on only; null for none
     * @param modelId the id the model is stored and scored under
     */
    public TrainingResult train(Dataset train, Dataset holdout, String modelId) {
        long started = System.nanoTime();
        List<String> warnings = new ArrayList<>();
        List<String> identifiers = train.identifierLikeColumns();
        for (String column : identifiers) {
            warnings.add("feature '" + column + "' holds a different whole number in every one of the " + train.rows()
                    + " rows, as an ID or a timestamp does; a model that learns an identifier does not carry over to new"
                    + " data (and every event without it is dead-lettered MISSING_FEATURE): leave it out with --exclude "
                    + column + " unless it is a genuine feature");
        }
        for (String column : train.featureNames()) {
            if (identifiers.contains(column) || !Dataset.namedLikeAnIdentifier(column)) {
                continue;
            }
            warnings.add("feature '" + column + "' is named like an identifier; a model that learns an identifier does"
                    + " not carry over to new data (and every event without it is dead-lettered MISSING_FEATURE): leave"
                    + " it out with --exclude " + column + " unless it is a genuine feature");
        }
        Standardization standardization = options.standardize() ? Standardizer.fit(train, warnings) : null;
        int k = train.cols();
        int m = train.rows();

        double[] theta = initialTheta(k + 1);
        double[] gradient = new double[k + 1];
        IterationLog log = new IterationLog(options.iterations(), k <= 2, progress);
        long[] passes = {0};
        StoppingRule rule = new StoppingRule(options.tolerance(), options.gradientTolerance());
        StopReason stop;
        double[] eta = {options.learningRate()};
        boolean separable;
        long prepared;
        long optimized;
        try (FusedPass pass = new FusedPass(train, standardization, options.threads())) {
            prepared = System.nanoTime();
            Objective f = (th, g) -> {
                passes[0]++;
                return objective(pass.evaluate(th, g), g, th, m, options.l2());
            };
            double f0 = f.evaluate(theta, gradient);
            if (!Double.isFinite(f0)) {
                throw new IllegalArgumentException("the loss is not finite at the initial weights: feature values are too"
                        + " large for plain gradient descent; standardize them (leave out --no-standardize)");
            }
            log.start(f0, theta);
            stop = switch (options.solver()) {
                case GD -> GradientDescent.minimize(f, theta, gradient, f0, rule, eta, log, warnings);
                case LBFGS -> Lbfgs.minimize(f, theta, gradient, f0, rule, log);
            };
            optimized = System.nanoTime();
            separable = options.l2() == 0 && pass.separates(theta);
        }
        int iterations = log.iterations();
        // Both solvers leave the gradient at the final θ in `gradient`.
        double gradientNorm = StoppingRule.gradientNorm(gradient);
        // With --gradient-tolerance 0 nothing converges: running to the rounding floor is what was asked for.
        if ((stop == StopReason.STALLED || stop == StopReason.STEP_UNDERFLOW) && options.gradientTolerance() > 0) {
            String msg = String.format(Locale.ROOT, "training stopped short of the optimum: %s, but the largest gradient"
                            + " component is %.3g, above the gradient tolerance %.3g%s; %s get there in fewer steps",
                    stop == StopReason.STALLED
                            ? "the loss fell by less than the tolerance " + options.tolerance()
                            : "no step lowered the loss at double precision", gradientNorm,
                    options.gradientTolerance(), options.solver() == Solver.GD && eta[0] < options.learningRate()
                            ? " (the learning rate is down to " + eta[0] + ")" : "",
                    options.standardize() ? "--solver lbfgs or more --iterations"
                            : "standardized features (leave out --no-standardize) or --solver lbfgs");
            warnings.add(msg);
        }

        double[] finalTheta = theta;
        if (separable) {
            int from = Math.max(0, iterations - Math.max(1, iterations / 10));
            warnings.add(String.format("the training data is linearly separable: without a penalty the loss falls toward 0"
                            + " only by growing the weights (|w| went from %.4g to %.4g over the last %d iterations), so"
                            + " there is no finite optimum and the weights depend on when training stopped; add --l2"
                            + " (e.g. --l2 0.01) for a unique, finite model",
                    log.weightNormAt(from), log.weightNormAt(iterations), iterations - from));
        }

        LogisticModel unscored = model(modelId, train, finalTheta, standardization, Map.of());
        ClassificationMetrics trainMetrics = ClassificationMetrics.evaluate(unscored, train);
        ClassificationMetrics holdoutMetrics = holdout == null ? null : ClassificationMetrics.evaluate(unscored, holdout);
        Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        metrics.put("train", trainMetrics.asMap());
        if (holdoutMetrics != null) {
            metrics.put("holdout", holdoutMetrics.asMap());
        }
        Map<String, Double> run = new LinkedHashMap<>();
        run.put("iterationsRun", (double) iterations);
        run.put("passesOverData", (double) passes[0]);
        run.put("finalObjective", log.objectiveAt(iterations));
        run.put("finalGradientNorm", gradientNorm);
        metrics.put("training", run);
        LogisticModel model = model(modelId, train, finalTheta, standardization, metrics);
        model = model.withDriftBaseline(driftBaseline(model, train));

        List<TrainingResult.Snapshot> snapshots = new ArrayList<>();
        if (log.keptThetas()) {
            for (int it : snapshotIterations(iterations)) {
                snapshots.add(new TrainingResult.Snapshot(it, model(modelId, train, log.thetaAt(it), standardization,
                        Map.of()), log.objectiveAt(it)));
            }
        }
        TrainingResult.Timings timings = new TrainingResult.Timings((prepared - started) / 1e9,
                (optimized - prepared) / 1e9, (System.nanoTime() - optimized) / 1e9);
        return new TrainingResult(model, log.objectiveHistory(), iterations, stop, gradientNorm, snapshots,
                warnings, separable, trainMetrics, holdoutMetrics, timings);
    }

    /**
     * The drift baseline of {@code model} on the rows it was fitted on: each feature's raw values (what events carry)
     * and the model's probability on each row, cut into {@value DriftBaseline#DEFAULT_BINS} quantile bins. One sort
     * per feature and one of the probabilities.
     */
    static DriftBaseline driftBaseline(LogisticModel model, Dataset train) {
        double[] probabilities = new double[train.rows()];
        double[] x = new double[train.cols()];
        double[] all = train.features();
        for (int i = 0; i < probabilities.length; i++) {
            System.arraycopy(all, i * x.length, x, 0, x.length);
            probabilities[i] = model.predictProbability(x);
        }
        return DriftBaseline.fit(train.featureNames(), all, probabilities, DriftBaseline.DEFAULT_BINS);
    }

    /** Four points of training, spaced evenly on a log scale, ending with the last: early steps change the most. */
    static int[] snapshotIterations(int iterations) {
        if (iterations < 4) {
            int[] all = new int[iterations + 1];
            for (int i = 0; i <= iterations; i++) {
                all[i] = i;
            }
            return all;
        }
        int[] its = new int[4];
        for (int i = 0; i < 4; i++) {
            its[i] = (int) Math.round(Math.pow(iterations, i / 3.0));
        }
        for (int i = 1; i < 4; i++) {
            its[i] = Math.max(its[i], its[i - 1] + 1);
        }
        its[3] = iterations;
        return its;
    }

    /**
     * Turns a pass's sums into the objective (1/m)·Σ loss + (λ/2)·‖w‖² and, in place, its gradient
     * (1/m)·Σ (ŷ − y)(1, x) + λ·(0, w).
     */
    static double objective(double lossSum, double[] gradient, double[] theta, int m, double lambda) {
        double penalty = 0.0;
        for (int j = 0; j < gradient.length; j++) {
            gradient[j] /= m;
            if (j > 0 && lambda > 0) {
                gradient[j] += lambda * theta[j];
                penalty += theta[j] * theta[j];
            }
        }
        return lossSum / m + 0.5 * lambda * penalty;
    }

    private double[] initialTheta(int size) {
        SplittableRandom random = new SplittableRandom(options.seed());
        double[] theta = new double[size];
        for (int j = 0; j < size; j++) {
            theta[j] = random.nextDouble();
        }
        return theta;
    }

    private LogisticModel model(String modelId, Dataset train, double[] theta, Standardization standardization,
                                Map<String, Map<String, Double>> metrics) {
        double[] w = java.util.Arrays.copyOfRange(theta, 1, theta.length);
        return new LogisticModel(modelId, 1, train.featureNames(), w, theta[0], standardization, options.threshold(),
                new ModelMetadata(clock.instant(), options.asParameters(), metrics));
    }
}
