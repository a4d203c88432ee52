package io.streamscore.scorer;

import org.apache.kafka.clients.producer.ProducerConfig;

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
    /**
     * Kafka Streams' own defaults, unchanged: among them the producer's {@code linger.ms=100}, which Kafka Streams sets
     * (the plain producer's default is 5 ms since Kafka 4.0). A score then waits in its batch until the batch fills
     * ({@code batch.size}, 16 KB) or 100 ms pass: nothing at a high rate, up to 100 ms at a low one.
     */
    THROUGHPUT("throughput", Map.of()),
    /**
     * The scorer's default: the producer sends a batch at most 5 ms after its first score ({@code linger.ms=5}, the
     * plain producer's own default), so at a low or moderate rate a score no longer waits up to 100 ms for its batch
     * to fill; the 5 ms still group scores, so a moderate rate does not become one produce request per score. With
     * the wait bounded by time, the batch size only caps a batch when scores come faster than 64 KB in 5 ms or the
     * broker is slow: {@code batch.size=65536} (16 KB by default) then sends a quarter of the requests for the same
     * scores, which saves CPU in this producer, the broker and every reader of the scores topic; on a shared or
     * saturated machine that headroom is what keeps the tail short.
     */
    LATENCY("latency", Map.of(ProducerConfig.LINGER_MS_CONFIG, "5", ProducerConfig.BATCH_SIZE_CONFIG, "65536"));

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
