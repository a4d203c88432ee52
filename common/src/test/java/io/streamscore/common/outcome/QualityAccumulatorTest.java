package io.streamscore.common.outcome;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The figures against a hand computation and against plain textbook formulas (exact AUC by counting pairs). */
class QualityAccumulatorTest {
    private record Obs(double p, int predicted, int label) {
    }

    @Test
    void fourOutcomesByHand() {
        QualityAccumulator a = new QualityAccumulator();
        // threshold 0.5: (0.9, y=1) TP, (0.6, y=0) FP, (0.3, y=1) FN, (0.1, y=0) TN
        a.add(0.9, 1, 1, 0.5);
        a.add(0.6, 1, 0, 0.5);
        a.add(0.3, 0, 1, 0.5);
        a.add(0.1, 0, 0, 0.5);
        QualityFigures f = a.figures();
        assertEquals(4, f.count());
        assertEquals(2, f.positives());
        assertEquals(0.5, f.accuracy());
        assertEquals(0.5, f.precision());
        assertEquals(0.5, f.recall());
        double logLoss = (-Math.log(0.9) - Math.log(0.4) - Math.log(0.3) - Math.log(0.9)) / 4;
        assertEquals(logLoss, f.logLoss(), 1e-15);
        assertEquals((0.01 + 0.36 + 0.49 + 0.01) / 4, f.brierScore(), 1e-15);
        // Pairs (pos, neg): (0.9,0.6) 1, (0.9,0.1) 1, (0.3,0.6) 0, (0.3,0.1) 1: 3/4, no pair shares a bin.
        assertEquals(0.75, f.rocAuc());
        assertEquals(0.0, f.rocAucErrorBound());
        QualityFigures.CalibrationBin b9 = f.calibration().get(9);
        assertEquals(1, b9.count());
        assertEquals(0.9, b9.meanPredicted(), 1e-15);
        assertEquals(1.0, b9.observedRate());
        assertEquals(0, f.calibration().get(5).positives());
        assertEquals(1, f.calibration().get(6).count());
        assertTrue(Double.isNaN(f.calibration().get(8).meanPredicted()), "an empty bin has no mean");
    }

    @Test
    void aPairInOneBinCountsHalfAndTheBoundCoversIt() {
        QualityAccumulator a = new QualityAccumulator();
        a.add(0.5004, 1, 1, 0.5); // bin 500
        a.add(0.5001, 1, 0, 0.5); // bin 500: exact AUC 1, binned 1/2
        QualityFigures f = a.figures();
        assertEquals(0.5, f.rocAuc());
        assertEquals(1.0, f.rocAucTiedPairFraction());
        assertEquals(0.5, f.rocAucErrorBound());
        assertTrue(Math.abs(1.0 - f.rocAuc()) <= f.rocAucErrorBound());
    }

    @Test
    void undefinedFiguresAreNaN() {
        QualityFigures empty = new QualityAccumulator().figures();
        assertEquals(0, empty.count());
        assertTrue(Double.isNaN(empty.logLoss()) && Double.isNaN(empty.accuracy()) && Double.isNaN(empty.rocAuc()));
        QualityAccumulator onlyNegatives = new QualityAccumulator();
        onlyNegatives.add(0.2, 0, 0, 0.5);
        QualityFigures f = onlyNegatives.figures();
        assertTrue(Double.isNaN(f.precision()), "no positive prediction");
        assertTrue(Double.isNaN(f.recall()), "no positive label");
        assertTrue(Double.isNaN(f.rocAuc()) && Double.isNaN(f.rocAucErrorBound()));
        assertEquals(1.0, f.accuracy());
    }

    @Test
    void aConfidentMistakeCostsMinusLnEpsilonNotInfinity() {
        QualityAccumulator a = new QualityAccumulator();
        a.add(0.0, 0, 1, 0.5);
        a.add(1.0, 1, 1, 0.5);
        assertEquals(-Math.log(QualityAccumulator.LOG_LOSS_EPSILON) / 2 - Math.log(1 - QualityAccumulator.LOG_LOSS_EPSILON) / 2,
                a.figures().logLoss(), 1e-12);
        assertEquals(QualityAccumulator.AUC_BINS - 1, QualityAccumulator.bin(1.0));
        assertEquals(0, QualityAccumulator.bin(0.0));
    }

    @Test
    void matchesTheTextbookFormulasOnManyRandomOutcomes() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int round = 0; round < 20; round++) {
            int n = 1 + rnd.nextInt(3000);
            double threshold = 0.2 + 0.6 * rnd.nextDouble();
            List<Obs> obs = new ArrayList<>();
            QualityAccumulator a = new QualityAccumulator();
            for (int i = 0; i < n; i++) {
                int label = rnd.nextDouble() < 0.3 ? 1 : 0;
                // Scores that separate the classes somewhat, with ties and the extremes now and then.
                double p = rnd.nextInt(50) == 0 ? rnd.nextInt(2)
                        : rnd.nextInt(20) == 0 ? Math.round(rnd.nextDouble() * 20) / 20.0
                        : 1 / (1 + Math.exp(-(rnd.nextGaussian() + (label == 1 ? 1.2 : -0.8))));
                int predicted = p >= threshold ? 1 : 0;
                obs.add(new Obs(p, predicted, label));
                a.add(p, predicted, label, threshold);
            }
            QualityFigures f = a.figures();
            assertEquals(n, f.count());
            double ll = 0;
            double brier = 0;
            long tp = 0;
            long fp = 0;
            long tn = 0;
            long fn = 0;
            for (Obs o : obs) {
                double q = Math.min(Math.max(o.p, 1e-15), 1 - 1e-15);
                ll += o.label == 1 ? -Math.log(q) : -Math.log(1 - q);
                brier += (o.p - o.label) * (o.p - o.label);
                if (o.label == 1) {
                    if (o.predicted == 1) {
                        tp++;
                    } else {
                        fn++;
                    }
                } else if (o.predicted == 1) {
                    fp++;
                } else {
                    tn++;
                }
            }
            assertEquals(ll / n, f.logLoss(), 1e-12);
            assertEquals(brier / n, f.brierScore(), 1e-12);
            assertEquals((tp + tn) / (double) n, f.accuracy(), 0.0);
            assertArrayEquals(new long[]{tp, fp, tn, fn},
                    new long[]{f.truePositives(), f.falsePositives(), f.trueNegatives(), f.falseNegatives()});
            if (tp + fn > 0 && fp + tn > 0) {
                double exact = 0;
                double shared = 0;
                for (Obs pos : obs) {
                    if (pos.label != 1) {
                        continue;
                    }
                    for (Obs neg : obs) {
                        if (neg.label != 0) {
                            continue;
                        }
                        exact += pos.p > neg.p ? 1 : pos.p == neg.p ? 0.5 : 0;
                        if (QualityAccumulator.bin(pos.p) == QualityAccumulator.bin(neg.p)) {
                            shared++;
                        }
                    }
                }
                double pairs = (double) (tp + fn) * (fp + tn);
                exact /= pairs;
                assertEquals(shared / pairs, f.rocAucTiedPairFraction(), 1e-15);
                assertTrue(Math.abs(exact - f.rocAuc()) <= f.rocAucErrorBound() + 1e-15,
                        "exact " + exact + ", binned " + f.rocAuc() + ", bound " + f.rocAucErrorBound());
            }
            for (int c = 0; c < QualityAccumulator.CALIBRATION_BINS; c++) {
                long count = 0;
                long positives = 0;
                double sum = 0;
                for (Obs o : obs) {
                    if (QualityAccumulator.bin(o.p) / (QualityAccumulator.AUC_BINS / 10) == c) {
                        count++;
                        positives += o.label;
                        sum += o.p;
                    }
                }
                QualityFigures.CalibrationBin b = f.calibration().get(c);
                assertEquals(count, b.count());
                assertEquals(positives, b.positives());
                if (count > 0) {
                    assertEquals(sum / count, b.meanPredicted(), 1e-12);
                    assertEquals(positives / (double) count, b.observedRate(), 0.0);
                }
            }

            // The state survives its byte forms, whole and in parts, and merging halves is adding all.
            assertEquals(f, QualityAccumulator.fromBytes(a.toBytes()).figures());
            byte[][] chunks = new byte[QualityAccumulator.CHUNKS][];
            for (int c = 0; c < chunks.length; c++) {
                chunks[c] = c % 3 == 0 && isEmpty(a, c) ? null : a.chunkToBytes(c);
            }
            assertEquals(f, QualityAccumulator.fromParts(a.sumsToBytes(), chunks).figures());
            QualityAccumulator first = new QualityAccumulator();
            QualityAccumulator second = new QualityAccumulator();
            for (int i = 0; i < n; i++) {
                Obs o = obs.get(i);
                (i < n / 2 ? first : second).add(o.p, o.predicted, o.label, threshold);
            }
            first.merge(second);
            QualityFigures merged = first.figures();
            assertEquals(f.count(), merged.count());
            assertEquals(f.rocAuc(), merged.rocAuc(), 0.0);
            assertEquals(f.logLoss(), merged.logLoss(), 1e-12);
        }
    }

    private static boolean isEmpty(QualityAccumulator a, int chunk) {
        byte[] b = a.chunkToBytes(chunk);
        for (int i = 1; i < b.length; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    @Test
    void refusesBytesItDidNotWrite() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> QualityAccumulator.fromBytes(new byte[]{9}));
        QualityAccumulator a = new QualityAccumulator();
        a.add(0.5, 1, 1, 0.5);
        byte[] b = a.toBytes();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> QualityAccumulator.fromBytes(java.util.Arrays.copyOf(b, b.length - 1)));
    }

    @Test
    void durationsHaveOneName() {
        assertEquals("1h", DurationText.format(DurationText.parse("60m")));
        assertEquals("7d", DurationText.format(DurationText.parse("7d")));
        assertEquals("90s", DurationText.format(DurationText.parse("90s")));
        assertEquals("1500ms", DurationText.format(DurationText.parse("1500ms")));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> DurationText.parse("1.5h"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> DurationText.parse("-1h"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> DurationText.parse("1"));
    }
}
