package io.streamscore.demo;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Produces the demo's records to the feature topic on its own thread, at a given rate or as fast as possible. Every
 * record carries the run id in a header, which the scorer copies onto its score or dead letter, so the demo counts
 * only this run's output on topics that may hold earlier runs' records.
 */
final class EventProducer implements AutoCloseable {
    /** Header naming the demo run a record belongs to. */
    static final String RUN_HEADER = "streamscore.demo.run";

    private final KafkaProducer<String, byte[]> producer;
    private final LiveEvents events;
    private final String topic;
    private final byte[] runId;
    private final double rate;
    private final CountDownLatch stop;
    private final Thread thread;
    private final AtomicLong acked = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile long startNanos;
    private volatile long sentAllNanos;
    private volatile boolean done;

    /**
     * @param rate records per second; 0 for as fast as the producer takes them
     * @param stop counted down to abandon producing (Ctrl-C)
     */
    EventProducer(Properties client, String topic, LiveEvents events, String runId, double rate, CountDownLatch stop) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "streamscore-demo-producer");
        this.producer = new KafkaProducer<>(props);
        this.events = events;
        this.topic = topic;
        this.runId = runId.getBytes(StandardCharsets.UTF_8);
        this.rate = rate;
        this.stop = stop;
        this.thread = new Thread(this::produceAll, "demo-producer");
        this.thread.setDaemon(true);
    }

    void start() {
        startNanos = System.nanoTime();
        thread.start();
    }

    private void produceAll() {
        try {
            double nanosPerRecord = rate > 0 ? 1e9 / rate : 0;
            for (int position = 0; position < events.total() && stop.getCount() > 0 && failure.get() == null; position++) {
                if (nanosPerRecord > 0) {
                    long due = startNanos + (long) (position * nanosPerRecord);
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0 && stop.getCount() > 0) {
                        LockSupport.parkNanos(Math.min(wait, 50_000_000L));
                    }
                }
                LiveEvents.DemoRecord r = events.at(position);
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, r.key(), r.value());
                record.headers().add(RUN_HEADER, runId);
                producer.send(record, (meta, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    } else {
                        acked.incrementAndGet();
                    }
                });
            }
            producer.flush();
            sentAllNanos = System.nanoTime();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        } finally {
            done = true;
        }
    }

    /** Records the broker has acknowledged so far. */
    long acked() {
        return acked.get();
    }

    /** True once every record is acknowledged, or producing stopped early (see {@link #failure}). */
    boolean isDone() {
        return done;
    }

    /** The first send error, if any. */
    Exception failure() {
        return failure.get();
    }

    long startNanos() {
        return startNanos;
    }

    /** When the last record was acknowledged; 0 while producing. */
    long sentAllNanos() {
        return sentAllNanos;
    }

    @Override
    public void close() {
        try {
            thread.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        producer.close(Duration.ofSeconds(5));
    }
}
