package io.streamscore.demo;

import io.streamscore.scorer.ScorerConfig;
import io.streamscore.scorer.drift.DriftConfig;
import io.streamscore.scorer.outcomes.OutcomesConfig;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The topics and scorer settings of the demo's outcomes loop: labels on, and quality and drift in windows of
 * {@link #WINDOW} with a grace of {@link #GRACE}, short enough that the loop shows within a minute.
 */
record LoopTopics(String labels, String outcomes, String quality, String drift, String decisions) {
    /** The quality and drift window size. */
    static final Duration WINDOW = Duration.ofSeconds(5);
    /** How far past a window's end its clock must go before the window is written. */
    static final Duration GRACE = Duration.ofSeconds(1);
    /** How long a score waits for its label: the loop's labels come within a second. */
    static final Duration LABEL_WINDOW = Duration.ofMinutes(1);
    /** The PSI at or above which the scorer alerts and the demo retrains (the scorer's and the trainer's default). */
    static final double DRIFT_THRESHOLD = 0.2;

    LoopTopics(String prefix) {
        this(prefix + "labels", prefix + "outcomes", prefix + "model-quality", prefix + "model-drift",
                prefix + "model-decisions");
    }

    /** The scorer's settings for the loop; it creates the topics it lacks (labels with the features' partitions). */
    Map<String, String> scorerFlags() {
        Map<String, String> flags = new LinkedHashMap<>();
        flags.put(ScorerConfig.CREATE_TOPICS, "true");
        flags.put(OutcomesConfig.LABELS_TOPIC, labels);
        flags.put(OutcomesConfig.OUTCOMES_TOPIC, outcomes);
        flags.put(OutcomesConfig.QUALITY_TOPIC, quality);
        flags.put(OutcomesConfig.LABEL_WINDOW, LABEL_WINDOW.toSeconds() + "s");
        flags.put(OutcomesConfig.QUALITY_WINDOWS, WINDOW.toSeconds() + "s");
        flags.put(OutcomesConfig.QUALITY_GRACE, GRACE.toSeconds() + "s");
        flags.put(DriftConfig.WINDOWS, WINDOW.toSeconds() + "s");
        flags.put(DriftConfig.TOPIC, drift);
        flags.put(DriftConfig.GRACE, GRACE.toSeconds() + "s");
        flags.put(DriftConfig.THRESHOLD, Double.toString(DRIFT_THRESHOLD));
        return flags;
    }
}
