package io.streamscore.common.outcome;

import io.streamscore.common.event.ModelSelection;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One labelled score as written to the outcomes topic: what the scorer said about an event (the champion's score, as on
 * the scores topic), the features as the model used them, and the label that came later. A labelled feature event plus
 * its score, so that a training run can read the outcomes topic as it reads a feature topic.
 *
 * @param eventId          the event's id (never null: an event without one cannot be labelled)
 * @param modelId          the model that scored it
 * @param modelVersion     that model's version
 * @param probability      P(y = 1 | x) as the score gave it
 * @param predictedLabel   1 when probability ≥ threshold, else 0 (the score's {@code label})
 * @param threshold        the model's decision threshold
 * @param label            the true label, 0 or 1
 * @param featureNames     the model's feature names in its order
 * @param features         the feature values in that order, as the event carried them (before standardization)
 * @param eventTimestamp   the feature record's timestamp, ms since the epoch
 * @param scoredAt         when the scorer scored it, ms since the epoch
 * @param labelledAt       the label record's timestamp, ms since the epoch; also this record's timestamp
 * @param modelPublishedAt the publish time of the version that scored it; null when unknown
 * @param selection        how that version was chosen
 * @param labelFirst       whether the label was read before the score existed (held, then joined)
 */
public record Outcome(String eventId, String modelId, long modelVersion, double probability, int predictedLabel,
                      double threshold, int label, List<String> featureNames, double[] features, long eventTimestamp,
                      long scoredAt, long labelledAt, Instant modelPublishedAt, ModelSelection selection,
                      boolean labelFirst) {

    public Outcome {
        if (eventId == null || eventId.isEmpty()) {
            throw new IllegalArgumentException("eventId must be a non-empty string");
        }
        if (modelId == null || modelId.isEmpty()) {
            throw new IllegalArgumentException("modelId must be a non-empty string");
        }
        if (!(probability >= 0.0 && probability <= 1.0)) {
            throw new IllegalArgumentException("probability is " + probability + "; must be in [0, 1]");
        }
        if (predictedLabel != 0 && predictedLabel != 1) {
            throw new IllegalArgumentException("predictedLabel is " + predictedLabel + "; must be 0 or 1");
        }
        if (label != 0 && label != 1) {
            throw new IllegalArgumentException("label is " + label + "; must be 0 or 1");
        }
        if (!(threshold > 0.0 && threshold < 1.0)) {
            throw new IllegalArgumentException("threshold is " + threshold + "; must be in (0, 1)");
        }
        featureNames = List.copyOf(featureNames);
        Objects.requireNonNull(features, "features");
        if (featureNames.size() != features.length) {
            throw new IllegalArgumentException(featureNames.size() + " feature names but " + features.length + " values");
        }
        Objects.requireNonNull(selection, "selection");
    }

    /** The feature values (a copy). */
    @Override
    public double[] features() {
        return features.clone();
    }

    /** The value array itself, for writers that do not modify it. */
    double[] featuresUnsafe() {
        return features;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Outcome x && eventId.equals(x.eventId) && modelId.equals(x.modelId)
                && modelVersion == x.modelVersion && Double.compare(probability, x.probability) == 0
                && predictedLabel == x.predictedLabel && Double.compare(threshold, x.threshold) == 0
                && label == x.label && featureNames.equals(x.featureNames) && Arrays.equals(features, x.features)
                && eventTimestamp == x.eventTimestamp && scoredAt == x.scoredAt && labelledAt == x.labelledAt
                && Objects.equals(modelPublishedAt, x.modelPublishedAt) && selection == x.selection
                && labelFirst == x.labelFirst;
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, modelId, modelVersion, probability, label, labelledAt);
    }

    @Override
    public String toString() {
        return "Outcome[" + eventId + ", " + modelId + " v" + modelVersion + ", p=" + probability + ", predicted "
                + predictedLabel + ", label " + label + ", labelled at " + labelledAt + "]";
    }
}
