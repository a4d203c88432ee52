package io.streamscore.common.event;

import io.streamscore.common.Contributions;

import java.time.Instant;

/**
 * One scored event as written to the scores topic.
 *
 * @param eventId          the event's id, null when the event had none
 * @param modelId          the model that scored it
 * @param modelVersion     that model's version
 * @param probability      P(y = 1 | x), exactly {@code LogisticModel.predictProbability} of the event's features
 * @param label            1 when probability ≥ threshold, else 0
 * @param threshold        the model's decision threshold
 * @param eventTimestamp   the input record's timestamp, ms since the epoch
 * @param scoredAt         when the scorer scored it, ms since the epoch
 * @param modelPublishedAt the publish time of the version that scored it (the timestamp of its record on the model
 *                         topic); null when unknown (a score written before the field existed)
 * @param selection        how that version was chosen; {@link ModelSelection#LATEST} for a score written before the
 *                         field existed, since that was the only behaviour then
 * @param contributions    the logit's decomposition into per-feature terms (all of them, or the largest few), or null
 *                         when the scorer was not asked for it ({@code --contributions}) or the score predates it
 */
public record Score(String eventId, String modelId, long modelVersion, double probability, int label, double threshold,
                    long eventTimestamp, long scoredAt, Instant modelPublishedAt, ModelSelection selection,
                    Contributions contributions) {

    /** A score without contributions (the scorer's default). */
    public Score(String eventId, String modelId, long modelVersion, double probability, int label, double threshold,
                 long eventTimestamp, long scoredAt, Instant modelPublishedAt, ModelSelection selection) {
        this(eventId, modelId, modelVersion, probability, label, threshold, eventTimestamp, scoredAt, modelPublishedAt,
                selection, null);
    }

    public Score {
        if (modelId == null || modelId.isEmpty()) {
            throw new IllegalArgumentException("modelId must be a non-empty string");
        }
        if (!(probability >= 0.0 && probability <= 1.0)) {
            throw new IllegalArgumentException("probability is " + probability + "; must be in [0, 1]");
        }
        if (label != 0 && label != 1) {
            throw new IllegalArgumentException("label is " + label + "; must be 0 or 1");
        }
        if (!(threshold > 0.0 && threshold < 1.0)) {
            throw new IllegalArgumentException("threshold is " + threshold + "; must be in (0, 1)");
        }
        if (selection == null) {
            throw new IllegalArgumentException("selection must be given");
        }
    }

    /** A score as written before {@code modelPublishedAt} and {@code selection} existed: unknown, {@code latest}. */
    public Score(String eventId, String modelId, long modelVersion, double probability, int label, double threshold,
                 long eventTimestamp, long scoredAt) {
        this(eventId, modelId, modelVersion, probability, label, threshold, eventTimestamp, scoredAt, null,
                ModelSelection.LATEST, null);
    }
}
