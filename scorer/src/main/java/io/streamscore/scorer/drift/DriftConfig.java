package io.streamscore.scorer.drift;

import io.streamscore.common.outcome.DurationText;

import java.time.Duration;
import java.util.ArrayList;
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

    /** Drift off, every other setting at its default. */
    public static final DriftConfig OFF = fromProperties(new LinkedHashMap<>(defaults()));

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

    /** The defaults, by property name. */
    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(WINDOWS, "");
        d.put(TOPIC, "model-drift");
        d.put(THRESHOLD, "0.2");
        d.put(GRACE, "1m");
        return d;
    }

    /**
     * Takes this config's properties out of {@code merged} (so they are not passed to Kafka) and validates them.
     *
     * @throws IllegalArgumentException naming the property and the value that is wrong
     */
    public static DriftConfig fromProperties(Map<String, String> merged) {
        Map<String, String> d = defaults();
        List<Duration> windows = new ArrayList<>();
        for (String w : take(merged, d, WINDOWS).split(",")) {
            if (!w.isBlank()) {
                windows.add(duration(w, WINDOWS));
            }
        }
        String topic = take(merged, d, TOPIC);
        String thresholdText = take(merged, d, THRESHOLD);
        double threshold;
        try {
            threshold = Double.parseDouble(thresholdText.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(THRESHOLD + " is '" + thresholdText + "'; must be a number (e.g. 0.2)");
        }
        Duration grace = duration(take(merged, d, GRACE), GRACE);
        return new DriftConfig(windows, topic, threshold, grace);
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
}
