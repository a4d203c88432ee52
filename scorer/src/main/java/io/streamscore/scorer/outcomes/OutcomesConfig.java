package io.streamscore.scorer.outcomes;

import io.streamscore.common.outcome.DurationText;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The scorer's outcome settings (docs/outcomes.md): whether it reads labels at all, where outcomes and quality records
 * go, how long a score waits for its label, and the quality windows. Off unless a labels topic is given; off, the
 * topology and the topics the scorer needs are exactly those of a scorer without this feature.
 *
 * @param labelsTopic    the labels topic, or empty for off
 * @param outcomesTopic  where each joined (score, label) pair goes
 * @param qualityTopic   where each window's quality figures go
 * @param labelWindow    how long after an event's timestamp its label may come (and a label may wait for its score)
 * @param qualityWindows the sizes of the tumbling quality windows, ascending, distinct
 * @param qualityGrace   how far the quality clock must pass a window's end before its first record is written
 */
public record OutcomesConfig(Optional<String> labelsTopic, String outcomesTopic, String qualityTopic,
                             Duration labelWindow, List<Duration> qualityWindows, Duration qualityGrace) {

    public static final String LABELS_TOPIC = "streamscore.topic.labels";
    public static final String OUTCOMES_TOPIC = "streamscore.topic.outcomes";
    public static final String QUALITY_TOPIC = "streamscore.topic.quality";
    public static final String LABEL_WINDOW = "streamscore.label.window";
    public static final String QUALITY_WINDOWS = "streamscore.quality.windows";
    public static final String QUALITY_GRACE = "streamscore.quality.grace";

    /** Labels off, every other setting at its default. */
    public static final OutcomesConfig OFF = fromProperties(new LinkedHashMap<>(defaults()));

    public OutcomesConfig {
        labelsTopic = labelsTopic == null ? Optional.empty() : labelsTopic.map(String::trim).filter(t -> !t.isEmpty());
        outcomesTopic = requireText(outcomesTopic, OUTCOMES_TOPIC);
        qualityTopic = requireText(qualityTopic, QUALITY_TOPIC);
        if (labelWindow == null || labelWindow.toMillis() < 1) {
            throw new IllegalArgumentException(LABEL_WINDOW + " is " + labelWindow + "; must be at least 1 ms");
        }
        if (qualityWindows == null || qualityWindows.isEmpty()) {
            throw new IllegalArgumentException(QUALITY_WINDOWS + " is empty; give at least one size, e.g. 1h,24h");
        }
        TreeSet<Duration> sorted = new TreeSet<>();
        for (Duration w : qualityWindows) {
            if (w.toMillis() < 1) {
                throw new IllegalArgumentException(QUALITY_WINDOWS + " has " + w + "; each size must be at least 1 ms");
            }
            if (!sorted.add(w)) {
                throw new IllegalArgumentException(QUALITY_WINDOWS + " names " + DurationText.format(w) + " twice");
            }
        }
        qualityWindows = List.copyOf(sorted);
        if (qualityGrace == null || qualityGrace.isNegative()) {
            throw new IllegalArgumentException(QUALITY_GRACE + " is " + qualityGrace + "; must be >= 0");
        }
        String labels = labelsTopic.orElse(null);
        if (outcomesTopic.equals(qualityTopic) || outcomesTopic.equals(labels) || qualityTopic.equals(labels)) {
            throw new IllegalArgumentException("the labels, outcomes and quality topics must differ");
        }
    }

    /** True when the scorer reads labels (and so writes outcomes and quality records). */
    public boolean enabled() {
        return labelsTopic.isPresent();
    }

    /** The topics the scorer reads or writes for outcomes: none when off. */
    public List<String> topics() {
        return enabled() ? List.of(labelsTopic.get(), outcomesTopic, qualityTopic) : List.of();
    }

    /**
     * How long past its end a quality window is kept to take outcomes that come late: the grace plus the label window,
     * since a label that waited for its score produces its outcome up to a label window after its label time.
     */
    public Duration qualityRetention() {
        return qualityGrace.plus(labelWindow);
    }

    /** The defaults, by property name. */
    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(LABELS_TOPIC, "");
        d.put(OUTCOMES_TOPIC, "outcomes");
        d.put(QUALITY_TOPIC, "model-quality");
        d.put(LABEL_WINDOW, "7d");
        d.put(QUALITY_WINDOWS, "1h,24h");
        d.put(QUALITY_GRACE, "1m");
        return d;
    }

    /**
     * Takes this config's properties out of {@code merged} (so they are not passed to Kafka) and validates them.
     *
     * @throws IllegalArgumentException naming the property and the value that is wrong
     */
    public static OutcomesConfig fromProperties(Map<String, String> merged) {
        Map<String, String> d = defaults();
        String labels = take(merged, d, LABELS_TOPIC);
        String outcomes = take(merged, d, OUTCOMES_TOPIC);
        String quality = take(merged, d, QUALITY_TOPIC);
        Duration window = duration(take(merged, d, LABEL_WINDOW), LABEL_WINDOW);
        List<Duration> windows = new ArrayList<>();
        for (String w : take(merged, d, QUALITY_WINDOWS).split(",")) {
            if (!w.isBlank()) {
                windows.add(duration(w, QUALITY_WINDOWS));
            }
        }
        Duration grace = duration(take(merged, d, QUALITY_GRACE), QUALITY_GRACE);
        return new OutcomesConfig(Optional.of(labels), outcomes, quality, window, windows, grace);
    }

    /** Every setting by property name, for the start log. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(LABELS_TOPIC, labelsTopic.orElse(""));
        m.put(OUTCOMES_TOPIC, outcomesTopic);
        m.put(QUALITY_TOPIC, qualityTopic);
        m.put(LABEL_WINDOW, DurationText.format(labelWindow));
        m.put(QUALITY_WINDOWS, String.join(",", qualityWindows.stream().map(DurationText::format).toList()));
        m.put(QUALITY_GRACE, DurationText.format(qualityGrace));
        return m;
    }

    private static String take(Map<String, String> merged, Map<String, String> defaults, String key) {
        String v = merged.remove(key);
        return v == null ? defaults.get(key) : v;
    }

    private static Duration duration(String value, String name) {
        try {
            return DurationText.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage());
        }
    }

    private static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is not set");
        }
        return value.trim();
    }
}
