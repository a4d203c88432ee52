package io.streamscore.bench;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Counts the app's output by consuming it with {@code read_committed} (never by end offsets: under exactly-once the
 * transaction markers take offsets too) on its own thread, and notes when the count reached a target. Optionally
 * records, per record, arrival time minus the record's timestamp (the input's, which the scorer keeps), and the first
 * arrival of a value containing a given byte string (a model-swap marker).
 */
final class OutputCounter implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private volatile long count;
    /** Sum of the consumed values' lengths (null values count 0). */
    private volatile long valueBytes;
    private volatile long firstAtNanos;
    private volatile long target = Long.MAX_VALUE;
    private volatile long reachedAtNanos;
    private volatile Throwable failure;

    // Latency recording: only records whose timestamp is in [recordFrom, recordUntil); written by the consumer thread,
    // read after close().
    private final boolean recordLatency;
    private volatile long recordFromMillis = Long.MAX_VALUE;
    private volatile long recordUntilMillis = Long.MAX_VALUE;
    private long[] latencies = new long[1 << 16];
    private int latencyCount;

    private volatile byte[] marker;
    private volatile long markerSeenMillis;

    OutputCounter(String bootstrap, List<String> topics, boolean recordLatency) {
        this.recordLatency = recordLatency;
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000,
                ConsumerConfig.CLIENT_ID_CONFIG, "bench-output-counter"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (String t : topics) {
            // A just-created topic may not be in the metadata yet: partitionsFor then answers an empty list.
            List<org.apache.kafka.common.PartitionInfo> infos;
            while ((infos = consumer.partitionsFor(t, Duration.ofSeconds(30))).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + t + " has no partitions in the metadata after 30 s");
                }
                sleep();
            }
            infos.forEach(p -> partitions.add(new TopicPartition(t, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        partitions.forEach(consumer::position); // resolve positions now, not on the first timed poll
        thread = new Thread(this::loop, "bench-output-counter");
        thread.setDaemon(true);
    }

    private static void sleep() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for topic metadata", e);
        }
    }

    OutputCounter start() {
        thread.start();
        return this;
    }

    private void loop() {
        try {
            while (true) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                long nowNanos = System.nanoTime();
                long nowMillis = System.currentTimeMillis();
                byte[] m = marker;
                long bytes = 0;
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    bytes += r.value() == null ? 0 : r.value().length;
                    if (recordLatency && r.timestamp() >= recordFromMillis && r.timestamp() < recordUntilMillis) {
                        if (latencyCount == latencies.length) {
                            latencies = Arrays.copyOf(latencies, latencyCount * 2);
                        }
                        latencies[latencyCount++] = nowMillis - r.timestamp();
                    }
                    if (m != null && markerSeenMillis == 0 && contains(r.value(), m)) {
                        markerSeenMillis = nowMillis;
                    }
                }
                valueBytes += bytes;
                long c = count + records.count();
                count = c;
                if (firstAtNanos == 0) {
                    firstAtNanos = nowNanos;
                }
                if (c >= target && reachedAtNanos == 0) {
                    reachedAtNanos = nowNanos;
                }
            }
        } catch (WakeupException closing) {
            // close() was called.
        } catch (Throwable t) {
            failure = t;
        } finally {
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        if (haystack == null) {
            return false;
        }
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    long count() {
        return count;
    }

    /** The bytes of the values consumed so far. */
    long valueBytes() {
        return valueBytes;
    }

    long firstAtNanos() {
        return firstAtNanos;
    }

    /**
     * Waits until {@code n} outputs were consumed; returns the {@link System#nanoTime()} of the poll that reached it.
     *
     * @throws IllegalStateException naming expected vs received when the timeout passes or {@code alive} turns false
     */
    long awaitCount(long n, Duration timeout, BooleanSupplier alive) throws InterruptedException {
        target = n;
        if (count >= n && reachedAtNanos == 0) {
            reachedAtNanos = System.nanoTime();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (reachedAtNanos == 0) {
            if (failure != null) {
                throw new IllegalStateException("the output counter failed", failure);
            }
            if (System.nanoTime() > deadline || !alive.getAsBoolean()) {
                throw new IllegalStateException("expected " + n + " outputs, received " + count + " within " + timeout
                        + (alive.getAsBoolean() ? "" : " (the app stopped)"));
            }
            Thread.sleep(5);
        }
        return reachedAtNanos;
    }

    void recordLatencyBetween(long fromMillis, long untilMillis) {
        recordFromMillis = fromMillis;
        recordUntilMillis = untilMillis;
    }

    void watchFor(byte[] valueMarker) {
        markerSeenMillis = 0;
        marker = valueMarker;
    }

    /** Wall-clock ms when a value containing the marker first arrived; 0 if not yet. */
    long markerSeenMillis() {
        return markerSeenMillis;
    }

    /** The recorded latencies in ms, sorted; call after {@link #close()}. */
    long[] sortedLatencies() {
        long[] l = Arrays.copyOf(latencies, latencyCount);
        Arrays.sort(l);
        return l;
    }

    private boolean closed;

    /** Stops the consumer thread; idempotent. */
    @Override
    public synchronized void close() throws InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        consumer.wakeup();
        thread.join(10_000);
    }
}
