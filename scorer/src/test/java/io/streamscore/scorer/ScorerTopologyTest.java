package io.streamscore.scorer;

import io.streamscore.common.FeatureSchema;
import io.streamscore.common.modellog.ModelLogKey;
import io.streamscore.common.modellog.ModelRejection;
import io.streamscore.common.modellog.Retirement;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.Standardization;
import io.streamscore.common.event.ModelSelection;
import io.streamscore.common.event.ReasonCode;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScorerTopologyTest {
    private static final Instant START = Instant.parse("2026-11-23T10:00:00Z");
    private static final Duration ADVANCE = Duration.ofMillis(10);

    private static final ScorerConfig CONFIG = ScorerConfig.resolve(Map.of(), Map.of(ScorerConfig.BOOTSTRAP_SERVERS, "dummy:9092"));

    private ScorerMetrics metrics;
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> models;
    private TestInputTopic<byte[], byte[]> features;
    private TestOutputTopic<byte[], byte[]> scores;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private long wallClock;

    @BeforeEach
    void start() {
        startWith(new ScorerMetrics());
    }

    private void startWith(ScorerMetrics m) {
        if (driver != null) {
            driver.close();
        }
        metrics = m;
        wallClock = Instant.parse("2026-11-23T12:00:00Z").toEpochMilli();
        driver = new TopologyTestDriver(ScorerTopology.build(CONFIG, metrics), CONFIG.toStreamsProperties(metrics),
                Instant.ofEpochMilli(wallClock));
        models = driver.createInputTopic(CONFIG.modelsTopic(), new StringSerializer(), new StringSerializer(), START, ADVANCE);
        features = driver.createInputTopic(CONFIG.featuresTopic(), new ByteArraySerializer(), new ByteArraySerializer(),
                START, ADVANCE);
        scores = driver.createOutputTopic(CONFIG.scoresTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(CONFIG.deadLettersTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    // ---- fixtures ----

    static LogisticModel fraud(long version) {
        return new LogisticModel("fraud", version, List.of("amount", "age", "night"),
                new double[]{0.8 + version / 10.0, -1.2, 0.37}, 0.1, null, 0.5, null);
    }

    static LogisticModel churn(long version) {
        return new LogisticModel("churn", version, List.of("tenure", "calls"), new double[]{-0.05, 0.9}, -0.3,
                new Standardization(new double[]{24.0, 3.0}, new double[]{12.0, 1.5}), 0.3, null);
    }

    /** A positional event for {@code model}, bound to its feature schema as a producer must send it. */
    static String positional(LogisticModel model, String array) {
        return "{\"modelId\":\"" + model.modelId() + "\",\"featureSchema\":\"" + model.featureSchema()
                + "\",\"features\":" + array + "}";
    }

    /** Writes the model as the publisher does: under its version key {@code ID@vN}. */
    private void publish(LogisticModel model) {
        models.pipeInput(versionKey(model), ModelJson.toCompactJson(model));
    }

    private static String versionKey(LogisticModel model) {
        return ModelLogKey.version(model.modelId(), model.version()).toString();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null ? null : str(h.value());
    }

    private TestRecord<byte[], byte[]> pipe(String key, String json) {
        TestRecord<byte[], byte[]> in = new TestRecord<>(key == null ? null : utf8(key), json == null ? null : utf8(json));
        features.pipeInput(in);
        return in;
    }

    private Score readScore(String expectedKey, long expectedTimestamp) {
        TestRecord<byte[], byte[]> out = scores.readRecord();
        assertEquals(expectedKey, str(out.key()));
        assertEquals(expectedTimestamp, out.timestamp());
        return ScoreJson.fromBytes(out.value());
    }

    private Score readScoreFor(String expectedKey) {
        TestRecord<byte[], byte[]> out = scores.readRecord();
        assertEquals(expectedKey, str(out.key()));
        return ScoreJson.fromBytes(out.value());
    }

    private void assertNoMoreOutput() {
        assertTrue(scores.isEmpty(), "no more scores expected");
        assertTrue(deadLetters.isEmpty(), "no more dead letters expected");
    }

    // ---- scoring ----

    @Test
    void shouldScoreWithTheProbabilityOfTheModelBitForBit() {
        LogisticModel model = fraud(1);
        publish(model);
        features.pipeInput(new TestRecord<>(utf8("acct-1"),
                utf8("{\"eventId\":\"e-1\",\"modelId\":\"fraud\",\"features\":{\"amount\":1.75,\"age\":0.3,\"night\":1}}"),
                Instant.ofEpochMilli(1_763_892_000_123L)));

        Score s = readScore("acct-1", 1_763_892_000_123L);
        double expected = model.predictProbability(Map.of("amount", 1.75, "age", 0.3, "night", 1.0));
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(s.probability()));
        // Latest selection (the default); the version's publish time is its model record's timestamp.
        assertEquals(new Score("e-1", "fraud", 1, expected, model.label(expected), 0.5, 1_763_892_000_123L, wallClock,
                START, ModelSelection.LATEST), s);
        assertEquals(1, metrics.scoredCount());
        assertNoMoreOutput();
    }

    @Test
    void shouldScoreStandardizedModelBitForBitAndOmitAbsentEventId() {
        LogisticModel model = churn(4);
        publish(model);
        pipe("c-9", "{\"modelId\":\"churn\",\"features\":{\"calls\":7,\"tenure\":2.5}}");

        TestRecord<byte[], byte[]> out = scores.readRecord();
        Score s = ScoreJson.fromBytes(out.value());
        double expected = model.predictProbability(new double[]{2.5, 7});
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(s.probability()));
        assertNull(s.eventId());
        assertTrue(!str(out.value()).contains("eventId"), "no eventId field when the event had none: " + str(out.value()));
        assertNoMoreOutput();
    }

    @Test
    void shouldLabelByTheModelsThreshold() {
        // churn's threshold is 0.3: pick features whose probabilities straddle it and 0.5.
        LogisticModel model = churn(1);
        publish(model);
        double[] low = {60, 1};      // p well below 0.3
        double[] mid = {24, 3};      // z = -0.3 → p ≈ 0.43: label 1 at threshold 0.3, would be 0 at 0.5
        pipe("a", positional(model, "[60,1]"));
        pipe("b", positional(model, "[24,3]"));

        Score a = ScoreJson.fromBytes(scores.readRecord().value());
        Score b = ScoreJson.fromBytes(scores.readRecord().value());
        assertTrue(model.predictProbability(low) < 0.3);
        double pMid = model.predictProbability(mid);
        assertTrue(pMid >= 0.3 && pMid < 0.5, "fixture: p=" + pMid);
        assertEquals(0, a.label());
        assertEquals(1, b.label());
        assertEquals(0.3, b.threshold());
        assertNoMoreOutput();
    }

    @Test
    void shouldScoreWithV2AfterHotSwapAndNeverWithV1Again() {
        publish(fraud(1));
        pipe("k1", positional(fraud(1), "[1,2,3]"));
        publish(fraud(2));
        pipe("k2", positional(fraud(1), "[1,2,3]"));
        pipe("k3", positional(fraud(1), "[1,2,3]"));

        Score s1 = ScoreJson.fromBytes(scores.readRecord().value());
        Score s2 = ScoreJson.fromBytes(scores.readRecord().value());
        Score s3 = ScoreJson.fromBytes(scores.readRecord().value());
        assertEquals(1, s1.modelVersion());
        assertEquals(fraud(1).predictProbability(new double[]{1, 2, 3}), s1.probability());
        assertEquals(2, s2.modelVersion());
        assertEquals(fraud(2).predictProbability(new double[]{1, 2, 3}), s2.probability());
        assertEquals(2, s3.modelVersion());
        assertEquals(Map.of("fraud", 2L), metrics.servingVersions());
        assertNoMoreOutput();
    }

    @Test
    void shouldServeTheHighestVersionWhateverOrderTheVersionsArrive() {
        publish(fraud(5));
        publish(fraud(3));
        publish(fraud(5));
        pipe("k", positional(fraud(1), "[1,2,3]"));

        Score s = ScoreJson.fromBytes(scores.readRecord().value());
        assertEquals(5, s.modelVersion());
        assertEquals(fraud(5).predictProbability(new double[]{1, 2, 3}), s.probability());
        assertEquals(0, metrics.modelsRejectedCount(ModelRejection.KEY_MISMATCH));
        assertEquals(1, metrics.modelsAppliedCount());
        assertNoMoreOutput();
    }

    @Test
    void shouldFallBackToTheNextVersionWhenGarbageOrAStaleCopyOverwritesTheServedVersionsKey() {
        publish(fraud(1));
        publish(fraud(2));
        models.pipeInput(versionKey(fraud(2)), ModelJson.toCompactJson(fraud(1)));   // a stale copy under v2's key
        pipe("k1", positional(fraud(1), "[1,2,3]"));
        publish(fraud(2));
        models.pipeInput(versionKey(fraud(2)), "{garbage");
        pipe("k2", positional(fraud(1), "[1,2,3]"));

        assertEquals(1, ScoreJson.fromBytes(scores.readRecord().value()).modelVersion());
        assertEquals(1, ScoreJson.fromBytes(scores.readRecord().value()).modelVersion());
        assertEquals(1, metrics.modelsRejectedCount(ModelRejection.KEY_MISMATCH));
        assertEquals(1, metrics.modelsRejectedCount(ModelRejection.MALFORMED));
        assertNoMoreOutput();
    }

    @Test
    void shouldStopServingARetiredVersionAndServeItAgainWhenRestored() {
        publish(fraud(1));
        publish(fraud(2));
        models.pipeInput("fraud@v2@retired", new String(new Retirement("fraud", 2, START, "misfires").toBytes(),
                StandardCharsets.UTF_8));
        pipe("k1", positional(fraud(1), "[1,2,3]"));
        models.pipeInput("fraud@v2@retired", (String) null);
        pipe("k2", positional(fraud(1), "[1,2,3]"));

        assertEquals(1, ScoreJson.fromBytes(scores.readRecord().value()).modelVersion());
        assertEquals(2, ScoreJson.fromBytes(scores.readRecord().value()).modelVersion());
        assertNoMoreOutput();
    }

    @Test
    void shouldStillServeAModelWrittenInTheOldLayoutKeyedByModelIdAlone() {
        models.pipeInput("fraud", ModelJson.toCompactJson(fraud(3)));
        pipe("k1", positional(fraud(1), "[1,2,3]"));
        publish(fraud(4));
        pipe("k2", positional(fraud(1), "[1,2,3]"));

        assertEquals(3, ScoreJson.fromBytes(scores.readRecord().value()).modelVersion());
        assertEquals(4, ScoreJson.fromBytes(scores.readRecord().value()).modelVersion());
        assertNoMoreOutput();
    }

    @Test
    void shouldScoreTwoModelsSideBySideFromOneFeatureTopic() {
        publish(fraud(1));
        publish(churn(7));
        pipe("f", "{\"modelId\":\"fraud\",\"features\":{\"amount\":3,\"age\":1,\"night\":0}}");
        pipe("c", "{\"modelId\":\"churn\",\"features\":{\"tenure\":30,\"calls\":2}}");

        Score f = readScore("f", START.toEpochMilli());
        Score c = readScore("c", START.plus(ADVANCE).toEpochMilli());
        assertEquals("fraud", f.modelId());
        assertEquals(fraud(1).predictProbability(new double[]{3, 1, 0}), f.probability());
        assertEquals("churn", c.modelId());
        assertEquals(7, c.modelVersion());
        assertEquals(churn(7).predictProbability(new double[]{30, 2}), c.probability());
        assertEquals(Map.of("fraud", 1L, "churn", 7L), metrics.servingVersions());
        assertNoMoreOutput();
    }

    @Test
    void shouldGiveTheSameProbabilityForNamedPositionalAndShuffledFeatures() {
        publish(fraud(1));
        pipe("a", "{\"modelId\":\"fraud\",\"features\":{\"amount\":0.1,\"age\":-2.5,\"night\":1e-3}}");
        pipe("b", positional(fraud(1), "[0.1,-2.5,1e-3]"));
        pipe("c", "{\"features\":{\"night\":1e-3,\"amount\":0.1,\"age\":-2.5},\"modelId\":\"fraud\"}");
        pipe("d", "{\"modelId\":\"fraud\",\"features\":{\"unused\":\"ignored?\",\"age\":-2.5,\"night\":1e-3,\"amount\":0.1}}");

        double a = ScoreJson.fromBytes(scores.readRecord().value()).probability();
        double b = ScoreJson.fromBytes(scores.readRecord().value()).probability();
        double c = ScoreJson.fromBytes(scores.readRecord().value()).probability();
        assertEquals(Double.doubleToRawLongBits(a), Double.doubleToRawLongBits(b));
        assertEquals(Double.doubleToRawLongBits(a), Double.doubleToRawLongBits(c));
        // Unknown features are ignored only when they are numbers: a string is WRONG_TYPE wherever it appears.
        assertEquals("WRONG_TYPE", header(deadLetters.readRecord().headers(), DeadLetters.HEADER_REASON));
        assertNoMoreOutput();
    }

    // ---- feature schema: a retrain on reordered columns ----

    @Test
    void shouldScorePositionalEventsOnlyWithTheFeatureOrderTheyWereBuiltFor() {
        // v1 trained on columns a,b; v2 retrained from a CSV with the columns swapped: same count, another order.
        LogisticModel v1 = new LogisticModel("swap", 1, List.of("a", "b"), new double[]{2.0, -1.0}, 0.1, null, 0.5, null);
        LogisticModel v2 = new LogisticModel("swap", 2, List.of("b", "a"), new double[]{-1.5, 2.5}, 0.2, null, 0.5, null);
        double[] inV1Order = {3, 4};                         // a = 3, b = 4
        double[] inV2Order = {4, 3};
        String named = "{\"modelId\":\"swap\",\"features\":{\"b\":4,\"a\":3}}";
        assertTrue(v2.predictProbability(inV1Order) != v2.predictProbability(inV2Order),
                "fixture: scoring the swapped array would give another probability");

        publish(v1);
        pipe("v1-positional", positional(v1, "[3,4]"));
        pipe("v1-named", named);
        for (String key : List.of("v1-positional", "v1-named")) {
            Score s = readScoreFor(key);
            assertEquals(1, s.modelVersion(), key);
            assertEquals(Double.doubleToRawLongBits(v1.predictProbability(inV1Order)), Double.doubleToRawLongBits(s.probability()), key);
        }

        publish(v2);
        pipe("stale", positional(v1, "[3,4]"));
        pipe("unbound", "{\"modelId\":\"swap\",\"features\":[4,3]}");
        pipe("v2-positional", positional(v2, "[4,3]"));
        pipe("v2-named", named);

        TestRecord<byte[], byte[]> stale = deadLetters.readRecord();
        assertEquals("stale", str(stale.key()));
        assertEquals("FEATURE_SCHEMA_MISMATCH", header(stale.headers(), DeadLetters.HEADER_REASON));
        assertEquals("positional features built for feature schema '" + v1.featureSchema() + "', but model 'swap' v2 has"
                + " feature schema '" + v2.featureSchema() + "' (features in order: b, a)",
                header(stale.headers(), DeadLetters.HEADER_MESSAGE));
        TestRecord<byte[], byte[]> unbound = deadLetters.readRecord();
        assertEquals("unbound", str(unbound.key()));
        assertEquals("FEATURE_SCHEMA_MISMATCH", header(unbound.headers(), DeadLetters.HEADER_REASON));
        assertTrue(header(unbound.headers(), DeadLetters.HEADER_MESSAGE).startsWith(
                "positional features must name their feature schema: add \"featureSchema\":\"" + v2.featureSchema() + "\""));
        for (String key : List.of("v2-positional", "v2-named")) {
            Score s = readScoreFor(key);
            assertEquals(2, s.modelVersion(), key);
            assertEquals(Double.doubleToRawLongBits(v2.predictProbability(inV2Order)), Double.doubleToRawLongBits(s.probability()), key);
        }
        assertEquals(2, metrics.deadLetteredCount(ReasonCode.FEATURE_SCHEMA_MISMATCH));
        assertNoMoreOutput();
    }

    @Test
    void shouldIgnoreUnknownNumericFeatures() {
        publish(fraud(1));
        pipe("a", "{\"modelId\":\"fraud\",\"features\":{\"amount\":1,\"age\":2,\"night\":3,\"extra\":99}}");

        assertEquals(fraud(1).predictProbability(new double[]{1, 2, 3}), ScoreJson.fromBytes(scores.readRecord().value()).probability());
        assertNoMoreOutput();
    }

    // ---- dead letters ----

    static Stream<Arguments> badEvents() {
        return Stream.of(
                Arguments.of(ReasonCode.MALFORMED_JSON, "{\"modelId\":\"fraud\",\"features\":[1,2,3]"),
                Arguments.of(ReasonCode.MALFORMED_JSON, "{\"modelId\":\"fraud\",\"modelId\":\"fraud\",\"features\":[1,2,3]}"),
                Arguments.of(ReasonCode.MALFORMED_JSON, "\u00ff\u00fe not json"),
                Arguments.of(ReasonCode.MALFORMED_JSON, "{\"modelId\":\"fraud\",\"features\":[1,2,3]} trailing"),
                Arguments.of(ReasonCode.NULL_VALUE, null),
                Arguments.of(ReasonCode.MISSING_MODEL_ID, "{\"features\":[1,2,3]}"),
                Arguments.of(ReasonCode.MISSING_MODEL_ID, "{\"modelId\":\"\",\"features\":[1,2,3]}"),
                Arguments.of(ReasonCode.MISSING_FEATURE, "{\"modelId\":\"fraud\",\"features\":{\"amount\":1,\"night\":0}}"),
                Arguments.of(ReasonCode.MISSING_FEATURE, "{\"modelId\":\"fraud\"}"),
                Arguments.of(ReasonCode.NON_FINITE_FEATURE, "{\"modelId\":\"fraud\",\"features\":[1,1e999,3]}"),
                Arguments.of(ReasonCode.NON_FINITE_FEATURE, "{\"modelId\":\"fraud\",\"features\":{\"amount\":NaN,\"age\":1,\"night\":0}}"),
                Arguments.of(ReasonCode.NON_FINITE_FEATURE, "{\"modelId\":\"fraud\",\"features\":[1,-Infinity,3]}"),
                Arguments.of(ReasonCode.WRONG_FEATURE_COUNT, positional(fraud(1), "[1,2]")),
                Arguments.of(ReasonCode.WRONG_FEATURE_COUNT, positional(fraud(1), "[1,2,3,4]")),
                Arguments.of(ReasonCode.FEATURE_SCHEMA_MISMATCH, "{\"modelId\":\"fraud\",\"features\":[1,2,3]}"),
                Arguments.of(ReasonCode.FEATURE_SCHEMA_MISMATCH, "{\"modelId\":\"wide\",\"featureSchema\":\""
                        + FeatureSchema.fingerprint(List.of("y", "x")) + "\",\"features\":[1,2]}"),
                Arguments.of(ReasonCode.WRONG_TYPE, "{\"modelId\":\"fraud\",\"features\":[1,\"2\",3]}"),
                Arguments.of(ReasonCode.WRONG_TYPE, "{\"modelId\":[\"fraud\"],\"features\":[1,2,3]}"),
                Arguments.of(ReasonCode.WRONG_TYPE, "[1,2,3]"),
                Arguments.of(ReasonCode.WRONG_TYPE, "{\"modelId\":\"fraud\",\"features\":{\"amount\":null,\"age\":1,\"night\":0}}"),
                Arguments.of(ReasonCode.INVALID_LABEL, "{\"modelId\":\"fraud\",\"features\":[1,2,3],\"label\":2}"),
                Arguments.of(ReasonCode.UNSUPPORTED_SCHEMA_VERSION, "{\"schemaVersion\":2,\"modelId\":\"fraud\",\"features\":[1,2,3]}"),
                Arguments.of(ReasonCode.MODEL_NOT_FOUND, "{\"modelId\":\"nope\",\"features\":[1,2,3]}"),
                // 2·1e308 overflows to +∞ and −2·1e308 to −∞: their sum is NaN.
                Arguments.of(ReasonCode.NON_FINITE_SCORE, positional(wide(), "[1e308,1e308]")));
    }

    static LogisticModel wide() {
        return new LogisticModel("wide", 1, List.of("x", "y"), new double[]{2.0, -2.0}, 0.0, null, 0.5, null);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("badEvents")
    void shouldDeadLetterWithReasonOriginalBytesAndSourceCoordinates(ReasonCode reason, String json) {
        publish(fraud(1));
        publish(wide());
        pipe("warmup", positional(fraud(1), "[0,0,0]"));
        scores.readRecord();
        byte[] key = {0x00, (byte) 0xff, 0x42};             // arbitrary bytes: keys are never decoded
        byte[] value = json == null ? null : json.getBytes(StandardCharsets.ISO_8859_1);
        Headers inHeaders = new RecordHeaders().add("trace-id", utf8("t-123"));
        features.pipeInput(new TestRecord<>(key, value, inHeaders, Instant.ofEpochMilli(1_700_000_000_000L)));

        TestRecord<byte[], byte[]> out = deadLetters.readRecord();
        assertArrayEquals(key, out.key());
        assertArrayEquals(value, out.value());
        assertEquals(1_700_000_000_000L, out.timestamp());
        Headers h = out.headers();
        assertEquals(reason.name(), header(h, DeadLetters.HEADER_REASON));
        assertEquals(CONFIG.featuresTopic(), header(h, DeadLetters.HEADER_TOPIC));
        assertEquals("0", header(h, DeadLetters.HEADER_PARTITION));
        assertEquals("1", header(h, DeadLetters.HEADER_OFFSET));
        assertEquals(DeadLetters.CLASSIFIED_EXCEPTION, header(h, DeadLetters.HEADER_EXCEPTION));
        String message = header(h, DeadLetters.HEADER_MESSAGE);
        assertTrue(message != null && !message.isBlank(), "a human message");
        assertEquals("t-123", header(h, "trace-id"), "the input's own headers are kept");
        assertEquals(1, metrics.deadLetteredCount(reason));
        assertNoMoreOutput();
    }

    @Test
    void shouldNameTheMissingFeaturesInTheMessage() {
        publish(fraud(1));
        pipe("k", "{\"modelId\":\"fraud\",\"features\":{\"age\":1}}");

        String message = header(deadLetters.readRecord().headers(), DeadLetters.HEADER_MESSAGE);
        assertEquals("model 'fraud' v1 needs amount, night", message);
        assertNoMoreOutput();
    }

    @Test
    void shouldDeadLetterEventsBeforeAnyModelExistsAsModelNotFound() {
        pipe("early", positional(fraud(1), "[1,2,3]"));
        publish(fraud(1));
        pipe("late", positional(fraud(1), "[1,2,3]"));

        TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
        assertEquals("early", str(dead.key()));
        assertEquals("MODEL_NOT_FOUND", header(dead.headers(), DeadLetters.HEADER_REASON));
        assertEquals("late", str(scores.readRecord().key()));
        assertNoMoreOutput();
    }

    @Test
    void shouldSendAnUnexpectedExceptionToDeadLettersAsInternalErrorThroughTheHandler() {
        startWith(new ScorerMetrics() {
            @Override
            public void scored(long nanos) {
                throw new IllegalStateException("boom");
            }
        });
        publish(fraud(1));
        Headers inHeaders = new RecordHeaders().add("trace-id", utf8("t-9"));
        String event = positional(fraud(1), "[1,2,3]");
        features.pipeInput(new TestRecord<>(utf8("k"), utf8(event), inHeaders, Instant.ofEpochMilli(42L)));
        pipe("after", "{\"modelId\":\"nope\",\"features\":[1]}");

        TestRecord<byte[], byte[]> out = deadLetters.readRecord();
        assertEquals("k", str(out.key()));
        assertEquals(event, str(out.value()));
        assertEquals(42L, out.timestamp());
        Headers h = out.headers();
        assertEquals("INTERNAL_ERROR", header(h, DeadLetters.HEADER_REASON));
        assertEquals(IllegalStateException.class.getName(), header(h, DeadLetters.HEADER_EXCEPTION));
        assertEquals("boom", header(h, DeadLetters.HEADER_MESSAGE));
        assertTrue(header(h, DeadLetters.HEADER_STACKTRACE).contains("ScoringProcessor.process"));
        assertEquals(CONFIG.featuresTopic(), header(h, DeadLetters.HEADER_TOPIC));
        assertEquals("0", header(h, DeadLetters.HEADER_PARTITION));
        assertEquals("0", header(h, DeadLetters.HEADER_OFFSET));
        assertEquals("t-9", header(h, "trace-id"));
        assertEquals(1, metrics.deadLetteredCount(ReasonCode.INTERNAL_ERROR));
        // The application kept going: the next record was processed.
        assertEquals("MODEL_NOT_FOUND", header(deadLetters.readRecord().headers(), DeadLetters.HEADER_REASON));
        assertNoMoreOutput();
        assertEquals(0, metrics.inFlightRecords().oldestAgeNanos(System.nanoTime()),
                "the record that threw is no longer in flight");
    }

    @Test
    void shouldShowARecordStuckInTheScoringProcessorInTheGaugeAndReadiness() throws Exception {
        java.util.concurrent.CountDownLatch inside = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        startWith(new ScorerMetrics() {
            @Override
            public void scored(long nanos) {
                super.scored(nanos);
                inside.countDown();
                try {
                    release.await(); // the stream thread hangs on this record until the test lets it go
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        publish(fraud(1));
        ScorerHealth health = new ScorerHealth(ScorerTopology.MODEL_STORE, metrics.inFlightRecords(),
                Duration.ofMillis(50), System::nanoTime);
        health.stateChanged(org.apache.kafka.streams.KafkaStreams.State.RUNNING);
        health.onRestoreEnd(new org.apache.kafka.common.TopicPartition(CONFIG.modelsTopic(), 0), ScorerTopology.MODEL_STORE, 1);
        assertTrue(health.ready().ok(), health.ready().toString());
        assertEquals(0, metrics.inFlightRecords().oldestAgeNanos(System.nanoTime()), "idle is not stuck");

        Thread streamThread = new Thread(() -> pipe("k", positional(fraud(1), "[1,2,3]")), "stuck-stream-thread");
        streamThread.start();
        try {
            assertTrue(inside.await(10, java.util.concurrent.TimeUnit.SECONDS), "the record reached the processor");
            long waitUntil = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (health.ready().ok() && System.nanoTime() < waitUntil) {
                Thread.sleep(5); // poll interval of a deadline wait
            }
            assertTrue(health.ready().why().startsWith("a stream thread has been on one record for "), health.ready().why());
            assertTrue(metrics.inFlightRecords().oldestAgeNanos(System.nanoTime()) > Duration.ofMillis(50).toNanos());
            double gauge = Scrape.parse(metrics.scrape("RUNNING")).value("streamscore_oldest_in_flight_record_seconds");
            assertTrue(gauge > 0.05, "gauge " + gauge);
        } finally {
            release.countDown();
            streamThread.join(10_000);
        }
        assertEquals(0, metrics.inFlightRecords().oldestAgeNanos(System.nanoTime()));
        assertTrue(health.ready().ok(), health.ready().toString());
        assertEquals(1, metrics.scoredCount());
        readScore("k", START.toEpochMilli());
    }

    // ---- model gate ----

    static Stream<Arguments> badModels() {
        String good = ModelJson.toCompactJson(fraud(2));
        return Stream.of(
                Arguments.of(ModelRejection.MALFORMED, "fraud", "{not json"),
                Arguments.of(ModelRejection.MALFORMED, "fraud", good.replace("\"schemaVersion\":1", "\"schemaVersion\":9")),
                Arguments.of(ModelRejection.MALFORMED, "fraud", good.replace("\"weights\"", "\"weightz\"")),
                Arguments.of(ModelRejection.INVALID, "fraud", good.replace("-1.2", "1e999")),
                Arguments.of(ModelRejection.INVALID, "fraud", good.replace("\"threshold\":0.5", "\"threshold\":1.5")),
                Arguments.of(ModelRejection.INVALID, "fraud", good.replace("[\"amount\",", "[")),
                Arguments.of(ModelRejection.KEY_MISMATCH, "fraud", ModelJson.toCompactJson(fraud(2).withModelId("other"))),
                Arguments.of(ModelRejection.MISSING_KEY, null, good));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badModels")
    void shouldKeepServingThePreviousModelWhenAModelRecordIsBad(ModelRejection reason, String key, String json) {
        publish(fraud(1));
        models.pipeInput(key, json);
        pipe("k", positional(fraud(1), "[1,2,3]"));

        Score s = ScoreJson.fromBytes(scores.readRecord().value());
        assertEquals(1, s.modelVersion());
        assertEquals(fraud(1).predictProbability(new double[]{1, 2, 3}), s.probability());
        assertEquals(1, metrics.modelsRejectedCount(reason));
        assertEquals(Map.of("fraud", 1L), metrics.servingVersions());
        // A later good model is still applied: the gate (and the global thread) survived.
        publish(fraud(3));
        pipe("k", positional(fraud(1), "[1,2,3]"));
        assertEquals(3, ScoreJson.fromBytes(scores.readRecord().value()).modelVersion());
        assertNoMoreOutput();
    }

    @Test
    void shouldStopServingAModelWhoseOnlyVersionIsDeletedByTombstone() {
        publish(fraud(4));
        publish(churn(1));
        models.pipeInput(versionKey(fraud(4)), (String) null);
        pipe("k", positional(fraud(1), "[1,2,3]"));
        pipe("c", positional(churn(1), "[1,2]"));

        assertEquals("MODEL_NOT_FOUND", header(deadLetters.readRecord().headers(), DeadLetters.HEADER_REASON));
        assertEquals("churn", ScoreJson.fromBytes(scores.readRecord().value()).modelId());
        assertEquals(Map.of("churn", 1L), metrics.servingVersions());
        assertEquals(1, metrics.modelsRetiredCount());
        publish(fraud(5));
        pipe("k", positional(fraud(1), "[1,2,3]"));
        assertEquals(5, ScoreJson.fromBytes(scores.readRecord().value()).modelVersion());
        assertNoMoreOutput();
    }

    @Test
    void shouldRebuildTheSameModelsWhenTheModelTopicIsReadAgainAfterARestart() {
        // A restart reads the model topic from the beginning (the store is not persistent, so there is no checkpoint)
        // and feeds every record through a fresh gate. Replaying a history with bad records must end where it was.
        List<String[]> history = List.of(
                new String[]{"fraud@v1", ModelJson.toCompactJson(fraud(1))},
                new String[]{"fraud@v2", "{garbage"},
                new String[]{"churn@v3", ModelJson.toCompactJson(churn(3))},
                new String[]{"fraud@v2", ModelJson.toCompactJson(fraud(2))},
                new String[]{"fraud@v1", ModelJson.toCompactJson(fraud(1))},
                new String[]{"churn@v3", null},
                new String[]{"churn@v1", ModelJson.toCompactJson(churn(1))});
        for (String[] r : history) {
            models.pipeInput(r[0], r[1]);
        }
        Map<String, Long> before = metrics.servingVersions();

        startWith(new ScorerMetrics());
        for (String[] r : history) {
            models.pipeInput(r[0], r[1]);
        }
        assertEquals(Map.of("fraud", 2L, "churn", 1L), before);
        assertEquals(before, metrics.servingVersions());
        pipe("k", positional(fraud(1), "[1,2,3]"));
        assertEquals(fraud(2).predictProbability(new double[]{1, 2, 3}), ScoreJson.fromBytes(scores.readRecord().value()).probability());
        assertNoMoreOutput();
    }

    @Test
    void shouldWriteOnlyToTheScoresAndDeadLetterTopicsWithNoRepartitionOrChangelog() {
        publish(fraud(1));
        pipe("a", positional(fraud(1), "[1,2,3]"));
        pipe("b", "{bad");

        assertEquals(Set.of(CONFIG.scoresTopic(), CONFIG.deadLettersTopic()), driver.producedTopicNames());
        String description = ScorerTopology.build(CONFIG).describe().toString();
        assertTrue(!description.contains("repartition") && !description.contains("changelog"), description);
    }

    // ---- the invariant ----

    @Test
    void shouldEmitExactlyOneRecordPerInputForRandomMixesOfGoodAndBadRecords() {
        SplittableRandom random = new SplittableRandom(20261123L);
        publish(fraud(1));
        publish(churn(2));
        int n = 4000;
        List<String> inputKeys = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String key = "k" + i;
            inputKeys.add(key);
            if (random.nextInt(200) == 0) {
                publish(fraud(2 + i));                        // hot swaps in between
            }
            if (random.nextInt(300) == 0) {
                models.pipeInput("fraud@v" + (100_000 + i), "{broken model " + i);
            }
            pipe(key, randomEvent(random));
        }

        List<String> outKeys = new ArrayList<>();
        long scored = 0;
        while (!scores.isEmpty()) {
            outKeys.add(str(scores.readRecord().key()));
            scored++;
        }
        long dead = 0;
        while (!deadLetters.isEmpty()) {
            outKeys.add(str(deadLetters.readRecord().key()));
            dead++;
        }
        assertEquals(n, scored + dead);
        assertEquals(new HashSet<>(inputKeys), new HashSet<>(outKeys), "each input key once on one of the two topics");
        assertEquals(n, new HashSet<>(outKeys).size());
        assertTrue(scored > n / 10 && dead > n / 10, "the mix exercises both paths: scored=" + scored + ", dead=" + dead);
        long deadCounted = Stream.of(ReasonCode.values()).mapToLong(metrics::deadLetteredCount).sum();
        assertEquals(dead, deadCounted);
        assertEquals(scored, metrics.scoredCount());
    }

    private static String randomEvent(SplittableRandom r) {
        double a = r.nextGaussian(), b = r.nextGaussian(), c = r.nextGaussian();
        return switch (r.nextInt(12)) {
            case 0 -> positional(fraud(1), "[" + a + "," + b + "]");
            case 1 -> "{\"modelId\":\"fraud\",\"features\":{\"amount\":" + a + "}}";
            case 2 -> "{\"modelId\":\"fraud\",\"features\":[" + a + "," + b + "," + c;
            case 3 -> "{\"modelId\":\"nope\",\"features\":[" + a + "]}";
            case 4 -> "{\"modelId\":\"fraud\",\"features\":[" + a + ",\"x\"," + c + "]}";
            case 5 -> "{\"modelId\":\"fraud\",\"features\":[" + a + ",1e999," + c + "]}";
            case 6 -> "{\"features\":[" + a + "]}";
            case 7 -> "{\"modelId\":\"churn\",\"features\":{\"tenure\":" + a + ",\"calls\":" + b + "}}";
            case 8 -> positional(churn(1), "[" + a + "," + b + "]");
            default -> "{\"eventId\":\"e\",\"modelId\":\"fraud\",\"features\":{\"night\":" + c + ",\"amount\":" + a
                    + ",\"age\":" + b + "}}";
        };
    }
}
