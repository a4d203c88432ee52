package io.streamscore.scorer;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A named set of Kafka client defaults ({@value ScorerConfig#PROFILE}, {@code --profile}): the layer just above
 * Kafka Streams' own defaults and below everything the user sets. A setting the user gives (in the
 * {@code --client-config} file or as a flag, with or without a client prefix) always wins over the profile's.
 */
public enum ScorerProfile {
    /** Kafka Streams' defaults unchanged. */
    THROUGHPUT("throughput", Map.of()),
    /** Short waits in the clients, for a low tail at moderate rates. */
    LATENCY("latency", Map.of());

    private final String wireName;
    private final Map<String, String> clientDefaults;

    ScorerProfile(String wireName, Map<String, String> clientDefaults) {
        this.wireName = wireName;
        this.clientDefaults = clientDefaults;
    }

    /** The name in configuration: {@code throughput} or {@code latency}. */
    public String wireName() {
        return wireName;
    }

    /** The Kafka client and Streams properties this profile sets, by property name (unprefixed). */
    public Map<String, String> clientDefaults() {
        return new LinkedHashMap<>(clientDefaults);
    }

    /** The profile with this name, case-insensitive. */
    public static ScorerProfile parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (ScorerProfile p : values()) {
            if (p.wireName.equals(n)) {
                return p;
            }
        }
        throw new IllegalArgumentException(ScorerConfig.PROFILE + " is '" + name + "'; must be "
                + Arrays.stream(values()).map(ScorerProfile::wireName).collect(Collectors.joining(" or ")));
    }
}
