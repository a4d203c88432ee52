package io.streamscore.demo;

import io.streamscore.common.outcome.QualityJson;
import io.streamscore.common.outcome.QualityWindow;
import io.streamscore.trainer.retrain.DriftRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Reads the scorer's quality and drift topics (read_committed, from the beginning, no consumer group) and keeps the
 * newest revision of every window of the loop's model whose window starts at or after {@code sinceMs}, so records of
 * an earlier run on the same cluster are left out.
 */
final class LoopMonitor implements AutoCloseable {
    /** What a poll brought: windows seen for the first time, or revised. */
    interface Listener {
        void quality(QualityWindow w, boolean revised);

        void drift(DriftRecord r, long windowStartMs, boolean revised);
    }

    private final KafkaConsumer<String, byte[]> consumer;
    private final String qualityTopic;
    private final String driftTopic;
    private final String modelId;
    private final long sinceMs;
    private final Map<String, QualityWindow> quality = new TreeMap<>();
    private final Map<String, DriftRecord> drift = new TreeMap<>();
    private long unreadable;

    /** @param driftTopic null when the scorer measures no drift */
    LoopMonitor(Properties client, String qualityTopic, String driftTopic, String modelId, long sinceMs) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamscore-demo-loop-monitor");
        this.consumer = new KafkaConsumer<>(props);
        this.qualityTopic = qualityTopic;
        this.driftTopic = driftTopic;
        this.modelId = modelId;
        this.sinceMs = sinceMs;
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : driftTopic == null ? List.of(qualityTopic) : List.of(qualityTopic, driftTopic)) {
            consumer.partitionsFor(topic, Duration.ofSeconds(60))
                    .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    void poll(Duration timeout, Listener listener) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
            try {
                if (r.topic().equals(qualityTopic)) {
                    QualityWindow w = QualityJson.fromBytes(r.value());
                    if (w.modelId().equals(modelId) && w.windowStartMs() >= sinceMs) {
                        QualityWindow before = quality.get(w.key());
                        if (before == null || w.revision() > before.revision()) {
                            quality.put(w.key(), w);
                            listener.quality(w, before != null);
                        }
                    }
                } else {
                    DriftRecord d = DriftRecord.parse(r.value());
                    long start = r.key() == null ? d.windowEndMs() : windowStart(r.key(), d.windowEndMs());
                    if (d.modelId().equals(modelId) && start >= sinceMs) {
                        String key = d.modelVersion() + "@" + d.windowEndMs();
                        boolean revised = drift.containsKey(key);
                        drift.put(key, d);
                        listener.drift(d, start, revised);
                    }
                }
            } catch (RuntimeException e) {
                unreadable++;
            }
        }
    }

    /** The window start in a drift record's key {@code MODEL@vVERSION@WINDOW@START}; the end when unreadable. */
    private static long windowStart(String key, long fallback) {
        int at = key.lastIndexOf('@');
        try {
            return java.time.Instant.parse(key.substring(at + 1)).toEpochMilli();
        } catch (RuntimeException e) {
            return fallback;
        }
    }

    /** The newest revision of every quality window read, by key (model, version, window, start: in time order per version). */
    List<QualityWindow> qualityWindows() {
        return List.copyOf(quality.values());
    }

    List<DriftRecord> driftRecords() {
        return List.copyOf(drift.values());
    }

    /** Records on the two topics that were not quality or drift records (counted, not shown). */
    long unreadable() {
        return unreadable;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
