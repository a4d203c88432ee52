package io.streamscore.scorer;

import io.streamscore.common.Json;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.event.ModelSelection;
import io.streamscore.common.event.ReasonCode;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import io.streamscore.common.modellog.Challenge;
import io.streamscore.common.modellog.ModelLogKey;
import io.streamscore.common.modellog.Retirement;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Champion and challengers through the whole topology: the champion's score goes to the scores topic exactly as
 * before, each challenger's to the shadow topic, and the model-topic records of challenge, promote and drop move
 * versions between the two roles.
 */
class ChallengerTopologyTest {
    private static final Instant START = Instant.parse("2026-11-23T10:00:00Z");
    private static final ScorerConfig CONFIG = ScorerConfig.resolve(Map.of(),
            Map.of(ScorerConfig.BOOTSTRAP_SERVERS, "dummy:9092"));
    private static final Map<String, Double> X = Map.of("amount", 1.75, "age", 0.3, "night", 1.0);
    private static final String EVENT = "{\"eventId\":\"%s\",\"modelId\":\"fraud\",\"features\":"
            + "{\"amount\":1.75,\"age\":0.3,\"night\":1}}";

    private ScorerMetrics metrics;
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> models;
    private TestInputTopic<byte[], byte[]> features;
    private TestOutputTopic<byte[], byte[]> scores;
    private TestOutputTopic<byte[], byte[]> shadow;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private long wallClock;
    /** Model records piped so far; the publish time of each version published. */
    private int modelRecords;
    private final Map<Long, Instant> publishedAt = new java.util.HashMap<>();

    @BeforeEach
    void start() {
        metrics = new ScorerMetrics();
        wallClock = Instant.parse("2026-11-23T12:00:00Z").toEpochMilli();
        driver = new TopologyTestDriver(ScorerTopology.build(CONFIG, metrics), CONFIG.toStreamsProperties(metrics),
                Instant.ofEpochMilli(wallClock));
        models = driver.createInputTopic(CONFIG.modelsTopic(), new StringSerializer(), new StringSerializer(), START,
                Duration.ofMillis(10));
        features = driver.createInputTopic(CONFIG.featuresTopic(), new ByteArraySerializer(), new ByteArraySerializer(),
                START, Duration.ofMillis(10));
        scores = driver.createOutputTopic(CONFIG.scoresTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        shadow = driver.createOutputTopic(CONFIG.shadowScoresTopic(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(CONFIG.deadLettersTopic(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static LogisticModel fraud(long version) {
        return ScorerTopologyTest.fraud(version);
    }

    private void publish(LogisticModel model) {
        // The input topic advances its clock 10 ms per record: this record's timestamp is the version's publish time.
        publishedAt.put(model.version(), START.plusMillis(10L * modelRecords));
        pipeModel(ModelLogKey.version(model.modelId(), model.version()).toString(), ModelJson.toCompactJson(model));
    }

    private void pipeModel(String key, String value) {
        models.pipeInput(key, value);
        modelRecords++;
    }

    private void challenge(long version) {
        pipeModel(ModelLogKey.challenge("fraud", version).toString(),
                new String(new Challenge("fraud", version, START).toBytes(), StandardCharsets.UTF_8));
    }

    private void endChallenge(long version) {
        pipeModel(ModelLogKey.challenge("fraud", version).toString(), null);
    }

    private void retire(long version) {
        pipeModel(ModelLogKey.retirement("fraud", version).toString(),
                new String(new Retirement("fraud", version, START, "test").toBytes(), StandardCharsets.UTF_8));
    }

    /** v1 serves; v2 and v3 are challengers (written as `trainer publish --challenger` writes them). */
    private void championAndTwoChallengers() {
        publish(fraud(1));
        challenge(2);
        publish(fraud(2));
        challenge(3);
        publish(fraud(3));
    }

    private void pipe(String key, String eventId) {
        features.pipeInput(new TestRecord<>(key.getBytes(StandardCharsets.UTF_8),
                String.format(EVENT, eventId).getBytes(StandardCharsets.UTF_8)));
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static List<Long> versions(List<TestRecord<byte[], byte[]>> records) {
        List<Long> out = new ArrayList<>();
        records.forEach(r -> out.add(ScoreJson.fromBytes(r.value()).modelVersion()));
        return out;
    }

    @Test
    void shouldWriteTheChampionsScoreToScoresAndOneShadowScorePerChallenger() throws Exception {
        championAndTwoChallengers();
        assertEquals(Map.of("fraud", 1L), metrics.servingVersions());
        assertEquals(Map.of("fraud", List.of(2L, 3L)), metrics.challengerVersions());
        int n = 40;
        List<TestRecord<byte[], byte[]>> inputs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RecordHeaders headers = new RecordHeaders();
            headers.add("trace", ("t-" + i).getBytes(StandardCharsets.UTF_8));
            TestRecord<byte[], byte[]> in = new TestRecord<>(("acct-" + i).getBytes(StandardCharsets.UTF_8),
                    String.format(EVENT, "e-" + i).getBytes(StandardCharsets.UTF_8), headers,
                    Instant.ofEpochMilli(1_763_892_000_000L + i));
            features.pipeInput(in);
            inputs.add(in);
        }
        List<TestRecord<byte[], byte[]>> scored = scores.readRecordsToList();
        List<TestRecord<byte[], byte[]>> shadowed = shadow.readRecordsToList();
        assertEquals(n, scored.size(), "exactly one score per input");
        assertEquals(2 * n, shadowed.size(), "exactly one shadow score per input and challenger");
        assertTrue(deadLetters.isEmpty());
        for (int i = 0; i < n; i++) {
            TestRecord<byte[], byte[]> in = inputs.get(i);
            TestRecord<byte[], byte[]> score = scored.get(i);
            assertArrayEquals(in.key(), score.key());
            assertEquals(in.timestamp(), score.timestamp());
            double p1 = fraud(1).predictProbability(X);
            assertEquals(new Score("e-" + i, "fraud", 1, p1, fraud(1).label(p1), 0.5, in.timestamp(), wallClock,
                    publishedAt.get(1L), ModelSelection.LATEST), ScoreJson.fromBytes(score.value()));
            assertArrayEquals(ScoreJson.toBytes(ScoreJson.fromBytes(score.value())), score.value(),
                    "the scores topic's format is unchanged: no role field");
            for (int c = 0; c < 2; c++) {
                long version = 2 + c;
                TestRecord<byte[], byte[]> out = shadowed.get(2 * i + c);
                assertArrayEquals(in.key(), out.key(), "the input's key");
                assertEquals(in.timestamp(), out.timestamp(), "the input's timestamp");
                assertEquals("t-" + i, str(out.headers().lastHeader("trace").value()), "the input's headers");
                Score s = ScoreJson.fromBytes(out.value());
                double p = fraud(version).predictProbability(X);
                assertEquals(new Score("e-" + i, "fraud", version, p, fraud(version).label(p), 0.5, in.timestamp(),
                        wallClock, publishedAt.get(version), ModelSelection.LATEST), s);
                assertEquals(Double.doubleToRawLongBits(p), Double.doubleToRawLongBits(s.probability()));
                assertEquals(str(ScoreJson.toBytes(s)).replaceFirst("}$", ",\"role\":\"challenger\"}"), str(out.value()));
                assertEquals("challenger", Json.MAPPER.readTree(out.value()).get("role").asText());
                PublishedSchemas.assertValidScore(out.value());
            }
        }
        Map<ScorerMetrics.ModelRole, Long> byModel = metrics.scoredByModel();
        assertEquals(Map.of(new ScorerMetrics.ModelRole("fraud", 1, ScorerMetrics.Role.CHAMPION), (long) n,
                new ScorerMetrics.ModelRole("fraud", 2, ScorerMetrics.Role.CHALLENGER), (long) n,
                new ScorerMetrics.ModelRole("fraud", 3, ScorerMetrics.Role.CHALLENGER), (long) n), byModel);
        assertEquals(n, metrics.scoredCount(), "streamscore_records_scored_total still counts events");
        Scrape s = Scrape.parse(metrics.scrape(null));
        assertEquals(n, s.value("streamscore_records_scored_by_model_total{model_id=\"fraud\",version=\"1\","
                + "role=\"champion\"}"));
        assertEquals(n, s.value("streamscore_records_scored_by_model_total{model_id=\"fraud\",version=\"3\","
                + "role=\"challenger\"}"));
        assertEquals(1, s.value("streamscore_model_challenger{model_id=\"fraud\",version=\"2\"}"));
    }

    @Test
    void shouldScoreWithTheChallengerAsChampionOnceItsChallengeEnds() {
        championAndTwoChallengers();
        pipe("a", "e-1");
        endChallenge(3);
        pipe("b", "e-2");
        assertEquals(List.of(1L, 3L), versions(scores.readRecordsToList()), "v3 is the highest eligible version now");
        assertEquals(List.of(2L, 3L, 2L), versions(shadow.readRecordsToList()));
        assertEquals(Map.of("fraud", List.of(2L)), metrics.challengerVersions());
    }

    @Test
    void shouldServeAPromotedChallengerAndStopShadowingIt() {
        // v3 serves, v2 challenges it. `trainer models promote --version 2` writes: v2's record again, the challenge's
        // tombstone, then a retirement of v3.
        publish(fraud(1));
        challenge(2);
        publish(fraud(2));
        publish(fraud(3));
        pipe("a", "e-1");
        publish(fraud(2));
        pipe("a2", "e-1b");
        endChallenge(2);
        pipe("b", "e-2");
        retire(3);
        pipe("c", "e-3");
        assertEquals(List.of(3L, 3L, 3L, 2L), versions(scores.readRecordsToList()),
                "v3 until its retirement (never v1), then v2");
        assertEquals(List.of(2L, 2L), versions(shadow.readRecordsToList()), "v2 is shadowed only while it challenges");
        assertTrue(deadLetters.isEmpty());
        assertEquals(Map.of(), metrics.challengerVersions());
    }

    @Test
    void shouldStopShadowingADroppedChallenger() {
        // `trainer models drop --version 3` writes: a retirement of v3, then the challenge's tombstone.
        championAndTwoChallengers();
        retire(3);
        pipe("a", "e-1");
        endChallenge(3);
        pipe("b", "e-2");
        assertEquals(List.of(1L, 1L), versions(scores.readRecordsToList()), "a dropped challenger is never served");
        assertEquals(List.of(2L, 2L), versions(shadow.readRecordsToList()));
    }

    @Test
    void shouldWriteNoShadowScoreForARecordTheChampionCannotScore() {
        championAndTwoChallengers();
        features.pipeInput(new TestRecord<>("bad".getBytes(StandardCharsets.UTF_8),
                "{\"modelId\":\"fraud\",\"features\":{\"amount\":1}}".getBytes(StandardCharsets.UTF_8)));
        features.pipeInput(new TestRecord<>("other".getBytes(StandardCharsets.UTF_8),
                "{\"modelId\":\"churn\",\"features\":{\"amount\":1}}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(2, deadLetters.readRecordsToList().size());
        assertTrue(scores.isEmpty());
        assertTrue(shadow.isEmpty(), "a dead-lettered record gets no shadow score");

        // Only challengers, no champion: the events are MODEL_NOT_FOUND, and not shadow-scored either.
        challenge(1);
        pipe("c", "e-3");
        TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
        assertEquals("MODEL_NOT_FOUND", str(dead.headers().lastHeader("streamscore.reason").value()));
        assertTrue(scores.isEmpty());
        assertTrue(shadow.isEmpty());
        assertEquals(Map.of("fraud", List.of(1L, 2L, 3L)), metrics.challengerVersions());
        assertEquals(Map.of(), metrics.servingVersions());
    }

    @Test
    void shouldSkipAndCountAChallengerThatCannotScoreARecordTheChampionScored() {
        publish(fraud(1));
        challenge(2);
        pipeModel("fraud@v2", ModelJson.toCompactJson(new LogisticModel("fraud", 2,
                List.of("amount", "age", "night", "velocity"), new double[]{1, 1, 1, 1}, 0, null, 0.5, null)));
        challenge(3);
        publish(fraud(3));
        pipe("a", "e-1");
        pipe("b", "e-2");
        assertEquals(List.of(1L, 1L), versions(scores.readRecordsToList()));
        assertEquals(List.of(3L, 3L), versions(shadow.readRecordsToList()), "v2 needs 'velocity', which events lack");
        assertEquals(Map.of(new ScorerMetrics.ChallengerMiss("fraud", 2, ReasonCode.MISSING_FEATURE), 2L),
                metrics.challengerUnscored());
        assertEquals(0, metrics.deadLetteredCount(ReasonCode.MISSING_FEATURE), "the record itself was scored");
        assertEquals(2, Scrape.parse(metrics.scrape(null)).value("streamscore_challenger_unscored_total{model_id="
                + "\"fraud\",version=\"2\",reason=\"MISSING_FEATURE\"}"));

        // Positional features are scored by a challenger with the same feature order, and only by one.
        features.pipeInput(new TestRecord<>("p".getBytes(StandardCharsets.UTF_8),
                ("{\"modelId\":\"fraud\",\"featureSchema\":\"" + fraud(1).featureSchema()
                        + "\",\"features\":[1.75,0.3,1]}").getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of(1L), versions(scores.readRecordsToList()));
        TestRecord<byte[], byte[]> positional = shadow.readRecord();
        assertEquals(3, ScoreJson.fromBytes(positional.value()).modelVersion());
        assertEquals(fraud(3).predictProbability(new double[]{1.75, 0.3, 1}),
                ScoreJson.fromBytes(positional.value()).probability());
        assertTrue(shadow.isEmpty());
        assertEquals(1L, metrics.challengerUnscored().get(
                new ScorerMetrics.ChallengerMiss("fraud", 2, ReasonCode.FEATURE_SCHEMA_MISMATCH)));
    }

    @Test
    void shouldLeaveEverythingAsBeforeWithoutChallengers() {
        publish(fraud(1));
        pipe("a", "e-1");
        assertEquals(1, scores.readRecordsToList().size());
        assertTrue(shadow.isEmpty());
        assertFalse(metrics.scrape(null).contains("role=\"challenger\""));
        assertFalse(driver.producedTopicNames().contains(CONFIG.shadowScoresTopic()),
                "nothing was ever written to the shadow topic");
    }
}
