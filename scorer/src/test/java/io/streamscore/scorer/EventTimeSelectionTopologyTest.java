package io.streamscore.scorer;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.event.ModelSelection;
import io.streamscore.common.event.ReasonCode;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import io.streamscore.common.modellog.ModelLogKey;
import io.streamscore.common.modellog.Retirement;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --model-selection}: under {@code event-time} each event is scored by the version served at its record
 * timestamp (the highest valid, unretired version published at or before it), an event older than every such version
 * is a {@code NO_MODEL_AT_EVENT_TIME} dead letter, and {@code latest} is unchanged.
 */
class EventTimeSelectionTopologyTest {
    /** Publish times of v1, v2, v3: the timestamps of their model records. */
    private static final Instant T1 = Instant.parse("2026-11-23T10:00:00Z");
    private static final Instant T2 = Instant.parse("2026-11-23T11:00:00Z");
    private static final Instant T3 = Instant.parse("2026-11-23T12:00:00Z");
    private static final Map<String, Double> FEATURES = Map.of("amount", 1.75, "age", 0.3, "night", 1.0);
    private static final String EVENT = "{\"modelId\":\"fraud\",\"features\":{\"amount\":1.75,\"age\":0.3,\"night\":1}}";

    private ScorerMetrics metrics;
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> models;
    private TestInputTopic<byte[], byte[]> features;
    private TestOutputTopic<byte[], byte[]> scores;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    private void start(ModelSelection selection) {
        ScorerConfig config = ScorerConfig.resolve(Map.of(), Map.of(ScorerConfig.BOOTSTRAP_SERVERS, "dummy:9092",
                ScorerConfig.MODEL_SELECTION, selection.wireName()));
        assertEquals(selection, config.modelSelection());
        metrics = new ScorerMetrics();
        driver = new TopologyTestDriver(ScorerTopology.build(config, metrics), config.toStreamsProperties(metrics),
                Instant.parse("2026-11-24T00:00:00Z"));
        models = driver.createInputTopic(config.modelsTopic(), new StringSerializer(), new StringSerializer());
        features = driver.createInputTopic(config.featuresTopic(), new ByteArraySerializer(), new ByteArraySerializer());
        scores = driver.createOutputTopic(config.scoresTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(config.deadLettersTopic(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
    }

    static LogisticModel fraud(long version) {
        return new LogisticModel("fraud", version, List.of("amount", "age", "night"),
                new double[]{0.8 + version / 10.0, -1.2, 0.37}, 0.1, null, 0.5, null);
    }

    /** Writes {@code model} under {@code ID@vN} with record timestamp {@code at}: its publish time. */
    private void publish(LogisticModel model, Instant at) {
        models.pipeInput(new TestRecord<>(ModelLogKey.version(model.modelId(), model.version()).toString(),
                ModelJson.toCompactJson(model), at));
    }

    private void retire(long version, Instant at) {
        models.pipeInput(new TestRecord<>("fraud@v" + version + "@retired",
                new String(new Retirement("fraud", version, at, "misfires").toBytes(), StandardCharsets.UTF_8), at));
    }

    private void event(String key, Instant at) {
        features.pipeInput(new TestRecord<>(utf8(key), utf8(EVENT), at));
    }

    /** Reads the next score, checks its key, timestamp and that its probability is its version's bit for bit. */
    private Score score(String key, Instant eventTime) {
        TestRecord<byte[], byte[]> out = scores.readRecord();
        assertEquals(key, str(out.key()));
        assertEquals(eventTime.toEpochMilli(), out.timestamp());
        PublishedSchemas.assertValidScore(out.value());
        Score s = ScoreJson.fromBytes(out.value());
        double expected = fraud(s.modelVersion()).predictProbability(fraud(s.modelVersion()).toVector(FEATURES));
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(s.probability()), key);
        assertEquals(eventTime.toEpochMilli(), s.eventTimestamp());
        return s;
    }

    private void publishThreeVersions() {
        publish(fraud(1), T1);
        publish(fraud(2), T2);
        publish(fraud(3), T3);
    }

    @Test
    void shouldScoreEachEventWithTheVersionServedAtItsTimestampEvenWhenItArrivesLate() {
        start(ModelSelection.EVENT_TIME);
        publishThreeVersions();
        // All three versions are known before any event arrives: every event is "late" but keeps its own time's version.
        event("at-t1", T1);
        event("in-v1", T2.minusMillis(1));
        event("at-t2", T2);
        event("in-v2", T2.plusSeconds(1800));
        event("after-t3", T3.plusSeconds(60));
        event("back-in-v1", T1.plusSeconds(1));       // out of order on the topic: still v1

        Object[][] expected = {{"at-t1", T1, 1L, T1}, {"in-v1", T2.minusMillis(1), 1L, T1}, {"at-t2", T2, 2L, T2},
                {"in-v2", T2.plusSeconds(1800), 2L, T2}, {"after-t3", T3.plusSeconds(60), 3L, T3},
                {"back-in-v1", T1.plusSeconds(1), 1L, T1}};
        for (Object[] e : expected) {
            Score s = score((String) e[0], (Instant) e[1]);
            assertEquals((long) e[2], s.modelVersion(), (String) e[0]);
            assertEquals(e[3], s.modelPublishedAt(), (String) e[0]);
            assertEquals(ModelSelection.EVENT_TIME, s.selection());
        }
        assertTrue(deadLetters.isEmpty());
        assertEquals(6, metrics.scoredCount());
    }

    @Test
    void shouldDeadLetterAnEventOlderThanEveryVersionAsNoModelAtEventTime() {
        start(ModelSelection.EVENT_TIME);
        publishThreeVersions();
        byte[] key = {0x00, (byte) 0xff};
        byte[] value = utf8(EVENT);
        features.pipeInput(new TestRecord<>(key, value, T1.minusMillis(1)));

        TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
        assertArrayEquals(key, dead.key());
        assertArrayEquals(value, dead.value(), "the original bytes");
        assertEquals(T1.minusMillis(1).toEpochMilli(), dead.timestamp());
        Headers h = dead.headers();
        assertEquals("NO_MODEL_AT_EVENT_TIME", header(h, DeadLetters.HEADER_REASON));
        assertEquals("the event's timestamp 2026-11-23T09:59:59.999Z is before the publish time of every servable "
                + "version of model 'fraud' (the earliest: v1, published 2026-11-23T10:00:00Z)",
                header(h, DeadLetters.HEADER_MESSAGE));
        PublishedSchemas.assertValidDeadLetter(h);
        assertEquals(1, metrics.deadLetteredCount(ReasonCode.NO_MODEL_AT_EVENT_TIME));
        assertEquals(0, metrics.deadLetteredCount(ReasonCode.MODEL_NOT_FOUND));
        assertTrue(scores.isEmpty());
    }

    @Test
    void shouldSkipRetiredVersionsAndUseThemAgainOnceRestored() {
        start(ModelSelection.EVENT_TIME);
        publishThreeVersions();
        retire(2, T3.plusSeconds(10));
        event("in-v2-retired", T2.plusSeconds(1));
        event("after-t3", T3.plusSeconds(20));
        assertEquals(1, score("in-v2-retired", T2.plusSeconds(1)).modelVersion(), "v2 retired: v1 was served before it");
        assertEquals(3, score("after-t3", T3.plusSeconds(20)).modelVersion());

        retire(1, T3.plusSeconds(30));
        event("in-v2-no-v1", T2.plusSeconds(1));
        assertEquals("NO_MODEL_AT_EVENT_TIME", header(deadLetters.readRecord().headers(), DeadLetters.HEADER_REASON),
                "v1 and v2 retired: nothing eligible was published by then");

        models.pipeInput(new TestRecord<>("fraud@v2@retired", (String) null, T3.plusSeconds(40)));
        event("in-v2-restored", T2.plusSeconds(1));
        assertEquals(2, score("in-v2-restored", T2.plusSeconds(1)).modelVersion());
        assertTrue(scores.isEmpty() && deadLetters.isEmpty());
    }

    @Test
    void shouldStillSayModelNotFoundWhenNoVersionOfTheModelIsServable() {
        start(ModelSelection.EVENT_TIME);
        event("nothing-yet", T2);
        publish(fraud(1), T1);
        retire(1, T2);
        event("all-retired", T3);
        features.pipeInput(new TestRecord<>(utf8("other"), utf8("{\"modelId\":\"churn\",\"features\":{\"a\":1}}"), T3));
        for (String key : List.of("nothing-yet", "all-retired", "other")) {
            TestRecord<byte[], byte[]> dead = deadLetters.readRecord();
            assertEquals(key, str(dead.key()));
            assertEquals("MODEL_NOT_FOUND", header(dead.headers(), DeadLetters.HEADER_REASON), key);
        }
        assertEquals(0, metrics.deadLetteredCount(ReasonCode.NO_MODEL_AT_EVENT_TIME));
    }

    @Test
    void shouldScoreAnEventThatOutrunsItsVersionsRecordWithTheVersionsKnownWhenItIsScored() {
        // The live race event-time selection cannot close: an event stamped after v2's publish time that is scored
        // before the model record of v2 reached the scorer gets v1; a replay (which knows v2 from the start) gives v2.
        start(ModelSelection.EVENT_TIME);
        publish(fraud(1), T1);
        event("ahead-of-v2", T2.plusSeconds(5));
        publish(fraud(2), T2);
        event("ahead-of-v2-again", T2.plusSeconds(5));
        assertEquals(1, score("ahead-of-v2", T2.plusSeconds(5)).modelVersion());
        assertEquals(2, score("ahead-of-v2-again", T2.plusSeconds(5)).modelVersion());
    }

    @Test
    void shouldScoreEveryEventWithTheNewestVersionUnderLatestWhateverItsTimestamp() {
        start(ModelSelection.LATEST);
        publishThreeVersions();
        event("before-v1", T1.minusSeconds(3600));
        event("in-v1", T1.plusSeconds(1));
        event("after-t3", T3.plusSeconds(1));
        for (Object[] e : new Object[][]{{"before-v1", T1.minusSeconds(3600)}, {"in-v1", T1.plusSeconds(1)},
                {"after-t3", T3.plusSeconds(1)}}) {
            Score s = score((String) e[0], (Instant) e[1]);
            assertEquals(3, s.modelVersion(), (String) e[0]);
            assertEquals(T3, s.modelPublishedAt());
            assertEquals(ModelSelection.LATEST, s.selection());
        }
        retire(3, T3.plusSeconds(10));
        event("after-retire", T1.plusSeconds(1));
        assertEquals(2, score("after-retire", T1.plusSeconds(1)).modelVersion(), "latest: the served version, v2");
        assertTrue(deadLetters.isEmpty());
        assertEquals(0, metrics.deadLetteredCount(ReasonCode.NO_MODEL_AT_EVENT_TIME));
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

    /**
     * A challenger is never the version an event is scored by in event-time mode, however late the event; once promoted
     * (as {@code trainer models promote} writes it: the version record again, then the challenge's tombstone) it
     * serves events from the promotion on, and events from before keep the version they had live.
     */
    @Test
    void shouldNeverSelectAChallengerAndServeAPromotedOneFromItsPromotion() {
        start(ModelSelection.EVENT_TIME);
        TestOutputTopic<byte[], byte[]> shadow = driver.createOutputTopic(ScorerConfig.resolve(Map.of(),
                Map.of(ScorerConfig.BOOTSTRAP_SERVERS, "dummy:9092")).shadowScoresTopic(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        publish(fraud(1), T1);
        models.pipeInput(new TestRecord<>("fraud@v2@challenger", new String(new io.streamscore.common.modellog.Challenge(
                "fraud", 2, T2).toBytes(), StandardCharsets.UTF_8), T2));
        publish(fraud(2), T2);
        event("during-challenge", T2.plusSeconds(60));
        Score live = score("during-challenge", T2.plusSeconds(60));
        assertEquals(1L, live.modelVersion(), "the challenger only shadows");
        Score shadowed = ScoreJson.fromBytes(shadow.readRecord().value());
        assertEquals(2L, shadowed.modelVersion());
        assertEquals(T2, shadowed.modelPublishedAt());

        publish(fraud(2), T3);                                                   // promote: the record again ...
        models.pipeInput(new TestRecord<>("fraud@v2@challenger", (String) null, T3)); // ... then the tombstone
        event("replayed-during-challenge", T2.plusSeconds(60));
        event("after-promotion", T3.plusSeconds(1));
        Score replayed = score("replayed-during-challenge", T2.plusSeconds(60));
        assertEquals(1L, replayed.modelVersion(), "a replay of the challenge period gets what the live run got");
        assertEquals(Double.doubleToRawLongBits(live.probability()), Double.doubleToRawLongBits(replayed.probability()));
        Score after = score("after-promotion", T3.plusSeconds(1));
        assertEquals(2L, after.modelVersion());
        assertEquals(T3, after.modelPublishedAt());
        assertTrue(shadow.isEmpty(), "no challenger left");
        assertTrue(deadLetters.isEmpty());
    }
}
