package io.streamscore.trainer.optim;

import io.streamscore.common.ModelJson;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.synthetic.SyntheticData;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LbfgsTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T00:00:00Z"), ZoneOffset.UTC);

    private static TrainingResult train(Dataset data, TrainingOptions options) {
        return new LogisticRegressionTrainer(options, CLOCK, ProgressListener.NONE).train(data, null, "t");
    }

    private static double passes(TrainingResult r) {
        return r.model().metadata().metrics().get("training").get("passesOverData");
    }

    /** Correlated, unevenly scaled features: the case where plain gradient descent crawls. */
    private static Dataset illConditioned() {
        Dataset base = SyntheticData.logistic(3000, 5, 11);
        double[] x = base.features().clone();
        for (int i = 0; i < base.rows(); i++) {
            x[i * 5 + 1] = x[i * 5] * 0.9 + x[i * 5 + 1] * 0.1;
            x[i * 5 + 2] *= 8;
        }
        return new Dataset(base.featureNames(), x, base.labels(), "ill-conditioned");
    }

    @Test
    void reachesTheSameOptimumAsGradientDescentWithFarFewerPasses() {
        Dataset data = illConditioned();
        TrainingOptions options = TrainingOptions.defaults().withL2(0.01).withTolerance(1e-13).withGradientTolerance(1e-7)
                .withIterations(20_000).withLearningRate(0.05);
        TrainingResult gd = train(data, options);
        TrainingResult lbfgs = train(data, options.withSolver(Solver.LBFGS));
        // With λ > 0 the optimum is unique: both must find it.
        assertEquals(gd.finalObjective(), lbfgs.finalObjective(), 1e-9);
        assertArrayEquals(gd.model().weights(), lbfgs.model().weights(), 1e-4);
        assertTrue(passes(lbfgs) * 10 < passes(gd),
                () -> "L-BFGS " + passes(lbfgs) + " passes vs gradient descent " + passes(gd));
        assertEquals("l-bfgs", lbfgs.model().metadata().trainingParameters().get("algorithm"));
    }

    @Test
    void objectiveNeverRises() {
        TrainingResult r = train(illConditioned(), TrainingOptions.defaults().withSolver(Solver.LBFGS).withTolerance(0));
        double[] h = r.objectiveHistory();
        assertTrue(h.length > 5);
        for (int i = 1; i < h.length; i++) {
            assertTrue(h[i] <= h[i - 1], "objective rose at iteration " + i);
        }
        assertTrue(r.stopReason() != StopReason.MAX_ITERATIONS, r.stopReason().description());
    }

    @Test
    void bitIdenticalOnAnyThreadCount() {
        Dataset data = SyntheticData.logistic(3 * FusedPass.CHUNK_ROWS + 5, 6, 12);
        TrainingOptions options = TrainingOptions.defaults().withSolver(Solver.LBFGS).withIterations(30).withStandardize(true);
        byte[] one = ModelJson.toBytes(train(data, options.withThreads(1)).model());
        for (int threads : new int[] {3, 4, Runtime.getRuntime().availableProcessors()}) {
            assertArrayEquals(one, ModelJson.toBytes(train(data, options.withThreads(threads)).model()), threads + " threads");
        }
    }

    @Test
    void matchesTheDocumentsOnOverlappingClusters() {
        Dataset data = SyntheticData.overlappingClusters(1000, 2);
        TrainingResult gd = train(data, TrainingOptions.defaults());
        TrainingResult lbfgs = train(data, TrainingOptions.defaults().withSolver(Solver.LBFGS));
        assertEquals(gd.trainMetrics().accuracy(), lbfgs.trainMetrics().accuracy(), 0.005);
        assertTrue(lbfgs.finalObjective() <= gd.finalObjective() + 1e-6);
    }
}
