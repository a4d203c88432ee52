package io.streamscore.bench;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The latency bench's measuring consumer: reads the scorer's outputs ({@code read_committed}, on its own thread) and,
 * for every output whose input was sent inside the measured window, records send → arrival; for the traced sample,
 * the five stages between the {@link StageStamps} (send → input append → scorer poll → processed → score append →
 * arrival). Values are kept per second of the window (by send time), for the timeline.
 */
final class StageRecorder implements AutoCloseable {
    /** The stages in pipeline order; their sum is {@link #E2E}. */
    static final String[] STAGES = {"send → input append", "input append → scorer poll", "scorer poll → processed",
            "processed → score append", "score append → consumed"};
    static final int E2E = STAGES.length;
    static final int STRIDE = E2E + 2;

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final Thread thread;
    private final long fromMicros;
    private final int seconds;
    /** Per second of the window, send → arrival (µs) of every output; written by the consumer thread, read after close(). */
    private final LongList[] e2eBySecond;
    /** The traced sample, {@value #STRIDE} longs each: second, the five stages (µs), send → arrival (µs). */
    private final LongList traced = new LongList();
    private volatile long count;
    private volatile long target = Long.MAX_VALUE;
    private volatile long reachedAtNanos;
    private volatile Throwable failure;
    private long tracedWithoutStamps;
    private long notLogAppendTime;

    /**
     * @param fromMicros the window's start (epoch µs): inputs sent before it are counted but not measured
     * @param seconds    the window's length
     */
    StageRecorder(String bootstrap, List<String> topics, long fromMicros, int seconds) {
        this.fromMicros = fromMicros;
        this.seconds = seconds;
        e2eBySecond = new LongList[seconds];
        for (int s = 0; s < seconds; s++) {
            e2eBySecond[s] = new LongList();
        }
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000,
                ConsumerConfig.CLIENT_ID_CONFIG, "bench-stage-recorder"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        for (String t : topics) {
            List<PartitionInfo> infos;
            while ((infos = consumer.partitionsFor(t, Duration.ofSeconds(30))).isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + t + " has no partitions in the metadata after 30 s");
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
            infos.forEach(p -> partitions.add(new TopicPartition(t, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        partitions.forEach(consumer::position);
        thread = new Thread(this::loop, "bench-stage-recorder");
        thread.setDaemon(true);
    }

    StageRecorder start() {
        thread.start();
        return this;
    }

    private void loop() {
        long untilMicros = fromMicros + seconds * 1_000_000L;
        try {
            while (true) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
                if (records.isEmpty()) {
                    continue;
                }
                long arrived = StageStamps.nowMicros();
                long nowNanos = System.nanoTime();
                for (ConsumerRecord<byte[], byte[]> r : records) {
                    long tracedSent = StageStamps.value(r.headers(), StageStamps.TRACE);
                    long sent = tracedSent != Long.MIN_VALUE ? tracedSent : StageStamps.value(r.headers(), StageStamps.SENT);
                    if (sent < fromMicros || sent >= untilMicros) {
                        continue;
                    }
                    int second = (int) ((sent - fromMicros) / 1_000_000L);
                    e2eBySecond[second].add(arrived - sent);
                    if (tracedSent == Long.MIN_VALUE) {
                        continue;
                    }
                    long inAppendMs = StageStamps.value(r.headers(), StageStamps.IN_APPEND);
                    long polled = StageStamps.value(r.headers(), StageStamps.POLLED);
                    long processed = StageStamps.value(r.headers(), StageStamps.PROCESSED);
                    if (inAppendMs == Long.MIN_VALUE || polled == Long.MIN_VALUE || processed == Long.MIN_VALUE) {
                        tracedWithoutStamps++;
                        continue;
                    }
                    if (r.timestampType() != TimestampType.LOG_APPEND_TIME) {
                        notLogAppendTime++;
                        continue;
                    }
                    // The broker's append times are whole ms (truncated): the middle of that ms is the unbiased guess.
                    long inAppend = inAppendMs * 1_000L + 500;
                    long outAppend = r.timestamp() * 1_000L + 500;
                    long[] at = {sent, inAppend, polled, processed, outAppend, arrived};
                    traced.add(second);
                    for (int s = 0; s < E2E; s++) {
                        traced.add(at[s + 1] - at[s]);
                    }
                    traced.add(arrived - sent);
                }
                long c = count + records.count();
                count = c;
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

    long count() {
        return count;
    }

    /** Waits until {@code n} outputs were consumed; throws naming expected vs received otherwise. */
    void awaitCount(long n, Duration timeout, BooleanSupplier alive) throws InterruptedException {
        target = n;
        if (count >= n && reachedAtNanos == 0) {
            reachedAtNanos = System.nanoTime();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (reachedAtNanos == 0) {
            if (failure != null) {
                throw new IllegalStateException("the stage recorder failed", failure);
            }
            if (System.nanoTime() > deadline || !alive.getAsBoolean()) {
                throw new IllegalStateException("expected " + n + " outputs, received " + count + " within " + timeout
                        + (alive.getAsBoolean() ? "" : " (the app stopped)"));
            }
            Thread.sleep(5);
        }
    }

    /** Traced records that arrived without one of the scorer-side stamps (should be 0). */
    long tracedWithoutStamps() {
        return tracedWithoutStamps;
    }

    /** Traced records whose score did not carry a broker append time (the scores topic is not LogAppendTime). */
    long notLogAppendTime() {
        return notLogAppendTime;
    }

    /** Sorted send → arrival µs of every output sent in that second of the window; call after {@link #close()}. */
    long[] sortedEndToEnd(int second) {
        return e2eBySecond[second].sorted();
    }

    /** Sorted send → arrival µs of every output sent in the window; call after {@link #close()}. */
    long[] sortedEndToEnd() {
        LongList all = new LongList();
        for (LongList second : e2eBySecond) {
            all.addAll(second);
        }
        return all.sorted();
    }

    /** The traced sample as rows: second, the five stages (µs), send → arrival (µs); call after {@link #close()}. */
    long[][] tracedRows() {
        long[] flat = traced.toArray();
        long[][] rows = new long[flat.length / STRIDE][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = Arrays.copyOfRange(flat, i * STRIDE, (i + 1) * STRIDE);
        }
        return rows;
    }

    int seconds() {
        return seconds;
    }

    private boolean closed;

    @Override
    public synchronized void close() throws InterruptedException {
        if (closed) {
            return;
        }
        closed = true;
        consumer.wakeup();
        thread.join(10_000);
    }

    /** A growable long array. */
    static final class LongList {
        private long[] values = new long[256];
        private int size;

        void add(long v) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = v;
        }

        void addAll(LongList other) {
            if (size + other.size > values.length) {
                values = Arrays.copyOf(values, Math.max(values.length * 2, size + other.size));
            }
            System.arraycopy(other.values, 0, values, size, other.size);
            size += other.size;
        }

        long[] toArray() {
            return Arrays.copyOf(values, size);
        }

        long[] sorted() {
            long[] s = toArray();
            Arrays.sort(s);
            return s;
        }
    }
}
