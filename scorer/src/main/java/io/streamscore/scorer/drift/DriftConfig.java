package io.streamscore.scorer.drift;

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
import java.util.TreeSet;

/**
 * The scorer's drift settings (docs/drift.md): the window sizes (none = off), where drift records go, the PSI at which
 * a feature or the score alerts, and how far past a window's end its first record waits. Off unless windows are given;
 * off, the topology and the topics the scorer needs are exactly those of a scorer without this feature.
 *
 * @param windows   the sizes of the tumbling drift windows, ascending, distinct; empty for off
 * @param topic     where each window's drift record goes (compacted)
 * @param threshold the PSI at or above which a feature (or the score) is listed in a record's alerts
 * @param grace     how far the drift clock must pass a window's end before its first record is written
 */
public record DriftConfig(List<Duration> windows, String topic, double threshold, Duration grace) {

    public static final String WINDOWS = "streamscore.drift.windows";
    public static final String TOPIC = "streamscore.drift.topic";
    public static final String THRESHOLD = "streamscore.drift.threshold";
    public static final String GRACE = "streamscore.drift.grace";

    /**
     * The drift settings, declared once (property, type, default, validator, documentation, flag): the scorer
     * registers this group in {@code ScorerConfig.SETTINGS}, and its validation, {@code --help} and the settings table
     * in docs/scorer.md come from here.
     */
    public static final SettingGroup SETTINGS = SettingGroup.of("Drift",
            Setting.define(WINDOWS, Type.LIST, "", Validators.optionalDurations(Duration.ofMillis(1)), Importance.MEDIUM,
                    "Compare every champion score's features and probability with its model version's training "
                            + "distribution (PSI) in tumbling windows by event time, aligned to the epoch (e.g. 1h,24h): "
                            + "records to --drift-topic, gauges on /metrics ([docs/drift.md](drift.md)). Turns the "
                            + "feature on.")
                    .defaultText("none (off)")
                    .flag("--drift-windows", "SIZE[,SIZE...]"),
            Setting.define(TOPIC, Type.STRING, "model-drift", Validators.topic(), Importance.MEDIUM,
                    "With drift: where each window's drift record goes (compacted).")
                    .flag("--drift-topic", "TOPIC"),
            Setting.define(THRESHOLD, Type.DOUBLE, 0.2, Validators.positiveNumber("0.2"), Importance.MEDIUM,
                    "With drift: the PSI at or above which a feature or the score is an alert (record, WARN log, "
                            + "counter).")
                    .flag("--drift-threshold", "PSI"),
            Setting.define(GRACE, Type.STRING, "1m", Validators.duration(Duration.ZERO), Importance.LOW,
                    "With drift: how far past a window's end the events' times must go before its drift record is "
                            + "written (later events write a new revision).")
                    .flag("--drift-grace", "DURATION"));

    /** Drift off, every other setting at its default. */
    public static final DriftConfig OFF = from(Settings.of(SETTINGS).take(new LinkedHashMap<>()));

    public DriftConfig {
        TreeSet<Duration> sorted = new TreeSet<>();
        for (Duration w : windows == null ? List.<Duration>of() : windows) {
            if (w.toMillis() < 1) {
                throw new IllegalArgumentException(WINDOWS + " has " + w + "; each size must be at least 1 ms");
            }
            if (!sorted.add(w)) {
                throw new IllegalArgumentException(WINDOWS + " names " + DurationText.format(w) + " twice");
            }
        }
        windows = List.copyOf(sorted);
        if (topic == null || topic.isBlank()) {
            throw new IllegalArgumentException(TOPIC + " is not set");
        }
        topic = topic.trim();
        if (!(Double.isFinite(threshold) && threshold > 0)) {
            throw new IllegalArgumentException(THRESHOLD + " is " + threshold + "; must be a positive number (e.g. 0.2)");
        }
        if (grace == null || grace.isNegative()) {
            throw new IllegalArgumentException(GRACE + " is " + grace + "; must be >= 0");
        }
    }

    /** True when the scorer counts drift (some window size is given). */
    public boolean enabled() {
        return !windows.isEmpty();
    }

    /** The topics the scorer writes for drift: none when off. */
    public List<String> topics() {
        return enabled() ? List.of(topic) : List.of();
    }

    /**
     * How long past its end a window of size {@code size} takes late events (and writes revisions for them): the grace
     * plus one window size. After that its counts are dropped and a later event for it is counted TOO_LATE.
     */
    public Duration retention(Duration size) {
        return grace.plus(size);
    }

    /** This group's settings from validated values. */
    public static DriftConfig from(SettingValues values) {
        return new DriftConfig(values.durations(WINDOWS), values.string(TOPIC), values.decimal(THRESHOLD),
                values.duration(GRACE));
    }

    /** Every setting by property name, for the start log. */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(WINDOWS, String.join(",", windows.stream().map(DurationText::format).toList()));
        m.put(TOPIC, topic);
        m.put(THRESHOLD, Double.toString(threshold));
        m.put(GRACE, DurationText.format(grace));
        return m;
    }
}
