package io.streamscore.e2e;

import io.streamscore.devkit.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Reads topics from the beginning with {@code isolation.level=read_committed}, no consumer group. Counts records by
 * consuming them: under exactly-once, transaction markers take offsets, so end offsets overstate the record count.
 */
final class TopicReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
    private final String name;

    TopicReader(EmbeddedKafkaBroker kafka, String... topics) {
        Properties p = E2e.client(kafka);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "2000");
        consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String t : topics) {
            consumer.partitionsFor(t, Duration.ofSeconds(30))
                    .forEach(i -> partitions.add(new TopicPartition(i.topic(), i.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        name = String.join(" + ", topics);
    }

    /** Everything read so far, in arrival order (offset order within a partition). */
    List<ConsumerRecord<byte[], byte[]>> records() {
        return Collections.unmodifiableList(records);
    }

    /** One poll; returns the records it brought. */
    List<ConsumerRecord<byte[], byte[]>> pollOnce(Duration timeout) {
        List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
        consumer.poll(timeout).forEach(got::add);
        records.addAll(got);
        return got;
    }

    /** Polls until at least {@code n} records were read; fails with expected vs received after {@code timeout}. */
    void awaitCount(int n, Duration timeout) {
        awaitUntil(rs -> rs.size() >= n, timeout, n + " records");
    }

    void awaitUntil(Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.test(records)) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toSeconds() + " s waiting for " + what + " on " + name
                        + " (read_committed); received " + records.size());
            }
            pollOnce(Duration.ofMillis(100));
        }
    }

    /**
     * Reads on to the end offsets taken now (with read_committed, the last stable offset), so that a later count
     * includes every committed record, extras too, not just the first n.
     */
    void drainToEnd(Duration timeout) {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toSeconds() + " s reading " + name + " to its end offsets " + end
                        + "; received " + records.size());
            }
            pollOnce(Duration.ofMillis(100));
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
