package io.streamscore.common.outcome;

import java.util.List;

/**
 * The quality of a model version's scores over a set of outcomes (one window): what {@link QualityAccumulator#figures}
 * computes. A figure that is undefined for the set (precision with no positive prediction, AUC without both classes,
 * everything for an empty set) is NaN here and null in JSON.
 *
 * @param count             outcomes
 * @param positives         outcomes with label 1
 * @param negatives         outcomes with label 0
 * @param threshold         the model version's decision threshold (NaN for an empty set)
 * @param logLoss           mean of −(y·ln p + (1−y)·ln(1−p)), p clipped to [ε, 1−ε] with
 *                          ε = {@value QualityAccumulator#LOG_LOSS_EPSILON}
 * @param brierScore        mean of (p − y)²
 * @param accuracy          (TP + TN) / count, from the scores' predicted labels
 * @param precision         TP / (TP + FP)
 * @param recall            TP / (TP + FN)
 * @param rocAuc            ROC AUC from the score histogram ({@value QualityAccumulator#AUC_BINS} equal-width bins, a
 *                          positive and a negative in the same bin counted as ½)
 * @param rocAucErrorBound  |rocAuc − exact AUC| is at most this: half of {@code rocAucTiedPairFraction}
 * @param rocAucTiedPairFraction the fraction of (positive, negative) pairs whose scores share a histogram bin
 * @param calibration       {@value QualityAccumulator#CALIBRATION_BINS} bins of width 0.1, lowest first
 */
public record QualityFigures(long count, long positives, long negatives, double threshold, double logLoss,
                             double brierScore, double accuracy, double precision, double recall, long truePositives,
                             long falsePositives, long trueNegatives, long falseNegatives, double rocAuc,
                             double rocAucErrorBound, double rocAucTiedPairFraction, List<CalibrationBin> calibration) {

    public QualityFigures {
        calibration = List.copyOf(calibration);
    }

    /**
     * One calibration bin: the outcomes whose probability falls in [lower, upper) (the last bin includes 1.0).
     *
     * @param meanPredicted the mean probability of those outcomes (NaN when there are none)
     * @param observedRate  the fraction of them labelled 1 (NaN when there are none)
     */
    public record CalibrationBin(double lower, double upper, long count, long positives, double meanPredicted,
                                 double observedRate) {
    }
}
