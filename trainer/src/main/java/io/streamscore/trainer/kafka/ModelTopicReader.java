package io.streamscore.trainer.kafka;

import io.streamscore.common.modellog.ModelLog;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads the model topic into a {@link ModelLog}: every partition from its beginning to the end offsets taken at the
 * call, committed records only (what the scorers' model gate sees), without a consumer group. One consumer serves
 * every read, because a fenced publisher reads the topic again on each attempt and a new consumer per read would
 * widen the window in which a concurrent publisher can fence it.
 */
final class ModelTopicReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final Duration timeout;
    private List<TopicPartition> partitions;

    ModelTopicReader(Properties client, String topic, Duration timeout) {
        Properties props = new Properties();
        props.putAll(client);
        props.remove(ConsumerConfig.GROUP_ID_CONFIG);
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        this.consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.timeout = timeout;
    }

    /**
     * Waits until a record committed after the last {@link #read()} arrives (read_committed: an aborted or still open
     * transaction shows nothing), or {@code maxWait} passes.
     *
     * @return whether one arrived
     */
    boolean awaitNewCommittedRecord(Duration maxWait) {
        assignOnce();
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (System.nanoTime() < deadline) {
            if (!consumer.poll(Duration.ofMillis(Math.max(1, Math.min(100, (deadline - System.nanoTime()) / 1_000_000))))
                    .isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private void assignOnce() {
        if (partitions == null) {
            Map<String, List<PartitionInfo>> topics = consumer.listTopics(timeout);
            if (!topics.containsKey(topic)) {
                throw new UnknownTopicOrPartitionException("model topic '" + topic + "' does not exist");
            }
            partitions = new ArrayList<>();
            for (PartitionInfo p : topics.get(topic)) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
        }
    }

    /**
     * The topic as of now.
     *
     * @throws UnknownTopicOrPartitionException when the topic does not exist
     * @throws org.apache.kafka.common.KafkaException when Kafka fails (a {@code TimeoutException} when it does not answer)
     */
    ModelLog read() {
        assignOnce();
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
        ModelLog log = new ModelLog();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
            if (System.nanoTime() > deadline) {
                throw new org.apache.kafka.common.errors.TimeoutException("reading model topic '" + topic
                        + "' to its end took longer than " + timeout.toSeconds() + " s");
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
                if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
                    log.apply(r.key(), r.value(), r.timestamp());
                }
            }
        }
        return log;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
