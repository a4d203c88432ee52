package io.streamscore.scorer.outcomes;

import io.streamscore.common.outcome.DurationText;
import io.streamscore.scorer.settings.Setting;
import io.streamscore.scorer.settings.SettingGroup;
import io.streamscore.scorer.settings.SettingValues;
import io.streamscore.scorer.settings.Settings;
import io.streamscore.scorer.settings.Validators;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;

import java.time.Duration;
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

    /**
     * The outcome settings, declared once (property, type, default, validator, documentation, flag): the scorer
     * registers this group in {@code ScorerConfig.SETTINGS}, and its validation, {@code --help} and the table in
     * docs/outcomes.md come from here.
     */
    public static final SettingGroup SETTINGS = SettingGroup.of("Outcomes",
            Setting.define(LABELS_TOPIC, Type.STRING, "", Validators.optionalTopic(), Importance.MEDIUM,
                    "Read labels (`{\"eventId\":\"e-42\",\"label\":1}`, keyed like the feature event, on a topic with the "
                            + "features topic's partition count, checked at start) and join each with its score: "
                            + "outcomes to --outcomes-topic, live quality per model version to --quality-topic and "
                            + "/metrics ([docs/outcomes.md](outcomes.md)). Turns the feature on.")
                    .defaultText("none (off)")
                    .flag("--labels-topic", "TOPIC"),
            Setting.define(OUTCOMES_TOPIC, Type.STRING, "outcomes", Validators.topic(), Importance.MEDIUM,
                    "With labels: where each joined (score, label) pair goes, with the features the model used.")
                    .flag("--outcomes-topic", "TOPIC"),
            Setting.define(QUALITY_TOPIC, Type.STRING, "model-quality", Validators.topic(), Importance.MEDIUM,
                    "With labels: where each quality window's figures go (one record per window, and corrections).")
                    .flag("--quality-topic", "TOPIC"),
            Setting.define(LABEL_WINDOW, Type.STRING, "7d", Validators.duration(Duration.ofMillis(1)),
                    Importance.MEDIUM, "With labels: how long after an event's timestamp its label may come (e.g. 7d, "
                            + "12h), and how long a label waits for its score; a later label is `LABEL_LATE`, a score "
                            + "without a label by then expires unlabelled.")
                    .flag("--label-window", "DURATION"),
            Setting.define(QUALITY_WINDOWS, Type.LIST, "1h,24h", Validators.durations(Duration.ofMillis(1)),
                    Importance.MEDIUM, "With labels: the sizes of the tumbling quality windows, by label time, "
                            + "aligned to the epoch (e.g. 1h,24h); each size once.")
                    .flag("--quality-windows", "SIZE[,SIZE...]"),
            Setting.define(QUALITY_GRACE, Type.STRING, "1m", Validators.duration(Duration.ZERO), Importance.LOW,
                    "With labels: how far past a window's end the outcomes' label times must go before its quality "
                            + "record is written (later outcomes write a new revision).")
                    .flag("--quality-grace", "DURATION"));

    /** Labels off, every other setting at its default. */
    public static final OutcomesConfig OFF = from(Settings.of(SETTINGS).take(new LinkedHashMap<>()));

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

    /** The outcome settings from the scorer's validated settings (which include {@link #SETTINGS}). */
    public static OutcomesConfig from(SettingValues values) {
        return new OutcomesConfig(values.optionalString(LABELS_TOPIC), values.string(OUTCOMES_TOPIC),
                values.string(QUALITY_TOPIC), values.duration(LABEL_WINDOW), values.durations(QUALITY_WINDOWS),
                values.duration(QUALITY_GRACE));
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

    private static String requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is not set");
        }
        return value.trim();
    }
}
