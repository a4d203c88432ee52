package io.streamscore.e2e.reliability;

import io.streamscore.common.LogisticModel;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.optim.LogisticRegressionTrainer;
import io.streamscore.trainer.optim.ProgressListener;
import io.streamscore.trainer.synthetic.SyntheticData;
import io.streamscore.trainer.optim.TrainingOptions;
import io.streamscore.trainer.kafka.ModelPublisher;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
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

/** What the fault and security tests share: names, models, events, score counting, the product's jars as processes. */
final class Reliability {
    private static final long POLL_MS = 50;

    private Reliability() {
    }

    /** The five topics of one scorer, unique per test. */
    record Topics(String models, String features, String scores, String deadLetters, String shadowScores) {
        static Topics named() {
            String s = UUID.randomUUID().toString().substring(0, 8);
            return new Topics("models-" + s, "features-" + s, "scores-" + s, "dead-letters-" + s, "shadow-scores-" + s);
        }

        Topics create(EmbeddedKafkaBroker kafka, int partitions) {
            kafka.createTopic(models, 1, Map.of("cleanup.policy", "compact"));
            kafka.createTopic(features, partitions, Map.of());
            kafka.createTopic(scores, partitions, Map.of());
            kafka.createTopic(deadLetters, partitions, Map.of());
            kafka.createTopic(shadowScores, partitions, Map.of());
            return this;
        }

        List<String> flags() {
            return List.of("--models-topic", models, "--features-topic", features, "--scores-topic", scores,
                    "--dead-letters-topic", deadLetters, "--shadow-scores-topic", shadowScores);
        }
    }

    static String shortId() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    static LogisticModel train(String modelId) {
        Dataset data = SyntheticData.overlappingClusters(300, 7);
        TrainingOptions options = TrainingOptions.defaults().withStandardize(true).withSeed(7).withThreads(1)
                .withIterations(300);
        Dataset.Split split = data.split(0.2, 7);
        return new LogisticRegressionTrainer(options, Clock.systemUTC(), ProgressListener.NONE)
                .train(split.train(), split.holdout(), modelId).model();
    }

    static void publish(EmbeddedKafkaBroker kafka, String topic, LogisticModel model) throws Exception {
        publish(kafka.bootstrapServers(), topic, model);
    }

    static void publish(String bootstrapServers, String topic, LogisticModel model) throws Exception {
        Properties p = new Properties();
        p.put("bootstrap.servers", bootstrapServers);
        try (ModelPublisher publisher = new ModelPublisher(p, topic, Duration.ofSeconds(30))) {
            publisher.ensureCompactedTopic(1, Optional.empty());
            publisher.publish(model);
        }
    }

    /** A feature event {@code e-N} for the overlapping-clusters model (features x1, x2). */
    static byte[] event(long n, String modelId) {
        double x1 = ((n * 7919) % 600) / 100.0 - 2;
        double x2 = ((n * 104729) % 600) / 100.0 - 2;
        return ("{\"eventId\":\"e-" + n + "\",\"modelId\":\"" + modelId + "\",\"features\":{\"x1\":" + x1 + ",\"x2\":"
                + x2 + "}}").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] key(long n) {
        return ("k-" + n).getBytes(StandardCharsets.UTF_8);
    }

    /** Idempotent, acks=all; {@code deliveryTimeoutMs} long enough to ride out a broker restart. */
    static KafkaProducer<byte[], byte[]> producer(EmbeddedKafkaBroker kafka, int deliveryTimeoutMs) {
        return producer(kafka.bootstrapServers(), deliveryTimeoutMs);
    }

    static KafkaProducer<byte[], byte[]> producer(String bootstrapServers, int deliveryTimeoutMs) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, String.valueOf(deliveryTimeoutMs));
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, String.valueOf(deliveryTimeoutMs));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** The event id in a score or dead-letter value, or the whole value when it has none. */
    static String eventId(byte[] value) {
        String s = new String(value, StandardCharsets.UTF_8);
        int i = s.indexOf("\"eventId\":\"");
        if (i < 0) {
            return s;
        }
        int start = i + "\"eventId\":\"".length();
        return s.substring(start, s.indexOf('"', start));
    }

    /**
     * The event id and model version of a score: {@code e-7@v3}. What identifies a shadow record, one per event and
     * challenger.
     */
    static String eventAndVersion(byte[] value) {
        String s = new String(value, StandardCharsets.UTF_8);
        int i = s.indexOf("\"modelVersion\":");
        if (i < 0) {
            return eventId(value);
        }
        int start = i + "\"modelVersion\":".length();
        int end = start;
        while (end < s.length() && Character.isDigit(s.charAt(end))) {
            end++;
        }
        return eventId(value) + "@v" + s.substring(start, end);
    }

    /**
     * Counts the event ids on a topic read from the beginning with {@code isolation.level=read_committed}, no group:
     * how often each id was seen, so lost and duplicated are both visible.
     */
    static final class ScoreCounter implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final java.util.function.Function<byte[], String> identity;
        private final Map<String, Integer> seen = new HashMap<>();
        private final Map<Integer, Long> recordsByPartition = new HashMap<>();
        private final Map<Integer, Long> lastOffsetByPartition = new HashMap<>();
        private long records;
        private final String topic;

        ScoreCounter(EmbeddedKafkaBroker kafka, String topic) {
            this(kafka.bootstrapServers(), topic, Reliability::eventId);
        }

        /** Counts by {@code identity} of each value instead of the event id. */
        ScoreCounter(EmbeddedKafkaBroker kafka, String topic, java.util.function.Function<byte[], String> identity) {
            this(kafka.bootstrapServers(), topic, identity);
        }

        ScoreCounter(String bootstrapServers, String topic) {
            this(bootstrapServers, topic, Reliability::eventId);
        }

        ScoreCounter(String bootstrapServers, String topic, java.util.function.Function<byte[], String> identity) {
            this.topic = topic;
            this.identity = identity;
            Properties p = new Properties();
            p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
            p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
            consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
            List<TopicPartition> parts = new ArrayList<>();
            consumer.partitionsFor(topic, Duration.ofSeconds(30)).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
            consumer.assign(parts);
            consumer.seekToBeginning(parts);
        }

        /** One poll; returns how many records it brought. */
        int poll(Duration timeout) {
            int n = 0;
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
                seen.merge(identity.apply(r.value()), 1, Integer::sum);
                recordsByPartition.merge(r.partition(), 1L, Long::sum);
                lastOffsetByPartition.merge(r.partition(), r.offset(), Math::max);
                n++;
            }
            records += n;
            return n;
        }

        /** Polls until {@code distinct} identities were seen; fails with expected vs received after {@code timeout}. */
        void awaitDistinct(int distinct, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (seen.size() < distinct) {
                if (System.nanoTime() > deadline) {
                    fail("timed out after " + timeout.toSeconds() + " s waiting for " + distinct + " distinct event ids on "
                            + topic + " (read_committed); received " + seen.size() + " distinct in " + records + " records");
                }
                poll(Duration.ofMillis(100));
            }
        }

        /** Reads on to the end offsets taken now (with read_committed: the last stable offset). */
        void drainToEnd(Duration timeout) {
            Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), timeout);
            long deadline = System.nanoTime() + timeout.toNanos();
            while (end.entrySet().stream().anyMatch(e -> consumer.position(e.getKey()) < e.getValue())) {
                if (System.nanoTime() > deadline) {
                    fail("timed out reading " + topic + " to " + end + "; received " + records);
                }
                poll(Duration.ofMillis(100));
            }
        }

        Map<String, Integer> seen() {
            return seen;
        }

        long records() {
            return records;
        }

        /** Records read so far from {@code partition}. */
        long records(int partition) {
            return recordsByPartition.getOrDefault(partition, 0L);
        }

        int partitions() {
            return consumer.assignment().size();
        }

        /** The highest offset read so far from {@code partition}, -1 before the first record. */
        long lastOffset(int partition) {
            return lastOffsetByPartition.getOrDefault(partition, -1L);
        }

        /** The end offsets now, by partition: with read_committed, the last stable offset (what is committed). */
        Map<Integer, Long> endOffsets(Duration timeout) {
            Map<Integer, Long> byPartition = new HashMap<>();
            consumer.endOffsets(consumer.assignment(), timeout).forEach((tp, offset) -> byPartition.put(tp.partition(), offset));
            return byPartition;
        }

        int distinct() {
            return seen.size();
        }

        /** Ids among e-0 … e-(n-1) never seen. */
        long lost(long n) {
            long lost = 0;
            for (long i = 0; i < n; i++) {
                if (!seen.containsKey("e-" + i)) {
                    lost++;
                }
            }
            return lost;
        }

        /** Records beyond the first for each id. */
        long duplicates() {
            return seen.values().stream().mapToLong(c -> c - 1).sum();
        }

        @Override
        public void close() {
            consumer.close();
        }
    }

    static Path repoRoot() {
        String root = System.getProperty("streamscore.repo.root");
        Path p = root != null ? Path.of(root) : Path.of("..");
        return p.toAbsolutePath().normalize();
    }

    static Path jar(String module) {
        Path jar = repoRoot().resolve(module).resolve("target").resolve(module + ".jar");
        if (!Files.isRegularFile(jar)) {
            fail(jar + " is missing: build it first (./mvnw -B -q install -DskipTests, or ./mvnw -B verify from the root)");
        }
        return jar;
    }

    /** {@code java -jar <module>.jar args}, stdout and stderr to files in {@code dir} named after {@code name}. */
    static AppProcess launch(String module, Path dir, String name, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx384m");
        cmd.add("-jar");
        cmd.add(jar(module).toString());
        cmd.addAll(args);
        Path out = dir.resolve(name + ".out");
        Path err = dir.resolve(name + ".err");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        return new AppProcess(name, p, out, err);
    }

    /** A started product process and its output files. */
    record AppProcess(String name, Process process, Path out, Path err) implements AutoCloseable {
        String output() {
            try {
                return Files.readString(out) + Files.readString(err);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        boolean logContains(String s) {
            return output().contains(s);
        }

        /** Waits for the exit; fails with the output's tail when it does not come. */
        int awaitExit(Duration timeout) throws InterruptedException {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                fail(name + " did not exit within " + timeout.toSeconds() + " s; output tail:\n" + tail());
            }
            return process.exitValue();
        }

        String tail() {
            String o = output();
            return o.length() > 4000 ? o.substring(o.length() - 4000) : o;
        }

        /** SIGTERM, then SIGKILL if it does not stop in 30 s. */
        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(30, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    process.destroyForcibly();
                }
            }
        }
    }

    static Path write(Path file, String content) throws IOException {
        return Files.writeString(file, content);
    }

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
}
