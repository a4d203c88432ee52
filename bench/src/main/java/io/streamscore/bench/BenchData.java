package io.streamscore.bench;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.Standardization;
import io.streamscore.common.modellog.Challenge;
import io.streamscore.common.modellog.ModelLogKey;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The bench's data: one standardized 20-feature model and seeded feature events for it, features by name
 * (~490 bytes of JSON each, the scorer's common case), and the producers that write them.
 */
final class BenchData {
    static final String MODEL_ID = "bench";
    static final int FEATURES = 20;
    /** Distinct keys: enough to spread over the partitions, as entity ids would. */
    private static final int KEYS = 100_000;

    private final List<String> names = new ArrayList<>();
    private final double[] weights = new double[FEATURES];
    private final double[] mean = new double[FEATURES];
    private final double[] std = new double[FEATURES];

    BenchData(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int f = 0; f < FEATURES; f++) {
            names.add(String.format("feature_%02d", f));
            weights[f] = random.nextGaussian() * 0.1;
            mean[f] = random.nextGaussian();
            std[f] = 50 + random.nextDouble() * 100;
        }
    }

    /** The model at a version; versions differ in their weights so a swap is visible in the scores. */
    LogisticModel model(long version) {
        double[] w = weights.clone();
        for (int f = 0; f < FEATURES; f++) {
            w[f] = w[f] * (1 + 0.01 * (version - 1));
        }
        return new LogisticModel(MODEL_ID, version, names, w, 0.1, new Standardization(mean, std), 0.5, null);
    }

    /** Event {@code n}'s JSON: deterministic in (seed, n), so every run of the bench scores the same data. */
    byte[] event(long n) {
        double[] x = row(n);
        StringBuilder b = new StringBuilder(512);
        b.append("{\"eventId\":\"evt-").append(n).append("\",\"modelId\":\"").append(MODEL_ID).append("\",\"features\":{");
        for (int f = 0; f < FEATURES; f++) {
            b.append(f == 0 ? "" : ",").append('"').append(names.get(f)).append("\":").append(x[f]);
        }
        return b.append("}}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Event {@code n}'s feature values, in the model's order. */
    double[] row(long n) {
        SplittableRandom random = new SplittableRandom(n * 0x9E3779B97F4A7C15L);
        double[] x = new double[FEATURES];
        for (int f = 0; f < FEATURES; f++) {
            x[f] = Math.round(random.nextGaussian() * 1e6) / 1e4;
        }
        return x;
    }

    /** The model at a version with the drift baseline of {@code rows} events (from a number no bench event uses). */
    LogisticModel modelWithBaseline(long version, int rows) {
        LogisticModel m = model(version);
        double[] x = new double[rows * FEATURES];
        double[] p = new double[rows];
        for (int i = 0; i < rows; i++) {
            double[] r = row(-1 - i);
            System.arraycopy(r, 0, x, i * FEATURES, FEATURES);
            p[i] = m.predictProbability(r);
        }
        return m.withDriftBaseline(io.streamscore.common.drift.DriftBaseline.fit(names, x, p,
                io.streamscore.common.drift.DriftBaseline.DEFAULT_BINS));
    }

    static byte[] key(long n) {
        return ("entity-" + (n % KEYS)).getBytes(StandardCharsets.UTF_8);
    }

    /** Publishes a model as the trainer does: key = model id, value = model JSON, acks=all; returns at the ack. */
    static void publish(String bootstrap, String topic, LogisticModel model) throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topic, model.modelId().getBytes(StandardCharsets.UTF_8), ModelJson.toBytes(model)))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /**
     * Publishes {@code champion} and {@code challenger} (a higher version) as the trainer's {@code publish} and
     * {@code publish --challenger} do: keys {@code ID@vN}, the challenge before the challenger's model.
     */
    static void publishWithChallenger(String bootstrap, String topic, LogisticModel champion, LogisticModel challenger)
            throws Exception {
        try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer())) {
            p.send(new ProducerRecord<>(topic, ModelLogKey.version(champion.modelId(), champion.version()).toBytes(),
                    ModelJson.toBytes(champion))).get(30, TimeUnit.SECONDS);
            p.send(new ProducerRecord<>(topic, ModelLogKey.challenge(challenger.modelId(), challenger.version()).toBytes(),
                    new Challenge(challenger.modelId(), challenger.version(), Instant.now()).toBytes())).get(30, TimeUnit.SECONDS);
            p.send(new ProducerRecord<>(topic, ModelLogKey.version(challenger.modelId(), challenger.version()).toBytes(),
                    ModelJson.toBytes(challenger))).get(30, TimeUnit.SECONDS);
        }
    }

    /** A producer tuned for bulk load (large batches, 20 ms linger), which reached ~500k records/s on this kind of machine. */
    static KafkaProducer<byte[], byte[]> bulkProducer(String bootstrap) {
        return new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.BATCH_SIZE_CONFIG, 262_144,
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BUFFER_MEMORY_CONFIG, 128L << 20,
                ProducerConfig.ACKS_CONFIG, "all"),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Writes events 0..n-1 to the topic; returns the mean value size in bytes. Fails on the first send error. */
    double prefill(String bootstrap, String topic, long n) throws Exception {
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong bytes = new AtomicLong();
        try (KafkaProducer<byte[], byte[]> p = bulkProducer(bootstrap)) {
            for (long i = 0; i < n && failure.get() == null; i++) {
                byte[] value = event(i);
                bytes.addAndGet(value.length);
                p.send(new ProducerRecord<>(topic, key(i), value), (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            p.flush();
        }
        if (failure.get() != null) {
            throw new IllegalStateException("pre-filling " + topic + " failed", failure.get());
        }
        return (double) bytes.get() / n;
    }
}
