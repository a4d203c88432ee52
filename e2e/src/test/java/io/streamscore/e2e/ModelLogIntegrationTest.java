package io.streamscore.e2e;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import io.streamscore.common.modellog.Challenge;
import io.streamscore.common.modellog.Retirement;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerCli;
import io.streamscore.scorer.ScorerConfig;
import io.streamscore.trainer.cli.TrainerCli;
import io.streamscore.trainer.kafka.ModelPublisher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The model topic as the truth (docs/model-topic.md), on a real broker whose log cleaner compacts eagerly: whatever is
 * written to the model topic, a scorer that ran throughout and one started after compaction serve the same model for
 * every id and shadow-score with the same challengers, and they are the models the documented rule names.
 */
@Tag("integration")
@Timeout(900)
class ModelLogIntegrationTest {
    private static final int SEQUENCES = 20;
    private static final String PROBE = "{\"eventId\":\"%s\",\"modelId\":\"%s\",\"features\":{\"x1\":0.3,\"x2\":-1.7}}";
    private static EmbeddedKafkaBroker kafka;

    @TempDir
    Path stateDir;
    @TempDir
    Path files;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafkaBroker.builder().withBrokerProperty("log.cleaner.backoff.ms", "200").start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    /** A model topic that compacts as soon as it can: tiny segments, any dirt is enough, tombstones kept briefly. */
    private static String eagerModelTopic() {
        String name = "models-" + E2e.shortId();
        kafka.createTopic(name, 1, Map.of("cleanup.policy", "compact", "segment.ms", "200",
                "min.cleanable.dirty.ratio", "0.001", "delete.retention.ms", "100"));
        return name;
    }

    private static LogisticModel model(String id, SplittableRandom r) {
        return new LogisticModel(id, 0, List.of("x1", "x2"), new double[]{r.nextGaussian(), r.nextGaussian()},
                r.nextGaussian(), null, 0.5, null);
    }

    @Test
    void everyInstanceServesTheModelTheRuleNamesBeforeAndAfterCompaction() throws Exception {
        String models = eagerModelTopic();
        E2e.Topics one = outputs(models, "features-" + E2e.shortId());
        E2e.Topics two = outputs(models, one.features());
        List<String> ids = new ArrayList<>();
        Map<String, List<Long>> offsetsByKey = new HashMap<>();
        int cliCalls = 0;
        try (ScorerApp.Running running = new ScorerApp(E2e.scorerConfig(kafka, one, "log-a-" + E2e.shortId(),
                stateDir.resolve("a"), Map.of())).start();
             ModelPublisher publisher = new ModelPublisher(E2e.client(kafka), models, Duration.ofSeconds(30));
             KafkaProducer<byte[], byte[]> raw = E2e.producer(kafka, 0)) {
            assertTrue(running.awaitRunning(Duration.ofSeconds(60)), "first scorer RUNNING; state " + running.state());
            for (int seed = 0; seed < SEQUENCES; seed++) {
                cliCalls += writeSequence(seed, models, publisher, raw, ids, offsetsByKey);
            }
            awaitCompaction(models, raw, offsetsByKey);
            LogisticModel sentinel = publisher.publish(model("sentinel", new SplittableRandom(1))).model();

            try (ScorerApp.Running fresh = new ScorerApp(E2e.scorerConfig(kafka, two, "log-b-" + E2e.shortId(),
                    stateDir.resolve("b"), Map.of())).start()) {
                assertTrue(fresh.awaitRunning(Duration.ofSeconds(60)), "second scorer RUNNING; state " + fresh.state());
                for (ScorerApp.Running s : List.of(running, fresh)) {
                    E2e.waitFor("the sentinel model served", Duration.ofSeconds(60),
                            () -> Long.valueOf(sentinel.version()).equals(s.metrics().servingVersions().get("sentinel")),
                            () -> "serving " + s.metrics().servingVersions());
                }
                Map<String, byte[]> last = lastRecordPerKey(models);
                Map<String, LogisticModel> expected = documentedRule(last, ids);
                Map<String, List<LogisticModel>> challengers = documentedChallengers(last, ids);
                Map<String, List<Long>> expectedChallengers = new TreeMap<>();
                challengers.forEach((id, list) -> {
                    if (!list.isEmpty()) {
                        expectedChallengers.put(id, list.stream().map(LogisticModel::version).toList());
                    }
                });
                Map<String, Long> expectedVersions = new TreeMap<>();
                expected.forEach((id, m) -> {
                    if (m != null) {
                        expectedVersions.put(id, m.version());
                    }
                });
                expectedVersions.put("sentinel", sentinel.version());
                expectedVersions.put("filler", 1L);
                assertEquals(expectedVersions, new TreeMap<>(running.metrics().servingVersions()),
                        "versions served by the instance that ran throughout");
                assertEquals(expectedVersions, new TreeMap<>(fresh.metrics().servingVersions()),
                        "versions served by the instance started after compaction");
                assertEquals(expectedChallengers, running.metrics().challengerVersions(),
                        "challengers of the instance that ran throughout");
                assertEquals(expectedChallengers, fresh.metrics().challengerVersions(),
                        "challengers of the instance started after compaction");

                // Same version is not enough (a rogue writer can put other weights under a version key): probe both.
                probeAndCompare(one, two, ids, expected, challengers);
                long none = expected.values().stream().filter(m -> m == null).count();
                long shadowed = ids.stream().filter(id -> expected.get(id) != null && !challengers.get(id).isEmpty())
                        .count();
                System.out.printf("model log: %d sequences, %d ids (%d with no model, %d shadow-scored), %d CLI calls; "
                        + "both instances and the rule agree on every id%n", SEQUENCES, ids.size(), none, shadowed,
                        cliCalls);
                assertTrue(none > 0 && none < ids.size(), "the sequences reach both outcomes: " + none + " of "
                        + ids.size() + " ids end with no model");
                assertTrue(shadowed > 0, "the sequences leave some served ids with challengers");
            }
        }
    }

    /**
     * One seeded sequence for two fresh ids: publishes (API and CLI, some as challengers), byte-for-byte stale copies,
     * stale copies under other versions' keys, duplicate versions with other weights, garbage and tombstones under
     * every key form, old-layout records, challenges written by hand (valid, naming another version, tombstones), and
     * retire / restore / rollback / prune / challenge / promote / drop through the CLI. Returns the CLI calls made.
     */
    private int writeSequence(int seed, String topic, ModelPublisher publisher, KafkaProducer<byte[], byte[]> raw,
                              List<String> ids, Map<String, List<Long>> offsetsByKey) throws Exception {
        SplittableRandom r = new SplittableRandom(seed * 7919L + 17);
        String a = "a" + seed;
        String b = "b" + seed;
        ids.add(a);
        ids.add(b);
        Map<String, List<ModelPublisher.Published>> published = new HashMap<>();
        for (String id : List.of(a, b)) {
            for (int v = 0; v < 2; v++) {
                ModelPublisher.Published p = publisher.publish(model(id, r));
                published.computeIfAbsent(id, k -> new ArrayList<>()).add(p);
                offsetsByKey.computeIfAbsent(id + "@v" + p.model().version(), k -> new ArrayList<>()).add(p.offset());
            }
        }
        int cli = 0;
        int ops = 10 + r.nextInt(8);
        for (int op = 0; op < ops; op++) {
            String id = r.nextBoolean() ? a : b;
            List<ModelPublisher.Published> mine = published.get(id);
            ModelPublisher.Published some = mine.get(r.nextInt(mine.size()));
            long top = mine.get(mine.size() - 1).model().version();
            long anyVersion = 1 + r.nextInt((int) top + 1);
            switch (r.nextInt(16)) {
                case 0 -> {
                    ModelPublisher.Published p = publisher.publish(model(id, r));
                    mine.add(p);
                    offsetsByKey.computeIfAbsent(id + "@v" + p.model().version(), k -> new ArrayList<>()).add(p.offset());
                }
                case 1 -> {
                    Path file = files.resolve(id + "-" + op + ".json");
                    Files.write(file, ModelJson.toBytes(model(id, r)));
                    if (r.nextInt(3) == 0) {
                        cli(0, "publish", "--model", file.toString(), "--challenger", "--bootstrap-servers",
                                kafka.bootstrapServers(), "--models-topic", topic);
                    } else {
                        cli(0, "publish", "--model", file.toString(), "--bootstrap-servers", kafka.bootstrapServers(),
                                "--models-topic", topic);
                    }
                    cli++;
                }
                case 2 -> send(raw, topic, id + "@v" + some.model().version(),
                        ModelJson.toCompactJson(some.model()).getBytes(), offsetsByKey);     // byte-for-byte stale copy
                case 3 -> send(raw, topic, id + "@v" + anyVersion, ModelJson.toCompactJson(some.model()).getBytes(),
                        offsetsByKey);                                                     // a copy under another key
                case 4 -> send(raw, topic, id + "@v" + some.model().version(),
                        ModelJson.toCompactJson(model(id, r).withVersion(some.model().version())).getBytes(),
                        offsetsByKey);                                                     // duplicate version
                case 5 -> send(raw, topic, switch (r.nextInt(4)) {
                    case 0 -> id + "@v" + anyVersion;
                    case 1 -> id + "@v" + anyVersion + "@retired";
                    case 2 -> id + "@v" + anyVersion + "@challenger";
                    default -> id;
                }, "{not a model".getBytes(), offsetsByKey);                                // garbage
                case 6 -> send(raw, topic, switch (r.nextInt(3)) {
                    case 0 -> id + "@v" + anyVersion;
                    case 1 -> id + "@v" + anyVersion + "@retired";
                    default -> id + "@v" + anyVersion + "@challenger";
                }, null, offsetsByKey);                                                    // tombstone
                case 7 -> send(raw, topic, id, ModelJson.toCompactJson(model(id, r).withVersion(anyVersion)).getBytes(),
                        offsetsByKey);                                                     // the old layout
                case 8 -> {
                    cli(-1, "models", "retire", "--model-id", id, "--version", String.valueOf(anyVersion),
                            "--reason", "seed " + seed, "--bootstrap-servers", kafka.bootstrapServers(),
                            "--models-topic", topic);
                    cli++;
                }
                case 9 -> {
                    cli(-1, "models", "rollback", "--model-id", id, "--to", String.valueOf(anyVersion),
                            "--bootstrap-servers", kafka.bootstrapServers(), "--models-topic", topic);
                    cli++;
                }
                case 10 -> {
                    cli(-1, "models", "restore", "--model-id", id, "--version", String.valueOf(anyVersion),
                            "--bootstrap-servers", kafka.bootstrapServers(), "--models-topic", topic);
                    cli++;
                }
                case 12 -> send(raw, topic, id + "@v" + anyVersion + "@challenger", new Challenge(id,
                        r.nextInt(4) == 0 ? anyVersion + 1 : anyVersion, java.time.Instant.now()).toBytes(),
                        offsetsByKey);                                                     // a challenge by hand
                case 13, 14 -> {
                    cli(-1, "models", "challenge", "--model-id", id, "--version", String.valueOf(anyVersion),
                            "--bootstrap-servers", kafka.bootstrapServers(), "--models-topic", topic);
                    cli++;
                }
                case 15 -> {
                    cli(-1, "models", r.nextBoolean() ? "promote" : "drop", "--model-id", id, "--version",
                            String.valueOf(anyVersion), "--bootstrap-servers", kafka.bootstrapServers(),
                            "--models-topic", topic);
                    cli++;
                }
                default -> {
                    cli(-1, "models", "prune", "--model-id", id, "--keep", String.valueOf(1 + r.nextInt(3)),
                            "--bootstrap-servers", kafka.bootstrapServers(), "--models-topic", topic);
                    cli++;
                }
            }
        }
        return cli;
    }

    /** Runs the trainer CLI; {@code expectedExit} -1 accepts 0 or 1 (e.g. retiring a version that has no model). */
    private static void cli(int expectedExit, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = TrainerCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        if (expectedExit >= 0 ? exit != expectedExit : exit > 1) {
            throw new AssertionError("trainer " + String.join(" ", args) + " exited " + exit + ": " + out + err);
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> raw, String topic, String key, byte[] value,
                             Map<String, List<Long>> offsetsByKey) throws Exception {
        RecordMetadata md = raw.send(new ProducerRecord<>(topic, E2e.utf8(key), value)).get(30, TimeUnit.SECONDS);
        offsetsByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(md.offset());
    }

    /**
     * Rolls segments (a filler record every 250 ms) until the log cleaner has removed every record the test knows
     * was overwritten by a later record under the same key.
     */
    private static void awaitCompaction(String topic, KafkaProducer<byte[], byte[]> raw,
                                        Map<String, List<Long>> offsetsByKey) throws Exception {
        Set<Long> overwritten = new TreeSet<>();
        offsetsByKey.values().forEach(offsets -> overwritten.addAll(offsets.subList(0, offsets.size() - 1)));
        assertTrue(overwritten.size() > SEQUENCES, "the sequences overwrite keys: " + overwritten.size());
        byte[] filler = ModelJson.toCompactJson(model("filler", new SplittableRandom(2)).withVersion(1)).getBytes();
        long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        Set<Long> left = overwritten;
        while (!left.isEmpty()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the log cleaner did not compact " + topic + " within 180 s; still present: "
                        + left.size() + " of " + overwritten.size() + " overwritten offsets");
            }
            raw.send(new ProducerRecord<>(topic, E2e.utf8("filler@v1"), filler)).get(30, TimeUnit.SECONDS);
            TimeUnit.MILLISECONDS.sleep(250); // segment.ms paces the rolls; the condition is re-checked below
            Set<Long> present = new HashSet<>();
            try (TopicReader reader = new TopicReader(kafka, topic)) {
                reader.drainToEnd(Duration.ofSeconds(30));
                reader.records().forEach(rec -> present.add(rec.offset()));
            }
            left = new TreeSet<>(overwritten);
            left.retainAll(present);
        }
        System.out.printf("model log: compaction removed all %d overwritten offsets%n", overwritten.size());
    }

    private static Map<String, byte[]> lastRecordPerKey(String topic) {
        Map<String, byte[]> last = new LinkedHashMap<>();
        try (TopicReader reader = new TopicReader(kafka, topic)) {
            reader.drainToEnd(Duration.ofSeconds(30));
            for (ConsumerRecord<byte[], byte[]> rec : reader.records()) {
                last.put(E2e.text(rec.key()), rec.value());
            }
        }
        return last;
    }

    /**
     * The champion by the rule of docs/model-topic.md, written from its text: the highest version N whose key ID@vN
     * holds a valid model for (ID, N) — or, failing that, whose document sits under the old key ID — whose
     * ID@vN@retired does not hold a valid retirement for (ID, N), and whose ID@vN@challenger does not hold a valid
     * challenge for (ID, N).
     */
    static Map<String, LogisticModel> documentedRule(Map<String, byte[]> last, List<String> ids) {
        Map<String, LogisticModel> served = new LinkedHashMap<>();
        for (String id : ids) {
            LogisticModel best = null;
            TreeMap<Long, LogisticModel> candidates = counting(last, id);
            for (Long v : candidates.descendingKeySet()) {
                if (!retired(last.get(id + "@v" + v + "@retired"), id, v)
                        && !challenged(last.get(id + "@v" + v + "@challenger"), id, v)) {
                    best = candidates.get(v);
                    break;
                }
            }
            served.put(id, best);
        }
        return served;
    }

    /** The challengers by the same text: counting versions under a valid challenge and not retired, ascending. */
    static Map<String, List<LogisticModel>> documentedChallengers(Map<String, byte[]> last, List<String> ids) {
        Map<String, List<LogisticModel>> out = new LinkedHashMap<>();
        for (String id : ids) {
            List<LogisticModel> list = new ArrayList<>();
            counting(last, id).forEach((v, m) -> {
                if (challenged(last.get(id + "@v" + v + "@challenger"), id, v)
                        && !retired(last.get(id + "@v" + v + "@retired"), id, v)) {
                    list.add(m);
                }
            });
            out.put(id, list);
        }
        return out;
    }

    /** Version → model for every counting version of {@code id}: ID@vN valid for (ID, N), else the old key's. */
    private static TreeMap<Long, LogisticModel> counting(Map<String, byte[]> last, String id) {
        TreeMap<Long, LogisticModel> candidates = new TreeMap<>();
        LogisticModel legacy = valid(last.get(id), id, -1);
        if (legacy != null) {
            candidates.put(legacy.version(), legacy);
        }
        for (Map.Entry<String, byte[]> e : last.entrySet()) {
            String prefix = id + "@v";
            if (e.getKey().startsWith(prefix) && e.getKey().substring(prefix.length()).matches("[1-9][0-9]*")) {
                long v = Long.parseLong(e.getKey().substring(prefix.length()));
                LogisticModel m = valid(e.getValue(), id, v);
                if (m != null) {
                    candidates.put(v, m);
                }
            }
        }
        return candidates;
    }

    private static boolean challenged(byte[] value, String id, long version) {
        if (value == null) {
            return false;
        }
        try {
            Challenge c = Challenge.fromBytes(value);
            return c.modelId().equals(id) && c.version() == version;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static LogisticModel valid(byte[] value, String id, long version) {
        if (value == null) {
            return null;
        }
        try {
            LogisticModel m = ModelJson.fromBytes(value);
            return m.modelId().equals(id) && (version < 0 || m.version() == version) ? m : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean retired(byte[] value, String id, long version) {
        if (value == null) {
            return false;
        }
        try {
            Retirement r = Retirement.fromBytes(value);
            return r.modelId().equals(id) && r.version() == version;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static E2e.Topics outputs(String models, String features) {
        String suffix = E2e.shortId();
        if (!features.isEmpty()) {
            try (var admin = kafka.admin()) {
                if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(features)) {
                    kafka.createTopic(features, 1, Map.of());
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        E2e.Topics t = new E2e.Topics(models, features, "scores-" + suffix, "dead-letters-" + suffix);
        kafka.createTopic(t.scores(), 1, Map.of());
        kafka.createTopic(t.deadLetters(), 1, Map.of());
        kafka.createTopic(t.shadowScores(), 1, Map.of());
        return t;
    }

    /**
     * Sends one named event per id and checks that each instance scored it with exactly the expected model (version
     * and probability bits), or dead-lettered it MODEL_NOT_FOUND when the rule names none; and that it wrote exactly
     * one shadow score per challenger the rule names (none for a dead-lettered event).
     */
    private static void probeAndCompare(E2e.Topics one, E2e.Topics two, List<String> ids,
                                        Map<String, LogisticModel> expected,
                                        Map<String, List<LogisticModel>> challengers) throws Exception {
        String round = E2e.shortId();
        try (KafkaProducer<byte[], byte[]> producer = E2e.producer(kafka)) {
            for (String id : ids) {
                producer.send(new ProducerRecord<>(one.features(), E2e.utf8("probe-" + round + "-" + id),
                        E2e.utf8(String.format(PROBE, "probe-" + round + "-" + id, id)))).get(30, TimeUnit.SECONDS);
            }
        }
        for (E2e.Topics t : List.of(one, two)) {
            try (TopicReader out = new TopicReader(kafka, t.scores(), t.deadLetters())) {
                out.awaitUntil(rs -> rs.stream().filter(rec -> E2e.text(rec.key()).startsWith("probe-" + round))
                        .count() >= ids.size(), Duration.ofSeconds(60), ids.size() + " probe outputs");
                for (ConsumerRecord<byte[], byte[]> rec : out.records()) {
                    String key = E2e.text(rec.key());
                    if (!key.startsWith("probe-" + round)) {
                        continue;
                    }
                    String id = key.substring(("probe-" + round + "-").length());
                    LogisticModel want = expected.get(id);
                    if (want == null) {
                        assertEquals(t.deadLetters(), rec.topic(), "no model for " + id + ": " + E2e.text(rec.value()));
                        assertEquals("MODEL_NOT_FOUND", EndToEndIntegrationTest.header(rec, "streamscore.reason"), id);
                    } else {
                        assertEquals(t.scores(), rec.topic(), id + " must be scored by v" + want.version() + ": "
                                + EndToEndIntegrationTest.header(rec, "streamscore.reason"));
                        Score s = ScoreJson.fromBytes(rec.value());
                        assertEquals(want.version(), s.modelVersion(), "version that scored " + id + " on " + t.scores());
                        double p = want.predictProbability(Map.of("x1", 0.3, "x2", -1.7));
                        assertTrue(E2e.sameBits(p, s.probability()), id + " on " + t.scores() + ": " + s.probability()
                                + ", the rule's model gives " + p);
                    }
                }
            }
            // The shadow scores commit in the same transactions as the scores just read.
            try (TopicReader shadow = new TopicReader(kafka, t.shadowScores())) {
                shadow.drainToEnd(Duration.ofSeconds(30));
                Map<String, List<Long>> shadowed = new TreeMap<>();
                for (ConsumerRecord<byte[], byte[]> rec : shadow.records()) {
                    String key = E2e.text(rec.key());
                    if (!key.startsWith("probe-" + round)) {
                        continue;
                    }
                    String id = key.substring(("probe-" + round + "-").length());
                    Score s = ScoreJson.fromBytes(rec.value());
                    shadowed.computeIfAbsent(id, k -> new ArrayList<>()).add(s.modelVersion());
                    LogisticModel want = challengers.get(id).stream().filter(m -> m.version() == s.modelVersion())
                            .findFirst().orElse(null);
                    assertNotNull(want, id + " shadow-scored by v" + s.modelVersion() + " on " + t.shadowScores()
                            + "; the rule's challengers: " + challengers.get(id));
                    double p = want.predictProbability(Map.of("x1", 0.3, "x2", -1.7));
                    assertTrue(E2e.sameBits(p, s.probability()), id + " on " + t.shadowScores() + ": "
                            + s.probability() + ", the rule's challenger v" + want.version() + " gives " + p);
                }
                Map<String, List<Long>> want = new TreeMap<>();
                for (String id : ids) {
                    if (expected.get(id) != null && !challengers.get(id).isEmpty()) {
                        want.put(id, challengers.get(id).stream().map(LogisticModel::version).toList());
                    }
                }
                assertEquals(want, shadowed, "shadow scores per id on " + t.shadowScores()
                        + " (each challenger once, ascending; none without a champion)");
            }
        }
    }

    @Test
    void concurrentPublishersOfOneIdGetDistinctConsecutiveVersionsThatEveryInstanceAgreesOn() throws Exception {
        int publishers = 8;
        String models = eagerModelTopic();
        E2e.Topics one = outputs(models, "features-" + E2e.shortId());
        E2e.Topics two = outputs(models, one.features());
        LogisticModel base = E2e.publish(kafka, models, model("race", new SplittableRandom(99))).model();
        try (ScorerApp.Running running = new ScorerApp(E2e.scorerConfig(kafka, one, "race-a-" + E2e.shortId(),
                stateDir.resolve("a"), Map.of())).start()) {
            assertTrue(running.awaitRunning(Duration.ofSeconds(60)), "first scorer RUNNING; state " + running.state());
            CountDownLatch go = new CountDownLatch(1);
            ExecutorService pool = Executors.newFixedThreadPool(publishers);
            List<Future<ModelPublisher.Published>> results = new ArrayList<>();
            for (int i = 0; i < publishers; i++) {
                LogisticModel m = model("race", new SplittableRandom(1000 + i));
                results.add(pool.submit(() -> {
                    try (ModelPublisher p = new ModelPublisher(E2e.client(kafka), models, Duration.ofSeconds(120))) {
                        go.await();
                        return p.publish(m);
                    }
                }));
            }
            go.countDown();
            Map<Long, LogisticModel> byVersion = new TreeMap<>();
            for (Future<ModelPublisher.Published> f : results) {
                LogisticModel m = f.get(180, TimeUnit.SECONDS).model();
                assertEquals(null, byVersion.put(m.version(), m), "version " + m.version() + " given twice");
            }
            pool.shutdown();
            List<Long> want = new ArrayList<>();
            for (long v = base.version() + 1; v <= base.version() + publishers; v++) {
                want.add(v);
            }
            assertEquals(want, new ArrayList<>(byVersion.keySet()), "distinct, consecutive versions");

            // On the topic, each version key holds exactly the model its publisher was told it published.
            Map<String, byte[]> last = lastRecordPerKey(models);
            for (Map.Entry<Long, LogisticModel> e : byVersion.entrySet()) {
                byte[] onTopic = last.get("race@v" + e.getKey());
                assertNotNull(onTopic, "race@v" + e.getKey() + " on the topic");
                assertEquals(e.getValue(), ModelJson.fromBytes(onTopic), "the model under race@v" + e.getKey());
            }

            try (ScorerApp.Running fresh = new ScorerApp(E2e.scorerConfig(kafka, two, "race-b-" + E2e.shortId(),
                    stateDir.resolve("b"), Map.of())).start();
                 ModelPublisher publisher = new ModelPublisher(E2e.client(kafka), models, Duration.ofSeconds(30))) {
                assertTrue(fresh.awaitRunning(Duration.ofSeconds(60)), "second scorer RUNNING; state " + fresh.state());
                // Walk down the versions: each in turn is served, identically, by both instances, then retired.
                List<Long> descending = new ArrayList<>(byVersion.keySet());
                java.util.Collections.reverse(descending);
                for (long v : descending) {
                    for (ScorerApp.Running s : List.of(running, fresh)) {
                        E2e.waitFor("race v" + v + " served", Duration.ofSeconds(60),
                                () -> Long.valueOf(v).equals(s.metrics().servingVersions().get("race")),
                                () -> "serving " + s.metrics().servingVersions());
                    }
                    probeAndCompare(one, two, List.of("race"), Map.of("race", byVersion.get(v)),
                            Map.of("race", List.of()));
                    publisher.retire("race", v, "walked past in the race test");
                }
            }
        }
    }

    @Test
    void theScorerRefusesAModelTopicThatCanDeleteModelsUnlessTold() throws Exception {
        String models = "models-" + E2e.shortId();
        kafka.createTopic(models, 1, Map.of("cleanup.policy", "compact,delete"));
        E2e.Topics t = outputs(models, "features-" + E2e.shortId());
        ScorerConfig config = E2e.scorerConfig(kafka, t, "policy-" + E2e.shortId(), stateDir, Map.of());

        ScorerApp.ModelTopicPolicyException refused = org.junit.jupiter.api.Assertions.assertThrows(
                ScorerApp.ModelTopicPolicyException.class, () -> new ScorerApp(config).start());
        assertTrue(refused.getMessage().startsWith("model topic '" + models + "' has cleanup.policy=compact,delete: "
                + "retention would delete published model versions"), refused.getMessage());
        assertTrue(refused.getMessage().contains("--add-config cleanup.policy=compact"), refused.getMessage());

        StringWriter err = new StringWriter();
        int exit = ScorerCli.commandLine(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                c -> new ScorerApp(c).run()).execute("--bootstrap-servers", kafka.bootstrapServers(),
                "--application-id", "policy-cli-" + E2e.shortId(), "--models-topic", models, "--features-topic",
                t.features(), "--scores-topic", t.scores(), "--dead-letters-topic", t.deadLetters(),
                "--shadow-scores-topic", t.shadowScores(), "--http-port", "0");
        assertEquals(1, exit, err.toString());
        assertTrue(err.toString().contains("error: model topic '" + models + "' has cleanup.policy=compact,delete"),
                err.toString());

        Map<String, String> flags = new HashMap<>();
        flags.put(ScorerConfig.ALLOW_DELETING_MODEL_TOPIC, "true");
        try (ScorerApp.Running allowed = new ScorerApp(E2e.scorerConfig(kafka, t, "policy-ok-" + E2e.shortId(),
                stateDir.resolve("ok"), flags)).start()) {
            assertTrue(allowed.awaitRunning(Duration.ofSeconds(60)), "started with the flag; state " + allowed.state());
        }
    }
}
