package io.streamscore.trainer.optim;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.Standardization;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.data.Standardizer;
import io.streamscore.trainer.eval.ClassificationMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;

/**
 * Gets the trainer's hot code compiled before the real data reaches it. Code that runs once over a million rows runs
 * in the interpreter until the JIT replaces it, seconds on a busy machine; code the JIT has already compiled from a few
 * hundred calls on small data does not. So a background thread, started as early as possible (the CLI starts it before
 * it reads the data), runs the kernels' {@link PassKernels.Race} and the data preparation (standardization, the copy
 * into tiles, the metrics) on a small synthetic data set. It only ever computes on its own data; the one thing it
 * changes is which kernel passes use, which does not change their results.
 */
public final class WarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(WarmUp.class);
    /** Calls of the preparation code: past the JIT's thresholds for its optimizing compiler (~600 calls). */
    private static final int PREPARATION_ROUNDS = 1000;
    /** The most time the warm-up may take; after it passes stay as they are (scalar if the race was not decided). */
    private static final long LIMIT_NANOS = 30_000_000_000L;
    private static Thread thread;

    private WarmUp() {
    }

    /** Starts the warm-up on a daemon thread unless it has started before. */
    public static synchronized void startInBackground() {
        if (thread != null) {
            return;
        }
        thread = new Thread(WarmUp::run, "trainer-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    /** Starts the warm-up if needed and waits for it, at most {@code millis}: for benchmarks of warm code. */
    public static void await(long millis) throws InterruptedException {
        startInBackground();
        Thread t;
        synchronized (WarmUp.class) {
            t = thread;
        }
        t.join(millis);
    }

    private static void run() {
        long start = System.nanoTime();
        try {
            Dataset small = smallData();
            PassKernels.Race race = new PassKernels.Race();
            double[] theta = {0.2, 0.1, -0.3, 0.5, 0.05, -0.2, 0.4};
            boolean decided = false;
            int prepared = 0;
            while (!(decided && prepared >= PREPARATION_ROUNDS) && System.nanoTime() - start < LIMIT_NANOS) {
                if (!decided) {
                    decided = race.round();
                }
                if (prepared < PREPARATION_ROUNDS) {
                    prepare(small, theta);
                    prepared++;
                }
            }
            LOG.debug("warm-up done in {} ms; passes run {}", (System.nanoTime() - start) / 1_000_000,
                    PassKernels.current().description());
        } catch (RuntimeException e) {
            // Only speed is at stake: training works the same without the warm-up.
            LOG.debug("warm-up failed", e);
        }
    }

    /** 333 rows (a partial last tile, as real data usually has) of 6 Gaussian features, labels from a logistic model. */
    private static Dataset smallData() {
        int rows = 333;
        int k = 6;
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        double[] x = new double[rows * k];
        double[] y = new double[rows];
        java.util.List<String> names = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            names.add("x" + j);
        }
        for (int i = 0; i < rows; i++) {
            double z = 0.2;
            for (int j = 0; j < k; j++) {
                x[i * k + j] = random.nextGaussian();
                z += x[i * k + j] * (j % 2 == 0 ? 0.7 : -0.4);
            }
            y[i] = random.nextDouble() < io.streamscore.common.LogisticMath.sigmoid(z) ? 1 : 0;
        }
        return new Dataset(names, x, y, "warm-up");
    }

    /** What training does to its data before and after the passes, on the small data set. */
    private static void prepare(Dataset data, double[] theta) {
        Standardization s = Standardizer.fit(data, new ArrayList<>());
        data.identifierLikeColumns();
        try (FusedPass pass = new FusedPass(data, s, 1, PassKernels.SCALAR)) {
            pass.separates(theta);
        }
        LogisticModel model = new LogisticModel("warm-up", 1, data.featureNames(),
                java.util.Arrays.copyOfRange(theta, 1, theta.length), theta[0], s, 0.5, null);
        ClassificationMetrics.evaluate(model, data);
    }
}
