package io.streamscore.scorer;

import io.streamscore.common.Contributions;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.event.ReasonCode;
import io.streamscore.common.event.ModelSelection;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import io.streamscore.common.modellog.ModelLogKey;
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
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code --contributions} and {@code --contributions-top K} through the real topology, and every output held to the
 * published JSON Schemas (docs/schemas): scores with and without contributions, dead letters of every reason.
 */
class ContributionsTopologyTest {
    /** Room for an INTERNAL_ERROR dead letter's stack trace, small enough to make outputs too large cheaply. */
    private static final int MAX_REQUEST = 65_536;

    /** Raw features; one zero weight, so a term can be exactly 0. */
    private static final LogisticModel FRAUD = new LogisticModel("fraud", 2, List.of("amount", "age", "night", "zero"),
            new double[] {0.9, -1.2, 0.37, 0.0}, 0.1, null, 0.5, null);
    /** Standardized features. */
    private static final LogisticModel CHURN = ScorerTopologyTest.churn(4);
    /** Weights that overflow a term to ±Infinity for features near Double.MAX_VALUE. */
    private static final LogisticModel HUGE = new LogisticModel("huge", 1, List.of("a", "b"), new double[] {1e10, 1e10},
            0.0, null, 0.5, null);

    private ScorerMetrics metrics;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> features;
    private TestOutputTopic<byte[], byte[]> scores;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    /** The models' record timestamp: their publish time. */
    private static final Instant PUBLISHED_AT = Instant.parse("2026-11-23T11:00:00Z");

    private void start(Map<String, String> file, ScorerMetrics m) {
        metrics = m;
        ScorerConfig config = ScorerConfig.resolve(file, Map.of(ScorerConfig.BOOTSTRAP_SERVERS, "dummy:9092"));
        driver = new TopologyTestDriver(ScorerTopology.build(config, metrics), config.toStreamsProperties(metrics),
                Instant.parse("2026-11-23T12:00:00Z"));
        TestInputTopic<String, String> models = driver.createInputTopic(config.modelsTopic(), new StringSerializer(),
                new StringSerializer());
        for (LogisticModel model : List.of(FRAUD, CHURN, HUGE)) {
            models.pipeInput(ModelLogKey.version(model.modelId(), model.version()).toString(),
                    ModelJson.toCompactJson(model), PUBLISHED_AT);
        }
        features = driver.createInputTopic(config.featuresTopic(), new ByteArraySerializer(), new ByteArraySerializer());
        scores = driver.createOutputTopic(config.scoresTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(config.deadLettersTopic(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    private void start(Map<String, String> file) {
        start(file, new ScorerMetrics());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    @Test
    void withoutTheFlagAScoreIsExactlyWhatItWasAndValidates() {
        start(Map.of());
        pipe("k", named("e-1", FRAUD, 1.75, 0.3, 1, 5));
        TestRecord<byte[], byte[]> out = scores.readRecord();
        byte[] value = out.value();
        String json = str(value);
        for (String field : List.of("logit", "intercept", "contributions", "contributionsOmitted")) {
            assertFalse(json.contains("\"" + field + "\""), field + " in " + json);
        }
        double p = FRAUD.predictProbability(new double[] {1.75, 0.3, 1, 5});
        assertEquals(new Score("e-1", "fraud", 2, p, FRAUD.label(p), 0.5, out.timestamp(),
                Instant.parse("2026-11-23T12:00:00Z").toEpochMilli(), PUBLISHED_AT, ModelSelection.LATEST),
                ScoreJson.fromBytes(value));
        PublishedSchemas.assertValidScore(value);
    }

    @Test
    void withContributionsEveryScoreCarriesEveryTermSummingToTheLogitOfTheSameProbability() {
        start(Map.of(ScorerConfig.CONTRIBUTIONS, "true"));
        SplittableRandom random = new SplittableRandom(7);
        Map<String, double[]> sent = new LinkedHashMap<>();
        Map<String, LogisticModel> modelOf = new HashMap<>();
        for (int i = 0; i < 60; i++) {
            LogisticModel model = i % 2 == 0 ? FRAUD : CHURN;
            double[] x = new double[model.featureCount()];
            for (int f = 0; f < x.length; f++) {
                x[f] = Math.round(random.nextGaussian() * 1e6) / 1e3;
            }
            String key = "k-" + i;
            sent.put(key, x);
            modelOf.put(key, model);
            pipe(key, named(key, model, x));
        }
        for (Map.Entry<String, double[]> e : sent.entrySet()) {
            TestRecord<byte[], byte[]> out = scores.readRecord();
            assertEquals(e.getKey(), str(out.key()));
            LogisticModel model = modelOf.get(e.getKey());
            double[] x = e.getValue();
            PublishedSchemas.assertValidScore(out.value());
            Score s = ScoreJson.fromBytes(out.value());
            Contributions c = s.contributions();
            assertBits(model.predictProbability(x), s.probability(), "probability of " + e.getKey());
            assertEquals(model.contributions(x), c, e.getKey());
            assertEquals(model.featureNames(), new ArrayList<>(c.asMap().keySet()), "every term, in the model's order");
            assertFalse(c.isSelection());
            assertFalse(str(out.value()).contains("contributionsOmitted"), str(out.value()));
            // The reader's check: intercept + Σ contributions = logit; here exactly, summing in the written order.
            double sum = 0.0;
            for (double t : c.asMap().values()) {
                sum += t;
            }
            assertBits(c.logit(), c.intercept() + sum, "intercept + Σ contributions of " + e.getKey());
            assertBits(model.logit(x), c.logit(), "logit of " + e.getKey());
        }
        assertTrue(scores.isEmpty() && deadLetters.isEmpty());
    }

    @Test
    void topKKeepsTheLargestTermsLargestFirstAndSaysHowManyWereLeftOut() {
        start(Map.of(ScorerConfig.CONTRIBUTIONS, "true", ScorerConfig.CONTRIBUTIONS_TOP, "2"));
        pipe("f", named("f", FRAUD, 1.0, 2.0, -3.0, 4.0));         // terms 0.9, -2.4, -1.11, 0.0
        pipe("c", named("c", CHURN, 30.0, 6.0));                   // two features: nothing left out

        byte[] fraud = scores.readRecord().value();
        PublishedSchemas.assertValidScore(fraud);
        Contributions f = ScoreJson.fromBytes(fraud).contributions();
        assertEquals(List.of("age", "night"), new ArrayList<>(f.asMap().keySet()), str(fraud));
        assertBits(-1.2 * 2.0, f.term(0), "age");
        assertBits(0.37 * -3.0, f.term(1), "night");
        assertEquals(2, f.omitted());
        assertBits(0.0 + 0.9 * 1.0 + 0.0 * 4.0, f.omittedSum(), "amount + zero");
        assertTrue(str(fraud).contains("\"contributionsOmitted\":2,\"contributionsOmittedSum\":0.9"), str(fraud));
        assertBits(FRAUD.logit(new double[] {1.0, 2.0, -3.0, 4.0}), f.logit(), "logit of every term, not of the top 2");

        byte[] churn = scores.readRecord().value();
        PublishedSchemas.assertValidScore(churn);
        Contributions c = ScoreJson.fromBytes(churn).contributions();
        assertEquals(2, c.size());
        assertEquals(0, c.omitted());
        assertTrue(Math.abs(c.term(0)) >= Math.abs(c.term(1)), "largest first: " + c);
    }

    @Test
    void anOverflowedTermIsWrittenAsInfinityAndStillValidates() {
        start(Map.of(ScorerConfig.CONTRIBUTIONS, "true"));
        pipe("h", named("h", HUGE, 1e300, 1.0));
        byte[] value = scores.readRecord().value();
        PublishedSchemas.assertValidScore(value);
        Score s = ScoreJson.fromBytes(value);
        assertEquals(1.0, s.probability());
        assertEquals(Double.POSITIVE_INFINITY, s.contributions().logit());
        assertTrue(str(value).contains("\"logit\":\"Infinity\""), str(value));
    }

    @Test
    void deadLettersOfEveryReasonValidateAgainstThePublishedSchema() {
        AtomicBoolean failNextScore = new AtomicBoolean();
        start(Map.of(ScorerConfig.CONTRIBUTIONS, "true", "producer.max.request.size", String.valueOf(MAX_REQUEST)),
                new ScorerMetrics() {
                    @Override
                    public void scored(long nanos) {
                        if (failNextScore.getAndSet(false)) {
                            throw new IllegalStateException("injected");
                        }
                        super.scored(nanos);
                    }
                });
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("MALFORMED_JSON", "{\"modelId\":\"fraud\",\"features\":{");
        bad.put("MISSING_MODEL_ID", "{\"features\":{\"a\":1}}");
        bad.put("MODEL_NOT_FOUND", "{\"modelId\":\"nobody\",\"features\":{\"a\":1}}");
        bad.put("MISSING_FEATURE", "{\"modelId\":\"fraud\",\"features\":{\"amount\":1}}");
        bad.put("NON_FINITE_FEATURE", "{\"modelId\":\"churn\",\"features\":{\"tenure\":NaN,\"calls\":1}}");
        bad.put("WRONG_TYPE", "{\"modelId\":\"churn\",\"features\":{\"tenure\":\"a\",\"calls\":1}}");
        bad.put("INVALID_LABEL", "{\"modelId\":\"churn\",\"features\":{\"tenure\":1,\"calls\":1},\"label\":7}");
        bad.put("UNSUPPORTED_SCHEMA_VERSION", "{\"schemaVersion\":9,\"modelId\":\"churn\",\"features\":{\"tenure\":1,\"calls\":1}}");
        bad.put("FEATURE_SCHEMA_MISMATCH", "{\"modelId\":\"churn\",\"features\":[1,2]}");
        bad.put("WRONG_FEATURE_COUNT", "{\"modelId\":\"churn\",\"featureSchema\":\"" + CHURN.featureSchema()
                + "\",\"features\":[1,2,3]}");
        bad.put("NON_FINITE_SCORE", named(null, HUGE, 1e300, -1e300));
        Headers own = new RecordHeaders().add("trace-id", utf8("t-1")).add("empty", null);
        for (Map.Entry<String, String> e : bad.entrySet()) {
            features.pipeInput(new TestRecord<>(utf8(e.getKey()), utf8(e.getValue()), own));
        }
        features.pipeInput(new TestRecord<>(utf8("NULL_VALUE"), null, own));
        // OUTPUT_TOO_LARGE twice: a value cut to fit, and a good event whose own header makes its score too large.
        features.pipeInput(new TestRecord<>(utf8("OUTPUT_TOO_LARGE"), utf8("{\"modelId\":" + "9".repeat(2 * MAX_REQUEST)),
                own));
        features.pipeInput(new TestRecord<>(utf8("OUTPUT_TOO_LARGE"), utf8(named("e", FRAUD, 1, 2, 3, 4)),
                new RecordHeaders().add("blob", new byte[MAX_REQUEST])));
        failNextScore.set(true);
        features.pipeInput(new TestRecord<>(utf8("INTERNAL_ERROR"), utf8(named("e", FRAUD, 1, 2, 3, 4)), own));

        List<String> reasons = new ArrayList<>();
        List<String> truncationHeaders = new ArrayList<>();
        while (!deadLetters.isEmpty()) {
            TestRecord<byte[], byte[]> dl = deadLetters.readRecord();
            PublishedSchemas.assertValidDeadLetter(dl.headers());
            String reason = text(dl.headers().lastHeader(DeadLetters.HEADER_REASON));
            assertEquals(str(dl.key()), reason, "the reason the record's key names");
            reasons.add(reason);
            for (Header h : dl.headers()) {
                if (h.key().startsWith("streamscore.truncated.")) {
                    truncationHeaders.add(h.key());
                }
            }
        }
        List<String> expected = new ArrayList<>(bad.keySet());
        expected.addAll(List.of("NULL_VALUE", "OUTPUT_TOO_LARGE", "OUTPUT_TOO_LARGE", "INTERNAL_ERROR"));
        assertEquals(expected, reasons);
        assertEquals(List.of(DeadLetters.HEADER_TRUNCATED_ORIGINAL_BYTES, DeadLetters.HEADER_TRUNCATED_DROPPED_HEADERS),
                truncationHeaders, "both kinds of cut were validated");
        assertEquals(1, metrics.deadLetteredCount(ReasonCode.INTERNAL_ERROR));
        assertTrue(scores.isEmpty(), "no score for a bad record");
    }

    // ---- helpers ----

    /** A named-feature event for {@code model}, features in its order. */
    private static String named(String eventId, LogisticModel model, double... x) {
        StringBuilder b = new StringBuilder("{");
        if (eventId != null) {
            b.append("\"eventId\":\"").append(eventId).append("\",");
        }
        b.append("\"modelId\":\"").append(model.modelId()).append("\",\"features\":{");
        for (int i = 0; i < x.length; i++) {
            b.append(i == 0 ? "" : ",").append('"').append(model.featureNames().get(i)).append("\":").append(x[i]);
        }
        return b.append("}}").toString();
    }

    private void pipe(String key, String json) {
        features.pipeInput(new TestRecord<>(utf8(key), utf8(json)));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static String text(Header h) {
        return h == null || h.value() == null ? null : str(h.value());
    }

    private static void assertBits(double expected, double actual, String what) {
        if (Double.doubleToRawLongBits(expected) != Double.doubleToRawLongBits(actual)) {
            fail(what + ": expected " + expected + ", got " + actual);
        }
    }
}
