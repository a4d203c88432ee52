package io.streamscore.common.outcome;

/**
 * What the live quality figures need of one outcome: which model version scored it, what it said, what was true, and
 * when the label came (which decides the window). Read from an outcome record by {@link OutcomeJson#observation}.
 *
 * @param labelledAt the outcome's {@code labelledAt}, ms since the epoch
 */
public record QualityObservation(String modelId, long modelVersion, double probability, int predictedLabel, int label,
                                 double threshold, long labelledAt) {
    public QualityObservation {
        if (modelId == null || modelId.isEmpty()) {
            throw new IllegalArgumentException("modelId must be a non-empty string");
        }
        if (!(probability >= 0.0 && probability <= 1.0)) {
            throw new IllegalArgumentException("probability is " + probability + "; must be in [0, 1]");
        }
        if ((predictedLabel != 0 && predictedLabel != 1) || (label != 0 && label != 1)) {
            throw new IllegalArgumentException("predictedLabel " + predictedLabel + " and label " + label
                    + " must be 0 or 1");
        }
        if (!(threshold > 0.0 && threshold < 1.0)) {
            throw new IllegalArgumentException("threshold is " + threshold + "; must be in (0, 1)");
        }
    }

    /** The observation of {@code o}. */
    public static QualityObservation of(Outcome o) {
        return new QualityObservation(o.modelId(), o.modelVersion(), o.probability(), o.predictedLabel(), o.label(),
                o.threshold(), o.labelledAt());
    }
}
