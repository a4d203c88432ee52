package io.streamscore.trainer.retrain;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads the drift topic for {@link RetrainWatch}: every partition from its beginning (which windows were already
 * decided on is known from the decisions topic, not from consumer offsets), committed records only, without a
 * consumer group. A topic that does not exist yet, or a broker that is away, is waited for. A record that is not a
 * drift record is logged with its coordinates and skipped.
 */
public final class KafkaDriftSource implements RetrainWatch.DriftSource {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaDriftSource.class);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Duration timeout;
    private final PrintWriter err;
    private boolean assigned;
    private String lastProblem;

    /**
     * @param err receives a warning when the topic is missing or unreadable (once per change of problem)
     */
    public KafkaDriftSource(Properties client, String topic, Duration timeout, PrintWriter err) {
        Properties props = new Properties();
        props.putAll(client);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.timeout = timeout;
        this.err = err;
    }

    @Override
    public List<DriftRecord> poll(Duration max) {
        List<DriftRecord> records = new ArrayList<>();
        long deadline = System.nanoTime() + max.toNanos();
        try {
            if (!assigned && !assign(max)) {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                    Thread.sleep(left / 1_000_000L);
                }
                return records;
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(max)) {
                try {
                    records.add(DriftRecord.parse(r.value()));
                } catch (IllegalArgumentException e) {
                    LOG.warn("drift topic '{}' partition {} offset {}: not a drift record ({}); skipped", r.topic(),
                            r.partition(), r.offset(), e.getMessage());
                }
            }
            problem(null);
        } catch (WakeupException e) {
            return records;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (KafkaException e) {
            problem("cannot read drift topic '" + topic + "': " + e.getMessage());
        }
        return records;
    }

    private boolean assign(Duration max) {
        Map<String, List<PartitionInfo>> topics;
        try {
            topics = consumer.listTopics(Duration.ofMillis(Math.max(max.toMillis(), Math.min(timeout.toMillis(),
                    5_000))));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            problem("no answer from the brokers about drift topic '" + topic + "'; waiting");
            return false;
        }
        if (!topics.containsKey(topic)) {
            problem("drift topic '" + topic + "' does not exist (yet); waiting for it");
            return false;
        }
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo p : topics.get(topic)) {
            partitions.add(new TopicPartition(topic, p.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        assigned = true;
        problem(null);
        return true;
    }

    private void problem(String what) {
        if (what != null && !what.equals(lastProblem)) {
            err.println("warning: watch: " + what);
            err.flush();
        }
        lastProblem = what;
    }

    @Override
    public void wakeup() {
        try {
            consumer.wakeup();
        } catch (IllegalStateException closed) {
            // A stop that comes after the watch closed the consumer has nothing left to wake.
        }
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
