package io.streamscore.trainer.optim;

import io.streamscore.trainer.cli.CliRunner;
import io.streamscore.trainer.cli.ExitCode;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.synthetic.SyntheticData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The trainer claims the optimum only where the gradient vanishes, and L-BFGS does not give up on a stale estimate. */
class StoppingTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private static TrainingResult train(Dataset data, TrainingOptions options) {
        return new LogisticRegressionTrainer(options, CLOCK, ProgressListener.NONE).train(data, null, "t");
    }

    /**
     * Feature 1 on an income's scale (around 60,000, spread 20,000), feature 2 around 0 with spread 0.001: the step
     * size that is stable along feature 1 barely moves the others, so without scaling the loss soon falls by less than
     * the tolerance per step while the gradient is still far from zero.
     */
    private static Dataset unscaled() {
        Dataset raw = SyntheticData.logistic(3000, 3, 21);
        double[] x = raw.features().clone();
        for (int i = 0; i < raw.rows(); i++) {
            x[i * 3] = x[i * 3] * 20_000 + 60_000;
            x[i * 3 + 1] = x[i * 3 + 1] * 0.001;
        }
        return new Dataset(raw.featureNames(), x, raw.labels(), "unscaled");
    }

    /** ‖∇f‖∞ at the model's weights, computed afresh (no penalty, raw features). */
    private static double gradientNormAt(Dataset data, TrainingResult result, double lambda) {
        double[] theta = new double[data.cols() + 1];
        theta[0] = result.model().intercept();
        System.arraycopy(result.model().weights(), 0, theta, 1, data.cols());
        double[] g = new double[theta.length];
        try (FusedPass pass = new FusedPass(data, 1)) {
            LogisticRegressionTrainer.objective(pass.evaluate(theta, g), g, theta, data.rows(), lambda);
        }
        return StoppingRule.gradientNorm(g);
    }

    @Test
    void unscaledDataAfterLearningRateHalvingsIsNotReportedConverged() {
        Dataset data = unscaled();
        TrainingOptions options = TrainingOptions.defaults().withStandardize(false);
        TrainingResult result = train(data, options);

        assertTrue(result.warnings().stream().anyMatch(w -> w.matches("learning rate .* raised the loss at iteration .*;"
                        + " it was halved ([3-9]|\\d\\d+) times in all.*")),
                () -> "expected several halvings: " + result.warnings());
        assertEquals(1, result.warnings().stream().filter(w -> w.startsWith("learning rate")).count(),
                () -> "one learning-rate warning however often it is halved: " + result.warnings());
        assertTrue(result.farFromOptimum(), "judged far from the optimum");
        assertTrue(result.problem().startsWith("NOT CONVERGED: training stopped far from the optimum"), result.problem());
        assertEquals(StopReason.STALLED, result.stopReason(), () -> "gradient " + result.gradientNorm());
        assertTrue(result.gradientNorm() > options.gradientTolerance(), "gradient " + result.gradientNorm());
        assertEquals(gradientNormAt(data, result, 0), result.gradientNorm(), 1e-12 * result.gradientNorm(),
                "the reported gradient norm is the one at the final weights");
        assertTrue(result.warnings().stream().anyMatch(w -> w.startsWith("training stopped short of the optimum")),
                () -> "warnings: " + result.warnings());
        assertEquals(result.gradientNorm(), result.model().metadata().metrics().get("training").get("finalGradientNorm"));
    }

    @Test
    void aRunThatOnlyJustMissesTheToleranceIsNotFarFromTheOptimum() {
        TrainingResult near = train(SyntheticData.overlappingClusters(500, 3), TrainingOptions.defaults().withIterations(500));
        assertEquals(StopReason.MAX_ITERATIONS, near.stopReason());
        assertTrue(near.gradientNorm() > TrainingOptions.DEFAULT_GRADIENT_TOLERANCE, "not converged: " + near.gradientNorm());
        assertFalse(near.farFromOptimum(), "gradient " + near.gradientNorm());
        assertEquals(null, near.problem());
        TrainingResult far = train(unscaled(), TrainingOptions.defaults().withStandardize(false));
        assertTrue(far.gradientNorm() > TrainingResult.FAR_FROM_OPTIMUM * TrainingOptions.DEFAULT_GRADIENT_TOLERANCE);
        assertTrue(far.farFromOptimum());
        assertTrue(far.problem().matches("NOT CONVERGED: training stopped far from the optimum \\(the loss fell by less"
                + " than the tolerance but the gradient is still above the gradient tolerance; gradient norm [0-9.]+, above"
                + " 0\\.01\\)\\. Standardized features \\(leave out --no-standardize\\) or --solver lbfgs get further"),
                far.problem());
    }

    @Test
    void convergedAlwaysMeansTheGradientIsWithinTheTolerance() {
        List<Dataset> datasets = List.of(SyntheticData.overlappingClusters(500, 3), SyntheticData.logistic(4000, 6, 4),
                unscaled());
        int converged = 0;
        for (Dataset data : datasets) {
            for (Solver solver : Solver.values()) {
                for (double lambda : new double[] {0, 0.01}) {
                    // Raw features: the gradient is recomputed in their space.
                    TrainingOptions options = TrainingOptions.defaults().withStandardize(false).withSolver(solver)
                            .withL2(lambda).withIterations(3000);
                    TrainingResult r = train(data, options);
                    String what = data.source() + " " + solver + " λ=" + lambda + ": " + r.stopReason()
                            + " gradient " + r.gradientNorm();
                    assertEquals(gradientNormAt(data, r, lambda), r.gradientNorm(), 1e-9, what);
                    assertEquals(r.stopReason().converged(), r.gradientNorm() <= options.gradientTolerance(), what);
                    converged += r.stopReason().converged() ? 1 : 0;
                }
            }
        }
        assertTrue(converged >= 6, "most of these runs should converge: " + converged);
    }

    @Test
    void theGradientTestStopsBeforeTheFallTest() {
        Dataset data = SyntheticData.logistic(4000, 5, 5);
        TrainingOptions noFallTest = TrainingOptions.defaults().withTolerance(0).withStandardize(true);
        TrainingResult loose = train(data, noFallTest.withGradientTolerance(1e-3));
        TrainingResult tight = train(data, noFallTest.withGradientTolerance(1e-6));
        assertEquals(StopReason.CONVERGED, loose.stopReason());
        assertEquals(StopReason.CONVERGED, tight.stopReason());
        assertTrue(loose.gradientNorm() <= 1e-3 && tight.gradientNorm() <= 1e-6);
        assertTrue(loose.iterations() < tight.iterations(), loose.iterations() + " vs " + tight.iterations());
    }

    /** f(θ) = ½ Σ a_j θ_j², failing (NaN, as an overflowing loss would) on calls [failFrom, failFrom + failures). */
    private static final class FailingQuadratic implements Objective {
        private static final double[] A = {1, 10, 100, 3};
        final long failFrom;
        final long failures;
        long calls;

        FailingQuadratic(long failFrom, long failures) {
            this.failFrom = failFrom;
            this.failures = failures;
        }

        @Override
        public double evaluate(double[] theta, double[] gradient) {
            long call = calls++;
            double f = 0;
            for (int j = 0; j < theta.length; j++) {
                gradient[j] = A[j] * theta[j];
                f += 0.5 * A[j] * theta[j] * theta[j];
            }
            return call >= failFrom && call < failFrom + failures ? Double.NaN : f;
        }
    }

    private record Run(StopReason stop, long calls, long callsAfterIteration2) {
    }

    private static Run lbfgs(FailingQuadratic f) {
        double[] theta = {1, 1, 1, 1};
        double[] gradient = new double[4];
        double f0 = f.evaluate(theta, gradient);
        long[] atIteration2 = {-1};
        IterationLog log = new IterationLog(100, false, (iteration, max, objective) -> {
            if (iteration == 2) {
                atIteration2[0] = f.calls;
            }
        });
        log.start(f0, theta);
        StopReason stop = Lbfgs.minimize(f, theta, gradient, f0, new StoppingRule(0, 1e-10), log);
        return new Run(stop, f.calls, atIteration2[0]);
    }

    @Test
    void lbfgsFallsBackToSteepestDescentWhenTheLineSearchFails() {
        Run clean = lbfgs(new FailingQuadratic(Long.MAX_VALUE, 0));
        assertEquals(StopReason.CONVERGED, clean.stop());
        // Every trial of iteration 3's quasi-Newton line search fails; the steepest-descent retry must carry on.
        Run recovered = lbfgs(new FailingQuadratic(clean.callsAfterIteration2(), Lbfgs.MAX_BACKTRACKS));
        assertEquals(StopReason.CONVERGED, recovered.stop(), "after a failed line search");
        // When the steepest-descent search fails too, it gives up: after exactly both searches, not after the first.
        Run givenUp = lbfgs(new FailingQuadratic(clean.callsAfterIteration2(), 1_000_000));
        assertEquals(StopReason.STEP_UNDERFLOW, givenUp.stop());
        assertEquals(clean.callsAfterIteration2() + 2L * Lbfgs.MAX_BACKTRACKS, givenUp.calls());
    }

    @Test
    void cliPrintsTheGradientNormAndDoesNotClaimConvergenceOnUnscaledData() throws Exception {
        Path file = dir.resolve("unscaled.csv");
        try (Writer w = Files.newBufferedWriter(file)) {
            SyntheticData.writeCsv(unscaled(), w);
        }
        CliRunner.Run r = CliRunner.run("train", "--data", file.toString(), "--out", dir.resolve("m.json").toString(),
                "--quiet", "--holdout", "0", "--no-standardize");
        assertEquals(ExitCode.UNCONVERGED, r.exit(), r.err());
        assertTrue(r.out().contains("gradient norm"), r.out());
        assertTrue(r.out().contains("(not converged)"), r.out());
        assertFalse(r.out().contains(": converged"), r.out());
        // One loud line at the end, on stderr; the model is still written.
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: NOT CONVERGED: training stopped far from the optimum"), r.err());
        assertTrue(r.err().contains("exit 3 (--allow-unconverged accepts it)"), r.err());
        assertTrue(Files.exists(dir.resolve("m.json")));
        CliRunner.Run allowed = CliRunner.run("train", "--data", file.toString(), "--out", dir.resolve("m1.json").toString(),
                "--quiet", "--holdout", "0", "--no-standardize", "--allow-unconverged");
        assertEquals(ExitCode.OK, allowed.exit(), allowed.err());
        assertTrue(allowed.out().strip().endsWith("(accepted: --allow-unconverged)"), allowed.out());
        // The default standardizes: the same file converges.
        CliRunner.Run byDefault = CliRunner.run("train", "--data", file.toString(), "--out", dir.resolve("m2.json").toString(),
                "--quiet", "--holdout", "0");
        assertEquals(ExitCode.OK, byDefault.exit(), byDefault.err());
        assertTrue(byDefault.out().contains(": converged"), byDefault.out());
    }
}
