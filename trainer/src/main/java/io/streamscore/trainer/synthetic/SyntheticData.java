package io.streamscore.trainer.synthetic;


import io.streamscore.trainer.data.Dataset;

import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded data sets for tests, benchmarks and the demo, after the two-cluster examples: two 2-D Gaussian clusters,
 * either well separated or overlapping, and wide random logistic data for benchmarks.
 */
public final class SyntheticData {
    /**
     * Distance between the overlapping clusters' centres along each axis. With unit-variance clusters at (0, 0) and
     * (a, a) the best possible (Bayes) accuracy is Φ(a·√2 / 2); a = 2.1 gives Φ(1.485) ≈ 93%, the overlapping-clusters example's figure.
     */
    public static final double OVERLAP_OFFSET = 2.1;

    private SyntheticData() {
    }

    /**
     * Two clusters whose points all keep at least {@code margin} from the line x1 + x2 = 3 between them (points that
     * would not are drawn again), so the classes are linearly separable by construction.
     */
    public static Dataset separableClusters(int rowsPerClass, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = new double[4 * rowsPerClass];
        double[] y = new double[2 * rowsPerClass];
        double margin = 0.5;
        for (int i = 0; i < 2 * rowsPerClass; i++) {
            int label = i % 2;
            double centre = label == 0 ? 0.0 : 3.0;
            double a;
            double b;
            do {
                a = centre + random.nextGaussian();
                b = centre + random.nextGaussian();
            } while ((label == 1 ? 1 : -1) * ((a + b - 3.0) / Math.sqrt(2)) < margin);
            x[2 * i] = a;
            x[2 * i + 1] = b;
            y[i] = label;
        }
        return new Dataset(List.of("x1", "x2"), x, y, "separable clusters (seed " + seed + ")");
    }

    /** Unit-variance clusters at (0, 0) and ({@link #OVERLAP_OFFSET}, {@link #OVERLAP_OFFSET}), labels alternating. */
    public static Dataset overlappingClusters(int rowsPerClass, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = new double[4 * rowsPerClass];
        double[] y = new double[2 * rowsPerClass];
        for (int i = 0; i < 2 * rowsPerClass; i++) {
            int label = i % 2;
            double centre = label == 0 ? 0.0 : OVERLAP_OFFSET;
            x[2 * i] = centre + random.nextGaussian();
            x[2 * i + 1] = centre + random.nextGaussian();
            y[i] = label;
        }
        return new Dataset(List.of("x1", "x2"), x, y, "overlapping clusters (seed " + seed + ")");
    }

    /**
     * {@code rows} × {@code features} standard-normal features, labels drawn from a logistic model with random
     * weights in [−1, 1]: realistic, non-separable data whose optimum is finite.
     */
    public static Dataset logistic(int rows, int features, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] w = new double[features];
        for (int j = 0; j < features; j++) {
            w[j] = random.nextDouble(-1, 1);
        }
        double[] x = new double[rows * features];
        double[] y = new double[rows];
        for (int i = 0; i < rows; i++) {
            double z = 0.3;
            for (int j = 0; j < features; j++) {
                double v = random.nextGaussian();
                x[i * features + j] = v;
                z += w[j] * v;
            }
            y[i] = random.nextDouble() < io.streamscore.common.LogisticMath.sigmoid(z) ? 1 : 0;
        }
        String[] names = new String[features];
        for (int j = 0; j < features; j++) {
            names[j] = "f" + (j + 1);
        }
        return new Dataset(List.of(names), x, y, rows + "x" + features + " logistic data (seed " + seed + ")");
    }

    /** The data as CSV text with a header and the label last, the format {@code train} reads. */
    public static void writeCsv(Dataset data, java.io.Writer out) throws java.io.IOException {
        out.write(String.join(",", data.featureNames()) + ",label\n");
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < data.rows(); i++) {
            line.setLength(0);
            for (int j = 0; j < data.cols(); j++) {
                line.append(data.value(i, j)).append(',');
            }
            line.append((int) data.label(i)).append('\n');
            out.write(line.toString());
        }
    }
}
