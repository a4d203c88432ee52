package io.streamscore.trainer.eval;

import io.streamscore.common.LogisticMath;
import io.streamscore.common.LogisticModel;
import io.streamscore.trainer.data.Dataset;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How well a model separates one data set: log-loss, the confusion matrix at the model's threshold and the scores
 * derived from it, and the threshold-free ROC AUC with its curve.
 *
 * @param logLoss        mean binary cross-entropy (no penalty term)
 * @param truePositives  label 1, predicted 1
 * @param falsePositives label 0, predicted 1
 * @param trueNegatives  label 0, predicted 0
 * @param falseNegatives label 1, predicted 0
 * @param rocAuc         probability that a random positive scores above a random negative (ties count half)
 * @param roc            the ROC curve, at most {@link #MAX_ROC_POINTS} points from (0,0) to (1,1)
 */
public record ClassificationMetrics(long rows, double logLoss, long truePositives, long falsePositives,
                                    long trueNegatives, long falseNegatives, double rocAuc, RocCurve roc) {

    static final int MAX_ROC_POINTS = 500;

    public double accuracy() {
        return (double) (truePositives + trueNegatives) / rows;
    }

    /** TP / (TP + FP); 0 when nothing is predicted positive (as sklearn's zero_division=0). */
    public double precision() {
        long predictedPositive = truePositives + falsePositives;
        return predictedPositive == 0 ? 0.0 : (double) truePositives / predictedPositive;
    }

    /** TP / (TP + FN). */
    public double recall() {
        long positives = truePositives + falseNegatives;
        return positives == 0 ? 0.0 : (double) truePositives / positives;
    }

    public double f1() {
        double p = precision();
        double r = recall();
        return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
    }

    /** The figures as the model metadata stores them. */
    public Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("rows", (double) rows);
        m.put("logLoss", logLoss);
        m.put("accuracy", accuracy());
        m.put("precision", precision());
        m.put("recall", recall());
        m.put("f1", f1());
        m.put("rocAuc", rocAuc);
        m.put("truePositives", (double) truePositives);
        m.put("falsePositives", (double) falsePositives);
        m.put("trueNegatives", (double) trueNegatives);
        m.put("falseNegatives", (double) falseNegatives);
        return m;
    }

    /** Rows per block of the scoring: blocks run on all cores and their losses are added in block order. */
    private static final int SCORING_BLOCK = 1 << 16;

    /**
     * Scores every row of {@code data} with {@code model} (raw features; the model standardizes itself), as the scorer
     * would. The result does not depend on the number of cores: fixed blocks, losses added in block order.
     */
    public static ClassificationMetrics evaluate(LogisticModel model, Dataset data) {
        double[] p = new double[data.rows()];
        double[] x = data.features();
        int k = data.cols();
        int blocks = (p.length + SCORING_BLOCK - 1) / SCORING_BLOCK;
        double[] blockLoss = new double[blocks];
        java.util.stream.IntStream.range(0, blocks).parallel().forEach(b -> {
            double[] row = new double[k];
            double loss = 0.0;
            for (int i = b * SCORING_BLOCK; i < Math.min(p.length, (b + 1) * SCORING_BLOCK); i++) {
                System.arraycopy(x, i * k, row, 0, k);
                double z = model.logit(row);
                p[i] = LogisticMath.sigmoid(z);
                loss += LogisticMath.logLossFromLogit(data.label(i), z);
            }
            blockLoss[b] = loss;
        });
        double loss = 0.0;
        for (double l : blockLoss) {
            loss += l;
        }
        return of(p, data.labels(), model.threshold(), loss / p.length);
    }

    /** Metrics for given probabilities and 0/1 labels. */
    public static ClassificationMetrics of(double[] probabilities, double[] labels, double threshold, double logLoss) {
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        int positives = 0;
        for (double label : labels) {
            positives += label == 1.0 ? 1 : 0;
        }
        double[] pos = new double[positives];
        double[] neg = new double[labels.length - positives];
        int ip = 0;
        int in = 0;
        for (int i = 0; i < labels.length; i++) {
            boolean predicted = probabilities[i] >= threshold;
            if (labels[i] == 1.0) {
                pos[ip++] = probabilities[i];
                if (predicted) {
                    tp++;
                } else {
                    fn++;
                }
            } else {
                neg[in++] = probabilities[i];
                if (predicted) {
                    fp++;
                } else {
                    tn++;
                }
            }
        }
        // Sorted doubles are the same array whatever the algorithm, so sorting on several cores changes nothing else.
        Arrays.parallelSort(pos);
        Arrays.parallelSort(neg);
        return new ClassificationMetrics(labels.length, logLoss, tp, fp, tn, fn, auc(pos, neg), RocCurve.of(pos, neg));
    }

    /** Mann–Whitney: for each negative, count positives above it (ties half), over sorted arrays in one sweep. */
    private static double auc(double[] pos, double[] neg) {
        if (pos.length == 0 || neg.length == 0) {
            return Double.NaN;
        }
        double wins = 0.0;
        int below = 0; // positives strictly below the current negative
        int upTo = 0;  // positives at or below it
        for (double n : neg) {
            while (below < pos.length && pos[below] < n) {
                below++;
            }
            if (upTo < below) {
                upTo = below;
            }
            while (upTo < pos.length && pos[upTo] <= n) {
                upTo++;
            }
            wins += (pos.length - upTo) + 0.5 * (upTo - below);
        }
        return wins / ((double) pos.length * neg.length);
    }

    /** ROC points, false-positive rate against true-positive rate, for thresholds from high to low. */
    public record RocCurve(double[] falsePositiveRate, double[] truePositiveRate) {
        public RocCurve {
            falsePositiveRate = falsePositiveRate.clone();
            truePositiveRate = truePositiveRate.clone();
        }

        @Override
        public double[] falsePositiveRate() {
            return falsePositiveRate.clone();
        }

        @Override
        public double[] truePositiveRate() {
            return truePositiveRate.clone();
        }

        static RocCurve of(double[] sortedPos, double[] sortedNeg) {
            int total = sortedPos.length + sortedNeg.length;
            int step = Math.max(1, total / MAX_ROC_POINTS);
            double[] fpr = new double[total / step + 3];
            double[] tpr = new double[fpr.length];
            int n = 1; // point 0 is (0, 0)
            int ip = sortedPos.length - 1;
            int in = sortedNeg.length - 1;
            int sinceLast = 0;
            // Walk thresholds from the highest score down; tied scores move together.
            while (ip >= 0 || in >= 0) {
                double t = Math.max(ip >= 0 ? sortedPos[ip] : Double.NEGATIVE_INFINITY,
                        in >= 0 ? sortedNeg[in] : Double.NEGATIVE_INFINITY);
                while (ip >= 0 && sortedPos[ip] == t) {
                    ip--;
                    sinceLast++;
                }
                while (in >= 0 && sortedNeg[in] == t) {
                    in--;
                    sinceLast++;
                }
                boolean last = ip < 0 && in < 0;
                if ((sinceLast >= step || last) && n < fpr.length) {
                    fpr[n] = sortedNeg.length == 0 ? 0 : (double) (sortedNeg.length - 1 - in) / sortedNeg.length;
                    tpr[n] = sortedPos.length == 0 ? 0 : (double) (sortedPos.length - 1 - ip) / sortedPos.length;
                    n++;
                    sinceLast = 0;
                }
            }
            return new RocCurve(Arrays.copyOf(fpr, n), Arrays.copyOf(tpr, n));
        }
    }
}
