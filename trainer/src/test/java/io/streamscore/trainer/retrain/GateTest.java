package io.streamscore.trainer.retrain;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.outcome.QualityAccumulator;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.eval.ClassificationMetrics;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GateTest {

    @Test
    void lowerIsBetterMetricsPassWhenNotWorseByMoreThanTheMargin() {
        Gate.Verdict better = Gate.judge(GateMetric.LOG_LOSS, 0.30, 3L, 0.40, 0);
        assertTrue(better.pass());
        assertEquals("candidate log-loss 0.3 vs champion v3 0.4 (lower is better): better by 0.1", better.reason());

        assertTrue(Gate.judge(GateMetric.LOG_LOSS, 0.40, 3L, 0.40, 0).pass(), "as good passes a margin of 0");
        Gate.Verdict worse = Gate.judge(GateMetric.LOG_LOSS, 0.41, 3L, 0.40, 0);
        assertFalse(worse.pass());
        assertTrue(worse.reason().endsWith("worse by 0.01, more than the margin 0"), worse.reason());

        Gate.Verdict within = Gate.judge(GateMetric.BRIER, 0.21, 3L, 0.20, 0.02);
        assertTrue(within.pass(), within.reason());
        assertTrue(within.reason().endsWith("worse by 0.01, within the margin 0.02"), within.reason());
        assertFalse(Gate.judge(GateMetric.BRIER, 0.23, 3L, 0.20, 0.02).pass());
    }

    @Test
    void higherIsBetterMetricsCompareTheOtherWay() {
        assertTrue(Gate.judge(GateMetric.AUC, 0.90, 1L, 0.80, 0).pass());
        Gate.Verdict worse = Gate.judge(GateMetric.AUC, 0.80, 1L, 0.90, 0.05);
        assertFalse(worse.pass());
        assertEquals("candidate auc 0.8 vs champion v1 0.9 (higher is better): worse by 0.1, more than the margin 0.05",
                worse.reason());
        assertTrue(Gate.judge(GateMetric.ACCURACY, 0.86, 1L, 0.88, 0.05).pass());
        assertFalse(Gate.judge(GateMetric.ACCURACY, 0.80, 1L, 0.88, 0.05).pass());
    }

    @Test
    void withoutAChampionTheCandidateIsPublishedAndSaysSo() {
        Gate.Verdict first = Gate.judge(GateMetric.LOG_LOSS, 0.5, null, Double.NaN, 0);
        assertTrue(first.pass());
        assertTrue(first.reason().startsWith("no champion yet"), first.reason());
    }

    @Test
    void anUndefinedFigureNeverPasses() {
        assertFalse(Gate.judge(GateMetric.AUC, Double.NaN, 2L, 0.8, 0).pass());
        assertFalse(Gate.judge(GateMetric.AUC, 0.8, 2L, Double.NaN, 0).pass());
        assertThrows(IllegalArgumentException.class, () -> Gate.judge(GateMetric.AUC, 0.8, 2L, 0.7, -0.1));
    }

    @Test
    void roundsWithTooFewRowsOrOneClassAreSkippedWithTheReason() {
        assertNull(Gate.skipReason(400, 200, 100, 50, 100));
        assertEquals("no rows in the range", Gate.skipReason(0, 0, 0, 0, 100));
        assertEquals("too few rows to train on: 99 older than the held-out part, fewer than --min-rows 100",
                Gate.skipReason(99, 40, 400, 200, 100));
        assertEquals("too few held-out rows to judge on: 99, fewer than --min-rows 100",
                Gate.skipReason(400, 200, 99, 40, 100));
        assertEquals("one class only in the training part: all 400 rows have label 0",
                Gate.skipReason(400, 0, 100, 50, 100));
        assertEquals("one class only in the held-out part: all 100 rows have label 1",
                Gate.skipReason(400, 200, 100, 100, 100));
    }

    @Test
    void metricsAreTheProjectsOwnFigures() {
        double[] p = {0.9, 0.8, 0.3, 0.6, 0.1, 0.4};
        double[] y = {1, 1, 0, 0, 0, 1};
        QualityAccumulator sums = new QualityAccumulator();
        double logLoss = 0;
        double brier = 0;
        int correct = 0;
        for (int i = 0; i < p.length; i++) {
            sums.add(p[i], p[i] >= 0.5 ? 1 : 0, (int) y[i], 0.5);
            logLoss += y[i] == 1 ? -Math.log(p[i]) : -Math.log(1 - p[i]);
            brier += (p[i] - y[i]) * (p[i] - y[i]);
            correct += (p[i] >= 0.5) == (y[i] == 1) ? 1 : 0;
        }
        assertEquals(logLoss / p.length, GateMetric.LOG_LOSS.of(p, y, 0.5), 1e-12);
        assertEquals(sums.figures().logLoss(), GateMetric.LOG_LOSS.of(p, y, 0.5));
        assertEquals(brier / p.length, GateMetric.BRIER.of(p, y, 0.5), 1e-12);
        assertEquals((double) correct / p.length, GateMetric.ACCURACY.of(p, y, 0.5));
        // Positives 0.9, 0.8, 0.4 against negatives 0.3, 0.6, 0.1: 8 of the 9 pairs ordered right.
        assertEquals(8.0 / 9, GateMetric.AUC.of(p, y, 0.5), 1e-12);
        assertEquals(ClassificationMetrics.of(p, y, 0.5, 0).rocAuc(), GateMetric.AUC.of(p, y, 0.5));
    }

    @Test
    void aModelIsEvaluatedOnRowsInItsFeatureOrder() {
        LogisticModel model = new LogisticModel("m", 1, List.of("a", "b"), new double[] {2, -1}, 0.5, null, 0.5, null);
        Dataset rows = new Dataset(List.of("a", "b"), new double[] {1, 0, 0, 1, -1, 2}, new double[] {1, 0, 0}, "t");
        double expected = 0;
        for (int i = 0; i < 3; i++) {
            double p = model.predictProbability(rows.row(i));
            expected += rows.label(i) == 1 ? -Math.log(p) : -Math.log(1 - p);
        }
        assertEquals(expected / 3, GateMetric.LOG_LOSS.evaluate(model, rows), 1e-12);
        Dataset swapped = new Dataset(List.of("b", "a"), new double[] {0, 1, 1, 0, 2, -1}, new double[] {1, 0, 0}, "t");
        assertThrows(IllegalArgumentException.class, () -> GateMetric.LOG_LOSS.evaluate(model, swapped));
    }

    @Test
    void metricNamesAreTheCommandLines() {
        assertEquals(GateMetric.LOG_LOSS, GateMetric.parse("log-loss"));
        assertEquals(GateMetric.AUC, GateMetric.parse("AUC"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GateMetric.parse("f1"));
        assertEquals("'f1' is not a gate metric; use log-loss, brier, auc or accuracy", e.getMessage());
    }
}
