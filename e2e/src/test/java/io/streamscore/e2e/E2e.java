package io.streamscore.e2e;

import io.streamscore.common.LogisticModel;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.scorer.ScorerConfig;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.optim.LogisticRegressionTrainer;
import io.streamscore.trainer.optim.ProgressListener;
import io.streamscore.trainer.synthetic.SyntheticData;
import io.streamscore.trainer.optim.TrainingOptions;
import io.streamscore.trainer.kafka.ModelPublisher;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/** What every end-to-end test needs: unique names, a trained model, publishing, a scorer config, waiting. */
final class E2e {
    /** How often a wait re-checks its condition. */
    private static final long POLL_MS = 20;

    private E2e() {
    }

    /** The five topics one scorer reads and writes, unique per test. */
    record Topics(String models, String features, String scores, String deadLetters, String shadowScores) {
        /** The shadow-scores topic named after the scores topic. */
        Topics(String models, String features, String scores, String deadLetters) {
            this(models, features, scores, deadLetters, "shadow-" + scores);
        }

        /** Creates them: features with {@code featurePartitions}, models compacted (the publisher checks that too). */
        static Topics create(EmbeddedKafkaBroker kafka, int featurePartitions, int outputPartitions) {
            String suffix = shortId();
            Topics t = new Topics("models-" + suffix, "features-" + suffix, "scores-" + suffix, "dead-letters-" + suffix);
            kafka.createTopic(t.models(), 1, Map.of("cleanup.policy", "compact"));
            kafka.createTopic(t.features(), featurePartitions, Map.of());
            kafka.createTopic(t.scores(), outputPartitions, Map.of());
            kafka.createTopic(t.deadLetters(), outputPartitions, Map.of());
            kafka.createTopic(t.shadowScores(), outputPartitions, Map.of());
            return t;
        }
    }

    static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    static Properties client(EmbeddedKafkaBroker kafka) {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        return p;
    }

    /** Idempotent, acks=all, bytes in and out: the tests decide every key, value and timestamp. */
    static KafkaProducer<byte[], byte[]> producer(EmbeddedKafkaBroker kafka) {
        return producer(kafka, 5);
    }

    /** As {@link #producer(EmbeddedKafkaBroker)}; linger 0 for one synchronous send at a time. */
    static KafkaProducer<byte[], byte[]> producer(EmbeddedKafkaBroker kafka, int lingerMs) {
        Properties p = client(kafka);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, String.valueOf(lingerMs));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    /**
     * A model trained from scratch on the overlapping-clusters example (features x1, x2), standardized. Different
     * seeds give different data and so different weights.
     */
    static LogisticModel train(String modelId, long seed) {
        Dataset data = SyntheticData.overlappingClusters(400, seed);
        Dataset.Split split = data.split(0.2, seed);
        TrainingOptions options = TrainingOptions.defaults().withStandardize(true).withSeed(seed).withThreads(1)
                .withIterations(500);
        return new LogisticRegressionTrainer(options, Clock.systemUTC(), ProgressListener.NONE)
                .train(split.train(), split.holdout(), modelId).model();
    }

    /** Publishes through the trainer's publisher; returns the model as published (with its version). */
    static ModelPublisher.Published publish(EmbeddedKafkaBroker kafka, String topic, LogisticModel model)
            throws ModelPublisher.PublishException {
        try (ModelPublisher publisher = new ModelPublisher(client(kafka), topic, Duration.ofSeconds(30))) {
            publisher.ensureCompactedTopic(1, Optional.empty());
            return publisher.publish(model);
        }
    }

    /**
     * A scorer config as a user would layer it: the {@code file} layer holds Kafka properties (state dir, tuning), the
     * flags layer the scorer's own settings. HTTP on a free port.
     */
    static ScorerConfig scorerConfig(EmbeddedKafkaBroker kafka, Topics t, String applicationId, Path stateDir,
                                     Map<String, String> extra) {
        Map<String, String> file = new HashMap<>(extra);
        file.put("state.dir", stateDir.toString());
        Map<String, String> flags = new HashMap<>();
        flags.put(ScorerConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
        flags.put(ScorerConfig.APPLICATION_ID, applicationId);
        flags.put(ScorerConfig.MODELS_TOPIC, t.models());
        flags.put(ScorerConfig.FEATURES_TOPIC, t.features());
        flags.put(ScorerConfig.SCORES_TOPIC, t.scores());
        flags.put(ScorerConfig.DEAD_LETTERS_TOPIC, t.deadLetters());
        flags.put(ScorerConfig.SHADOW_SCORES_TOPIC, t.shadowScores());
        flags.put(ScorerConfig.HTTP_PORT, "0");
        return ScorerConfig.resolve(file, flags);
    }

    static String cleanupPolicy(EmbeddedKafkaBroker kafka, String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config c = admin.describeConfigs(List.of(r)).all().get(30, TimeUnit.SECONDS).get(r);
            return c.get("cleanup.policy").value();
        }
    }

    /**
     * Re-checks {@code condition} until it holds; after {@code timeout} fails with what was awaited and what was
     * observed last.
     */
    static void waitFor(String what, Duration timeout, BooleanSupplier condition, Supplier<String> observed)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + timeout.toSeconds() + " s waiting for " + what + "; observed: " + observed.get());
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MS); // poll interval of a deadline wait, not a synchronisation sleep
        }
    }

    /** True when both doubles have the same bits: "equal bit for bit", NaN and -0.0 included. */
    static boolean sameBits(double a, double b) {
        return Double.doubleToRawLongBits(a) == Double.doubleToRawLongBits(b);
    }
}
