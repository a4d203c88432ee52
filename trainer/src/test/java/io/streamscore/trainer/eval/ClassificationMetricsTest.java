package io.streamscore.trainer.eval;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ClassificationMetricsTest {

    @Test
    void confusionMatrixAndDerivedScores() {
        double[] p = {0.9, 0.8, 0.3, 0.6, 0.1, 0.4};
        double[] y = {1, 1, 1, 0, 0, 0};
        ClassificationMetrics m = ClassificationMetrics.of(p, y, 0.5, 0.0);
        assertEquals(2, m.truePositives());
        assertEquals(1, m.falseNegatives());
        assertEquals(1, m.falsePositives());
        assertEquals(2, m.trueNegatives());
        assertEquals(4.0 / 6, m.accuracy(), 1e-15);
        assertEquals(2.0 / 3, m.precision(), 1e-15);
        assertEquals(2.0 / 3, m.recall(), 1e-15);
        assertEquals(2.0 / 3, m.f1(), 1e-15);
        // Pairs (pos, neg) ordered correctly: 0.9 and 0.8 beat all 3 negatives, 0.3 beats only 0.1 → 7 of 9.
        assertEquals(7.0 / 9, m.rocAuc(), 1e-15);
    }

    @Test
    void precisionIsZeroWhenNothingIsPredictedPositive() {
        ClassificationMetrics m = ClassificationMetrics.of(new double[] {0.1, 0.2}, new double[] {1, 0}, 0.5, 0.0);
        assertEquals(0.0, m.precision());
        assertEquals(0.0, m.f1());
    }

    @Test
    void aucMatchesBruteForceWithTies() {
        SplittableRandom random = new SplittableRandom(3);
        int n = 2000;
        double[] p = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = random.nextInt(2);
            // Coarse scores: many ties, which count half.
            p[i] = Math.min(1, Math.max(0, Math.round((0.5 + (y[i] - 0.5) * 0.3 + random.nextGaussian() * 0.3) * 20) / 20.0));
        }
        double wins = 0;
        long pairs = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (y[i] == 1 && y[j] == 0) {
                    pairs++;
                    wins += p[i] > p[j] ? 1 : p[i] == p[j] ? 0.5 : 0;
                }
            }
        }
        assertEquals(wins / pairs, ClassificationMetrics.of(p, y, 0.5, 0).rocAuc(), 1e-12);
    }

    @Test
    void rocCurveRunsFromOriginToOneOne() {
        ClassificationMetrics m = ClassificationMetrics.of(new double[] {0.9, 0.8, 0.3, 0.6, 0.1, 0.4},
                new double[] {1, 1, 1, 0, 0, 0}, 0.5, 0);
        double[] fpr = m.roc().falsePositiveRate();
        double[] tpr = m.roc().truePositiveRate();
        assertEquals(0.0, fpr[0]);
        assertEquals(0.0, tpr[0]);
        assertEquals(1.0, fpr[fpr.length - 1]);
        assertEquals(1.0, tpr[tpr.length - 1]);
        // Thresholds 0.9, 0.8, 0.6, 0.4, 0.3, 0.1.
        assertArrayEquals(new double[] {0, 0, 0, 1.0 / 3, 2.0 / 3, 2.0 / 3, 1}, fpr, 1e-15);
        assertArrayEquals(new double[] {0, 1.0 / 3, 2.0 / 3, 2.0 / 3, 2.0 / 3, 1, 1}, tpr, 1e-15);
    }
}
