package io.streamscore.demo;

import io.streamscore.common.event.ReasonCode;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Reads the scores and dead-letters topics with {@code read_committed} (the scorer writes them in transactions),
 * from their end offsets taken before the first event was produced, and tallies this run's records: each score is
 * checked against the event's truth and against the probability the model itself computes.
 */
final class OutputCollector implements AutoCloseable {
    /** Kafka Streams' dead-letter header with the human-readable reason (KIP-1034). */
    private static final String MESSAGE_HEADER = "__streams.errors.message";
    private static final String REASON_HEADER = "streamscore.reason";

    /** What one poll brought that a person may want to see. */
    interface Listener {
        void scored(int eventIndex, String key, Score score, boolean correct);

        void deadLettered(String key, String reason, String message);
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final String scoresTopic;
    private final LiveEvents events;
    private final String runId;
    private final BitSet seen = new BitSet();
    private final Map<String, Long> deadLetters = new TreeMap<>();
    private final List<Long> latenciesMs = new ArrayList<>();
    private long scored;
    private long correct;
    private long probabilityMismatches;
    private long duplicates;
    private long unknownScores;
    private long otherRuns;
    private long lastOutputNanos;

    OutputCollector(Properties client, String scoresTopic, String deadLettersTopic, LiveEvents events, String runId) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "streamscore-demo-consumer");
        this.consumer = new KafkaConsumer<>(props);
        this.scoresTopic = scoresTopic;
        this.events = events;
        this.runId = runId;
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : List.of(scoresTopic, deadLettersTopic)) {
            consumer.partitionsFor(topic, Duration.ofSeconds(60))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        // The end (last stable offset under read_committed) now, before any event of this run exists.
        consumer.seekToEnd(partitions);
        partitions.forEach(p -> consumer.position(p, Duration.ofSeconds(60)));
    }

    /** Polls once and tallies what came. */
    void poll(Duration timeout, Listener listener) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
            Header run = r.headers().lastHeader(EventProducer.RUN_HEADER);
            if (run == null || !runId.equals(new String(run.value(), StandardCharsets.UTF_8))) {
                otherRuns++;
                continue;
            }
            lastOutputNanos = System.nanoTime();
            if (r.topic().equals(scoresTopic)) {
                score(r, listener);
            } else {
                String reason = text(r.headers().lastHeader(REASON_HEADER), "(no " + REASON_HEADER + " header)");
                deadLetters.merge(reason, 1L, Long::sum);
                listener.deadLettered(r.key(), reason, text(r.headers().lastHeader(MESSAGE_HEADER), ""));
            }
        }
    }

    private void score(ConsumerRecord<String, byte[]> r, Listener listener) {
        Score s = ScoreJson.fromBytes(r.value());
        int i = LiveEvents.eventIndex(s.eventId());
        if (i < 0 || i >= events.events()) {
            unknownScores++;
            return;
        }
        if (seen.get(i)) {
            duplicates++;
            return;
        }
        seen.set(i);
        scored++;
        latenciesMs.add(System.currentTimeMillis() - r.timestamp());
        boolean ok = s.label() == events.truth(i);
        if (ok) {
            correct++;
        }
        if (Double.doubleToLongBits(s.probability()) != Double.doubleToLongBits(events.expectedProbability(i))) {
            probabilityMismatches++;
        }
        listener.scored(i, r.key(), s, ok);
    }

    private static String text(Header h, String absent) {
        return h == null || h.value() == null ? absent : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Scores plus dead letters of this run, duplicates and unknown ids included. */
    long outputs() {
        return scored + duplicates + unknownScores + deadLetterCount();
    }

    long scored() {
        return scored;
    }

    long correct() {
        return correct;
    }

    long deadLetterCount() {
        return deadLetters.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Dead letters by {@code streamscore.reason}. */
    Map<String, Long> deadLettersByReason() {
        return new TreeMap<>(deadLetters);
    }

    /** Expected dead letters in the same form as {@link #deadLettersByReason()}. */
    static Map<String, Long> byName(Map<ReasonCode, Integer> expected) {
        Map<String, Long> m = new TreeMap<>();
        expected.forEach((k, v) -> m.put(k.name(), (long) v));
        return m;
    }

    long probabilityMismatches() {
        return probabilityMismatches;
    }

    long duplicates() {
        return duplicates;
    }

    long unknownScores() {
        return unknownScores;
    }

    long otherRuns() {
        return otherRuns;
    }

    long lastOutputNanos() {
        return lastOutputNanos;
    }

    /** Produce-to-visible latency (record timestamp to this consumer's receipt) at quantile q, in ms. */
    long latencyQuantileMs(double q) {
        if (latenciesMs.isEmpty()) {
            return 0;
        }
        long[] sorted = latenciesMs.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        int index = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /**
     * Keeps polling until this consumer has read up to the end offsets as they are now, so records committed after
     * the expected count was reached (duplicates) are counted too.
     */
    void drainToEnd(Listener listener) {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(30));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())
                && System.nanoTime() < deadline) {
            poll(Duration.ofMillis(100), listener);
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
