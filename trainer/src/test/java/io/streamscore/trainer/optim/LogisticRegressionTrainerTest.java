package io.streamscore.trainer.optim;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.data.Standardizer;
import io.streamscore.trainer.synthetic.SyntheticData;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogisticRegressionTrainerTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T00:00:00Z"), ZoneOffset.UTC);

    private static TrainingResult train(Dataset data, TrainingOptions options) {
        return new LogisticRegressionTrainer(options, CLOCK, ProgressListener.NONE).train(data, null, "test");
    }

    @Test
    void separableClustersReachFullAccuracyWithin750Iterations() {
        Dataset data = SyntheticData.separableClusters(500, 1);
        TrainingOptions options = TrainingOptions.defaults().withIterations(750).withTolerance(0);
        TrainingResult result = train(data, options);

        assertEquals(1.0, result.trainMetrics().accuracy(), "training accuracy on well-separated clusters");
        assertTrue(result.iterations() <= 750);
        assertTrue(result.separable(), "separable data must be detected");
        assertTrue(result.warnings().stream().anyMatch(w -> w.contains("linearly separable") && w.contains("--l2")),
                () -> "warnings: " + result.warnings());
        // Without a penalty the weights keep growing on separable data: the symptom the warning describes.
        TrainingResult longer = train(data, options.withIterations(1500));
        assertTrue(norm(longer.model().weights()) > norm(result.model().weights()));
    }

    @Test
    void l2GivesAFiniteOptimumOnSeparableData() {
        Dataset data = SyntheticData.separableClusters(500, 1);
        // Raw features: the gradient below is computed in their space.
        TrainingResult result = train(data, TrainingOptions.defaults().withStandardize(false).withL2(0.01)
                .withTolerance(1e-12).withGradientTolerance(1e-5));
        assertFalse(result.separable());
        assertEquals(StopReason.CONVERGED, result.stopReason(), result.stopReason().description());
        assertTrue(gradientNorm(data, result.model(), 0.01) < 1e-4, "at the optimum the gradient vanishes");
        assertEquals(1.0, result.trainMetrics().accuracy());
    }

    @Test
    void overlappingClustersScoreAsWellAsTheBestLinearSeparator() {
        Dataset data = SyntheticData.overlappingClusters(1000, 2);
        TrainingResult result = train(data, TrainingOptions.defaults());

        // Equal-covariance Gaussians: the Bayes-optimal rule is the midline x1 + x2 = a; it is the best linear
        // separator in expectation. Measure its accuracy on this very sample.
        double a = SyntheticData.OVERLAP_OFFSET;
        int correct = 0;
        for (int i = 0; i < data.rows(); i++) {
            int predicted = data.value(i, 0) + data.value(i, 1) > a ? 1 : 0;
            correct += predicted == data.label(i) ? 1 : 0;
        }
        double bayes = (double) correct / data.rows();
        assertEquals(0.93, bayes, 0.02, "the generator should make the overlapping-clusters example's ~93% data");
        assertEquals(bayes, result.trainMetrics().accuracy(), 0.02, "within two points of the best linear separator");
        assertFalse(result.separable());
    }

    @Test
    void analyticGradientMatchesFiniteDifferences() {
        Dataset data = SyntheticData.logistic(3000, 5, 3);
        double[] theta = {0.3, -0.7, 0.2, 1.1, -0.4, 0.05};
        for (double lambda : new double[] {0.0, 0.3}) {
            double[] analytic = new double[theta.length];
            double m = data.rows();
            try (FusedPass pass = new FusedPass(data, 2)) {
                LogisticRegressionTrainer.objective(pass.evaluate(theta, analytic), analytic, theta, data.rows(), lambda);
                for (int j = 0; j < theta.length; j++) {
                    double h = 1e-5;
                    double[] plus = theta.clone();
                    double[] minus = theta.clone();
                    plus[j] += h;
                    minus[j] -= h;
                    double[] scratch = new double[theta.length];
                    double fPlus = LogisticRegressionTrainer.objective(pass.evaluate(plus, scratch), scratch, plus, (int) m, lambda);
                    double fMinus = LogisticRegressionTrainer.objective(pass.evaluate(minus, scratch), scratch, minus, (int) m, lambda);
                    double numeric = (fPlus - fMinus) / (2 * h);
                    double relative = Math.abs(numeric - analytic[j]) / Math.max(Math.abs(analytic[j]), 1e-3);
                    int jj = j;
                    assertTrue(relative < 1e-6, () -> "λ=" + lambda + " θ" + jj + ": analytic " + analytic[jj]
                            + " vs numeric " + numeric + " (relative " + relative + ")");
                }
            }
        }
    }

    @Test
    void lossNeverRisesAtASmallLearningRate() {
        TrainingResult result = train(SyntheticData.overlappingClusters(300, 4),
                TrainingOptions.defaults().withLearningRate(0.01).withIterations(400).withTolerance(0));
        double[] history = result.objectiveHistory();
        assertEquals(401, history.length);
        for (int i = 1; i < history.length; i++) {
            assertTrue(history[i] <= history[i - 1], "loss rose at iteration " + i);
        }
        assertTrue(history[400] < history[0]);
        assertTrue(result.warnings().isEmpty(), () -> "no warning expected: " + result.warnings());
    }

    @Test
    void aLearningRateThatRaisesTheLossIsReportedAndReduced() {
        Dataset data = SyntheticData.overlappingClusters(300, 5);
        TrainingResult result = train(data, TrainingOptions.defaults().withLearningRate(500).withIterations(300));
        assertTrue(result.warnings().stream().anyMatch(w -> w.startsWith("learning rate 500.0 raised the loss at iteration 1")),
                () -> "warnings: " + result.warnings());
        double[] history = result.objectiveHistory();
        for (int i = 1; i < history.length; i++) {
            assertTrue(Double.isFinite(history[i]) && history[i] <= history[i - 1], "iteration " + i);
        }
        for (double w : result.model().weights()) {
            assertTrue(Double.isFinite(w));
        }
        assertTrue(result.trainMetrics().accuracy() > 0.85, "still learns: " + result.trainMetrics().accuracy());
    }

    @Test
    void sameSeedGivesBitIdenticalModelsOnAnyThreadCount() {
        // Several chunks, so the parallel path really splits the work.
        Dataset data = SyntheticData.logistic(5 * FusedPass.CHUNK_ROWS + 123, 7, 6);
        TrainingOptions options = TrainingOptions.defaults().withIterations(40).withStandardize(true);
        LogisticModel one = train(data, options.withThreads(1)).model();
        LogisticModel all = train(data, options.withThreads(Runtime.getRuntime().availableProcessors())).model();
        LogisticModel three = train(data, options.withThreads(3)).model();
        assertArrayEquals(ModelJson.toBytes(one), ModelJson.toBytes(all));
        assertArrayEquals(ModelJson.toBytes(one), ModelJson.toBytes(three));
        LogisticModel otherSeed = train(data, options.withSeed(7).withThreads(1)).model();
        assertFalse(java.util.Arrays.equals(one.weights(), otherSeed.weights()), "the seed must matter");
    }

    @Test
    void defaultsWithStandardizationReachTheOptimum() {
        // Features on wildly different scales: raw gradient descent would crawl; standardized it converges.
        Dataset raw = SyntheticData.logistic(4000, 4, 8);
        double[] x = raw.features().clone();
        for (int i = 0; i < raw.rows(); i++) {
            x[i * 4] = x[i * 4] * 1000 + 5000;
            x[i * 4 + 1] = x[i * 4 + 1] * 0.001;
        }
        Dataset scaled = new Dataset(raw.featureNames(), x, raw.labels(), "scaled");
        TrainingResult result = train(scaled, TrainingOptions.defaults().withStandardize(true));
        assertTrue(result.stopReason() != StopReason.MAX_ITERATIONS, "should converge: " + result.stopReason());
        assertNotNull(result.model().standardization());
        assertTrue(gradientNormStandardized(scaled, result) < 1e-3, "gradient at the end: " + gradientNormStandardized(scaled, result));
        // Raw features in, same probability as on the standardized row: the model carries the scaling.
        double[] row = scaled.row(0);
        double[] mean = result.model().standardization().mean();
        double[] std = result.model().standardization().std();
        double z = result.model().intercept();
        double[] w = result.model().weights();
        for (int j = 0; j < 4; j++) {
            z += w[j] * ((row[j] - mean[j]) / std[j]);
        }
        assertEquals(io.streamscore.common.LogisticMath.sigmoid(z), result.model().predictProbability(row), 1e-15);
    }

    @Test
    void constantColumnGetsUnitStdAndAWarning() {
        Dataset base = SyntheticData.overlappingClusters(100, 9);
        double[] x = base.features().clone();
        for (int i = 0; i < base.rows(); i++) {
            x[i * 2 + 1] = 4.0;
        }
        TrainingResult result = train(new Dataset(List.of("x1", "flat"), x, base.labels(), "t"),
                TrainingOptions.defaults().withStandardize(true));
        assertEquals(1.0, result.model().standardization().std()[1]);
        assertTrue(result.warnings().stream().anyMatch(w -> w.contains("'flat' is constant")), () -> "" + result.warnings());
    }

    @Test
    void nearConstantColumnFromRoundingIsTreatedAsConstant() {
        Dataset base = SyntheticData.overlappingClusters(500, 9);
        double[] x = base.features().clone();
        for (int i = 0; i < base.rows(); i++) {
            x[i * 2 + 1] = 0.1;
        }
        Dataset data = new Dataset(List.of("x1", "tenth"), x, base.labels(), "t");
        // The premise: summing 0.1 a thousand times does not give a mean of exactly 0.1, so the std is not 0.
        double mean = 0;
        for (int i = 0; i < data.rows(); i++) {
            mean += data.value(i, 1);
        }
        mean /= data.rows();
        assertTrue(mean != 0.1 && Math.abs(mean - 0.1) < 1e-14, "mean " + mean);

        TrainingResult result = train(data, TrainingOptions.defaults().withStandardize(true).withSolver(Solver.LBFGS));
        assertEquals(1.0, result.model().standardization().std()[1]);
        assertTrue(result.warnings().stream().anyMatch(w -> w.contains("'tenth' is constant")), () -> "" + result.warnings());
        // Scoring a row whose value differs from the training constant in the last bit moves z by ~nothing.
        double[] row = data.row(0);
        double p = result.model().predictProbability(row);
        row[1] = Math.nextUp(0.1);
        assertEquals(p, result.model().predictProbability(row), 1e-12);
        assertTrue(Math.abs(result.model().weights()[1]) < 10, "weight " + result.model().weights()[1]);
    }

    @Test
    void smallButRealSpreadIsStandardized() {
        Dataset base = SyntheticData.overlappingClusters(500, 9);
        double[] x = base.features().clone();
        for (int i = 0; i < base.rows(); i++) {
            x[i * 2 + 1] = 1000.0 + 1e-6 * x[i * 2 + 1];
        }
        Dataset data = new Dataset(List.of("x1", "tiny"), x, base.labels(), "t");
        TrainingResult result = train(data, TrainingOptions.defaults().withStandardize(true));
        double std = result.model().standardization().std()[1];
        assertTrue(std > 1e-7 && std < 1e-5, "std " + std);
        assertTrue(result.warnings().stream().noneMatch(w -> w.contains("constant")), () -> "" + result.warnings());
    }

    @Test
    void snapshotsAreFourPointsEndingWithTheFinalModel() {
        TrainingResult result = train(SyntheticData.overlappingClusters(100, 10), TrainingOptions.defaults().withIterations(1000).withTolerance(0));
        assertEquals(4, result.snapshots().size());
        assertEquals(1000, result.snapshots().get(3).iteration());
        assertArrayEquals(result.model().weights(), result.snapshots().get(3).model().weights());
        for (int i = 1; i < 4; i++) {
            assertTrue(result.snapshots().get(i).iteration() > result.snapshots().get(i - 1).iteration());
        }
        assertArrayEquals(new int[] {1, 10, 100, 1000}, LogisticRegressionTrainer.snapshotIterations(1000));
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d * d;
        }
        return Math.sqrt(s);
    }

    /** ‖∇objective‖ for a raw-feature model. */
    private static double gradientNorm(Dataset data, LogisticModel model, double lambda) {
        double[] theta = new double[data.cols() + 1];
        theta[0] = model.intercept();
        System.arraycopy(model.weights(), 0, theta, 1, data.cols());
        double[] g = new double[theta.length];
        try (FusedPass pass = new FusedPass(data, 1)) {
            LogisticRegressionTrainer.objective(pass.evaluate(theta, g), g, theta, data.rows(), lambda);
        }
        return norm(g);
    }

    private static double gradientNormStandardized(Dataset raw, TrainingResult result) {
        List<String> ignored = new ArrayList<>();
        io.streamscore.common.Standardization s = Standardizer.fit(raw, ignored);
        double[] x = raw.features().clone();
        double[] mean = s.mean();
        double[] std = s.std();
        int k = raw.cols();
        for (int i = 0; i < raw.rows(); i++) {
            for (int j = 0; j < k; j++) {
                x[i * k + j] = (x[i * k + j] - mean[j]) / std[j];
            }
        }
        return gradientNorm(new Dataset(raw.featureNames(), x, raw.labels(), "z"), result.model(), 0);
    }
}
