package io.streamscore.trainer.retrain;

import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * What one retraining round decided and on what figures: one record on the decisions topic
 * (docs/schemas/decision.schema.json, {@link DecisionJson}), and the summary the command prints.
 *
 * @param modelId          the model retrained
 * @param decidedAt        when the round decided
 * @param trigger          what started the round
 * @param kind             what it decided
 * @param reason           why, with the figures, in one sentence
 * @param metric           the gate's metric
 * @param candidateValue   the candidate's metric on the held-out rows; null when no candidate was judged
 * @param championValue    the champion's metric on the same rows; null without a champion or a judgement
 * @param margin           how much worse than the champion the candidate was allowed to be
 * @param championVersion  the champion (served version) when the round read the model topic; null for none
 * @param candidateVersion the version the candidate was published as; null unless published
 * @param trainRows        rows the candidate was trained on
 * @param holdoutRows      held-out rows both were judged on
 * @param from             the range read, inclusive
 * @param to               the range read, exclusive
 * @param holdoutFrom      the first held-out instant; null when nothing was held out
 * @param dataTopic        the topic read
 * @param driftWindowEndMs with a drift trigger, the end of the drift window that fired; else null
 */
public record Decision(String modelId, Instant decidedAt, Trigger trigger, Kind kind, String reason, GateMetric metric,
                       Double candidateValue, Double championValue, double margin, Long championVersion,
                       Long candidateVersion, int trainRows, int holdoutRows, Instant from, Instant to,
                       Instant holdoutFrom, String dataTopic, Long driftWindowEndMs) {

    /** The decision record format this code writes and the newest it reads. */
    public static final int SCHEMA_VERSION = 1;

    public Decision {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(decidedAt, "decidedAt");
        Objects.requireNonNull(trigger, "trigger");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(metric, "metric");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(dataTopic, "dataTopic");
        if ((candidateVersion != null) != kind.published()) {
            throw new IllegalArgumentException("a candidate version goes with a published decision, and only with one");
        }
        if ((driftWindowEndMs != null) != (trigger == Trigger.DRIFT)) {
            throw new IllegalArgumentException("a drift window goes with a drift trigger, and only with one");
        }
    }

    /** What started a round. */
    public enum Trigger {
        /** A one-shot run. */
        MANUAL,
        /** {@code --watch --every D}. */
        SCHEDULE,
        /** {@code --watch --on-drift}: a drift record for the model fired. */
        DRIFT;

        /** manual, schedule, drift. */
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Trigger parse(String s) {
            return valueOf(s.toUpperCase(Locale.ROOT));
        }
    }

    /** What a round decided. */
    public enum Kind {
        /** The candidate passed the gate (or there was no champion) and is the new served version. */
        PUBLISHED,
        /** The candidate passed the gate and was published as a challenger (shadow-scored, not served). */
        PUBLISHED_AS_CHALLENGER,
        /** The candidate did not pass the gate: nothing was published. */
        REJECTED,
        /** The rows could not train or judge a candidate (too few, one class): nothing was trained or published. */
        SKIPPED;

        public boolean published() {
            return this == PUBLISHED || this == PUBLISHED_AS_CHALLENGER;
        }
    }
}
