package io.streamscore.trainer.data;

import io.streamscore.common.Standardization;

import java.util.List;

/** The z-scoring {@code --standardize} applies: each feature's training mean and population std. */
public final class Standardizer {
    private Standardizer() {
    }

    /**
     * Training means and population stds. A constant column gets std 1 (as scikit-learn's StandardScaler does), and
     * "constant" includes a column whose std is within the rounding error of computing it: 0.1 repeated has a
     * computed mean a few ulps off 0.1 and so a std of ~1e-17, and dividing by that would multiply the column by 1e16
     * in every score. The bound is StandardScaler's: var ≤ m·ε·var + (m·ε·mean)².
     */
    public static Standardization fit(Dataset data, List<String> warnings) {
        int k = data.cols();
        int m = data.rows();
        double[] x = data.features();
        double[] mean = new double[k];
        double[] std = new double[k];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                mean[j] += x[i * k + j];
            }
        }
        for (int j = 0; j < k; j++) {
            mean[j] /= m;
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                double d = x[i * k + j] - mean[j];
                std[j] += d * d;
            }
        }
        for (int j = 0; j < k; j++) {
            double variance = std[j] / m;
            std[j] = Math.sqrt(variance);
            if (!(std[j] > 0) || !Double.isFinite(std[j]) || withinRounding(variance, mean[j], m)) {
                String msg = "feature '" + data.featureNames().get(j) + "' is constant (" + mean[j]
                        + ") in the training data; it carries no information and is left unscaled (std 1)";
                warnings.add(msg);
                std[j] = 1.0;
            }
        }
        return new Standardization(mean, std);
    }

    /** Whether a computed variance is no larger than the rounding error of summing m values around {@code mean}. */
    static boolean withinRounding(double variance, double mean, int m) {
        double eps = Math.ulp(1.0);
        double drift = m * eps * mean;
        return variance <= m * eps * variance + drift * drift;
    }
}
