package io.streamscore.scorer.settings;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.streamscore.common.outcome.DurationText;

/**
 * Validated setting values by property name, typed as their {@link org.apache.kafka.common.config.ConfigDef.Type}
 * says: what {@link Settings#take} returns for the configuration classes to build themselves from.
 */
public final class SettingValues {
    private final Map<String, Object> values;

    SettingValues(Map<String, Object> values) {
        this.values = values;
    }

    private Object get(String property) {
        if (!values.containsKey(property)) {
            throw new IllegalArgumentException("no setting " + property + " is defined");
        }
        return values.get(property);
    }

    /** A STRING setting; null only for one defined without a default and not given. */
    public String string(String property) {
        return (String) get(property);
    }

    /** A STRING setting where empty means "not set". */
    public Optional<String> optionalString(String property) {
        return Optional.ofNullable(string(property)).map(String::trim).filter(s -> !s.isEmpty());
    }

    public int integer(String property) {
        return (Integer) get(property);
    }

    public long longValue(String property) {
        return ((Number) get(property)).longValue();
    }

    /** A DOUBLE setting. */
    public double decimal(String property) {
        return ((Number) get(property)).doubleValue();
    }

    public boolean bool(String property) {
        return (Boolean) get(property);
    }

    /** A LONG setting in milliseconds. */
    public Duration millis(String property) {
        return Duration.ofMillis(longValue(property));
    }

    /** A STRING setting that holds a duration ({@link DurationText}: {@code 15m}, {@code 7d}). */
    public Duration duration(String property) {
        return DurationText.parse(string(property));
    }

    /** A LIST setting of durations, blank entries skipped. */
    public List<Duration> durations(String property) {
        return list(property).stream().filter(s -> !s.isBlank()).map(DurationText::parse).toList();
    }

    @SuppressWarnings("unchecked")
    public List<String> list(String property) {
        return (List<String>) get(property);
    }
}
