package io.streamscore.e2e;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.event.FeatureEvent;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Produces good feature events continuously on its own thread until stopped: one synchronous send at a time, so the
 * rate is whatever one acknowledged send per round trip gives (no pacing sleeps) and every event's partition and
 * produce time are known once it is acknowledged. Event {@code e-N} is keyed {@code k-N}, its record timestamp is the
 * wall clock just before the send, and its model id cycles through the given ids.
 */
final class EventPump implements AutoCloseable {
    /** One acknowledged event. */
    record Sent(String eventId, String modelId, Map<String, Double> features, long producedAt, int partition) {
    }

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final List<String> modelIds;
    private final ConcurrentMap<String, Sent> sent = new ConcurrentHashMap<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stop;

    EventPump(EmbeddedKafkaBroker kafka, String topic, List<String> modelIds, long seed) {
        this.producer = E2e.producer(kafka, 0);
        this.topic = topic;
        this.modelIds = List.copyOf(modelIds);
        this.thread = new Thread(() -> pump(seed), "event-pump");
        thread.setDaemon(true);
    }

    EventPump start() {
        thread.start();
        return this;
    }

    private void pump(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        try {
            for (long n = 0; !stop; n++) {
                Map<String, Double> features = Map.of("x1", random.nextDouble(-2, 4), "x2", random.nextDouble(-2, 4));
                String id = "e-" + n;
                String modelId = modelIds.get((int) (n % modelIds.size()));
                byte[] value = FeatureEventJson.toBytes(FeatureEvent.named(id, modelId, features, null));
                long now = System.currentTimeMillis();
                RecordMetadata meta = producer.send(new ProducerRecord<>(topic, null, now, E2e.utf8("k-" + n), value))
                        .get(30, TimeUnit.SECONDS);
                sent.put(id, new Sent(id, modelId, features, now, meta.partition()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure.set(e);
        } catch (Exception e) {
            failure.set(e);
        }
    }

    /** Events acknowledged so far, by event id. */
    Map<String, Sent> sent() {
        return sent;
    }

    int sentCount() {
        return sent.size();
    }

    /** Stops after the send in flight, and rethrows whatever stopped the pump early. */
    void stop() throws InterruptedException {
        stop = true;
        thread.join(TimeUnit.SECONDS.toMillis(40));
        if (thread.isAlive()) {
            throw new AssertionError("event pump did not stop within 40 s");
        }
        Throwable t = failure.get();
        if (t != null) {
            throw new AssertionError("event pump failed after " + sent.size() + " events", t);
        }
    }

    /** The probability the scorer must write for {@code s} if scored by {@code model}. */
    static double expected(LogisticModel model, Sent s) {
        return model.predictProbability(model.toVector(s.features()));
    }

    /** Stops the pump (if a test failed before {@link #stop()}) and closes its producer. */
    @Override
    public void close() {
        stop = true;
        try {
            thread.join(TimeUnit.SECONDS.toMillis(40));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            producer.close();
        }
    }
}
