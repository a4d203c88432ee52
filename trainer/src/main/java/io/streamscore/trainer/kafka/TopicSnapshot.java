package io.streamscore.trainer.kafka;

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
 * Reads a whole topic as a batch snapshot: every partition from its beginning to the end offsets taken at the start,
 * committed records only, without a consumer group. Records produced meanwhile are not part of the snapshot. The
 * model publisher reads the model topic this way to find the latest version, and the trainer its training topic.
 */
public final class TopicSnapshot {

    /** Receives each record of the snapshot, in partition order. */
    @FunctionalInterface
    public interface RecordHandler<E extends Exception> {
        void accept(ConsumerRecord<byte[], byte[]> record) throws E;
    }

    private TopicSnapshot() {
    }

    /**
     * @param timeout  the limit for each broker call
     * @param progress receives the number of records read so far, about once a second
     * @return the number of records read
     * @throws UnknownTopicOrPartitionException naming the topic and the brokers when it does not exist
     * @throws org.apache.kafka.common.KafkaException when Kafka fails (a {@code TimeoutException} when it does not answer)
     */
    public static <E extends Exception> long read(Properties client, String topic, Duration timeout, RecordHandler<E> handler,
                                           java.util.function.LongConsumer progress) throws E {
        return read(client, topic, timeout, null, handler, progress);
    }

    /**
     * Like {@link #read(Properties, String, Duration, RecordHandler, java.util.function.LongConsumer)}, but each
     * partition from its first record with a timestamp at or after {@code fromTimestamp} (Kafka's time index): the
     * records before it all have earlier timestamps, so a reader that wants only records from that time on misses none
     * and skips reading the older part of the topic. Later records may still carry earlier timestamps (a producer sets
     * them); the handler filters those.
     *
     * @param fromTimestamp ms since the epoch; null to read every partition from its beginning
     */
    public static <E extends Exception> long read(Properties client, String topic, Duration timeout, Long fromTimestamp,
                                                  RecordHandler<E> handler, java.util.function.LongConsumer progress)
            throws E {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        props.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        long read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            Map<String, List<PartitionInfo>> topics = consumer.listTopics(timeout);
            if (!topics.containsKey(topic)) {
                throw new UnknownTopicOrPartitionException("topic '" + topic + "' does not exist on "
                        + client.get("bootstrap.servers"));
            }
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : topics.get(topic)) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            if (fromTimestamp != null) {
                Map<TopicPartition, Long> at = new java.util.HashMap<>();
                partitions.forEach(p -> at.put(p, fromTimestamp));
                consumer.offsetsForTimes(at, timeout).forEach((p, found) ->
                        consumer.seek(p, found == null ? end.get(p) : found.offset()));
            }
            long lastProgress = System.nanoTime();
            while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() >= end.get(new TopicPartition(r.topic(), r.partition()))) {
                        continue; // produced after the snapshot was taken
                    }
                    read++;
                    handler.accept(r);
                }
                if (System.nanoTime() - lastProgress > 1_000_000_000L) {
                    progress.accept(read);
                    lastProgress = System.nanoTime();
                }
            }
        }
        progress.accept(read);
        return read;
    }
}
