package io.streamscore.demo;

import io.streamscore.common.event.FeatureEvent;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.common.outcome.Label;
import io.streamscore.common.outcome.LabelJson;
import io.streamscore.trainer.synthetic.SyntheticData;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The loop's live stream, on its own thread: feature events from the overlapping clusters at a steady rate, each
 * followed {@link #LABEL_DELAY} later by its label (its true class, keyed like the event, so it lands in the event's
 * partition), until stopped. From {@link #driftStartMs()} on, the clusters have moved: both centres shift by
 * {@link #SHIFT} along the diagonal, so most of class 0 now lies on class 1's side of a model trained before.
 *
 * <p>Event and label records carry explicit timestamps (the wall clock when each is made), so the drift start is a
 * record time: events stamped at or after it are drifted, and the windows of the drift and quality topics can be
 * compared with it.
 */
final class LoopStream implements AutoCloseable {
    /** How long after its event a label is produced: labels arrive later than events, as real ones do. */
    static final Duration LABEL_DELAY = Duration.ofMillis(250);
    /** How far both cluster centres move along (1, 1) at the drift, in standard deviations per coordinate. */
    static final double SHIFT = 1.5;
    private static final String EVENT_ID_PREFIX = "loop-";

    private final KafkaProducer<String, byte[]> producer;
    private final String featuresTopic;
    private final String labelsTopic;
    private final String modelId;
    private final List<String> featureNames;
    private final byte[] runId;
    private final String eventIdPrefix;
    private final double rate;
    private final long driftStartMs;
    private final SplittableRandom random;
    private final CountDownLatch stop;
    private final CountDownLatch finished = new CountDownLatch(1);
    private final Thread thread;
    private final AtomicLong events = new AtomicLong();
    private final AtomicLong driftedEvents = new AtomicLong();
    private final AtomicLong labels = new AtomicLong();
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private volatile boolean done;
    private volatile boolean started;

    /** A label waiting for its time. */
    private record PendingLabel(long dueMs, String key, byte[] value) {
    }

    /**
     * @param driftStartMs the record time from which events come from the moved clusters
     * @param stop         counted down to abandon producing (Ctrl-C)
     */
    LoopStream(Properties client, String featuresTopic, String labelsTopic, String modelId, List<String> featureNames,
               String runId, double rate, long driftStartMs, long seed, CountDownLatch stop) {
        if (featureNames.size() != 2) {
            throw new IllegalArgumentException("the loop's clusters have 2 features, the model has " + featureNames);
        }
        Properties props = new Properties();
        props.putAll(client);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        props.put(ProducerConfig.CLIENT_ID_CONFIG, "streamscore-demo-loop-producer");
        this.producer = new KafkaProducer<>(props);
        this.featuresTopic = featuresTopic;
        this.labelsTopic = labelsTopic;
        this.modelId = modelId;
        this.featureNames = List.copyOf(featureNames);
        this.runId = runId.getBytes(StandardCharsets.UTF_8);
        this.eventIdPrefix = EVENT_ID_PREFIX + runId + "-";
        this.rate = rate;
        this.driftStartMs = driftStartMs;
        this.random = new SplittableRandom(seed);
        this.stop = stop;
        this.thread = new Thread(this::produce, "demo-loop-producer");
        this.thread.setDaemon(true);
    }

    void start() {
        started = true;
        thread.start();
    }

    long driftStartMs() {
        return driftStartMs;
    }

    /** Feature events sent so far. */
    long events() {
        return events.get();
    }

    /** Of {@link #events()}, those from the moved clusters. */
    long driftedEvents() {
        return driftedEvents.get();
    }

    long labels() {
        return labels.get();
    }

    /** The first error of a send, or null. */
    Exception failure() {
        return failure.get();
    }

    /** The class-{@code label} centre's coordinate (both coordinates are equal) at record time {@code t}. */
    double centre(int label, long t) {
        return (label == 0 ? 0.0 : SyntheticData.OVERLAP_OFFSET) + (t >= driftStartMs ? SHIFT : 0.0);
    }

    private void produce() {
        ArrayDeque<PendingLabel> pending = new ArrayDeque<>();
        long start = System.nanoTime();
        double nanosPerEvent = 1e9 / rate;
        try {
            for (long i = 0; !done && stop.getCount() > 0 && failure.get() == null; i++) {
                long due = start + (long) (i * nanosPerEvent);
                long wait;
                while ((wait = due - System.nanoTime()) > 0 && !done && stop.getCount() > 0) {
                    sendDueLabels(pending);
                    LockSupport.parkNanos(Math.min(wait, 5_000_000L));
                }
                sendDueLabels(pending);
                long t = System.currentTimeMillis();
                int label = (int) (i % 2);
                String key = String.format(Locale.ROOT, "entity-%04d", i % 1000);
                // The run id in the event id: a label joins its event by id, and an earlier run on the same cluster
                // used the same numbers.
                String eventId = eventIdPrefix + i;
                Map<String, Double> features = new LinkedHashMap<>();
                for (String name : featureNames) {
                    features.put(name, centre(label, t) + random.nextGaussian());
                }
                byte[] value = FeatureEventJson.toBytes(FeatureEvent.named(eventId, modelId, features, null));
                send(new ProducerRecord<>(featuresTopic, null, t, key, value));
                events.incrementAndGet();
                if (t >= driftStartMs) {
                    driftedEvents.incrementAndGet();
                }
                pending.add(new PendingLabel(t + LABEL_DELAY.toMillis(), key,
                        LabelJson.toBytes(new Label(eventId, label))));
            }
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        } finally {
            finished.countDown();
        }
    }

    private void sendDueLabels(ArrayDeque<PendingLabel> pending) {
        long now = System.currentTimeMillis();
        while (!pending.isEmpty() && pending.peekFirst().dueMs() <= now) {
            PendingLabel l = pending.pollFirst();
            send(new ProducerRecord<>(labelsTopic, null, now, l.key(), l.value()));
            labels.incrementAndGet();
        }
    }

    private void send(ProducerRecord<String, byte[]> record) {
        record.headers().add(EventProducer.RUN_HEADER, runId);
        producer.send(record, (metadata, e) -> {
            if (e != null) {
                failure.compareAndSet(null, e);
            }
        });
    }

    /** Stops producing (labels still waiting are dropped: the loop has shown what it had to). */
    @Override
    public void close() throws InterruptedException {
        done = true;
        if (started) {
            finished.await(10, java.util.concurrent.TimeUnit.SECONDS);
        }
        producer.close(Duration.ofSeconds(10));
    }
}
