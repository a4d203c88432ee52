package io.streamscore.scorer;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.event.ReasonCode;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import io.streamscore.common.modellog.ModelLogKey;
import io.streamscore.common.outcome.Outcome;
import io.streamscore.common.outcome.OutcomeJson;
import io.streamscore.scorer.outcomes.OutcomeMetrics;
import io.streamscore.scorer.outcomes.OutcomeMetrics.LabelReason;
import io.streamscore.scorer.outcomes.OutcomeMetrics.ScoreReason;
import io.streamscore.scorer.outcomes.OutcomesConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The label join on the TopologyTestDriver: every fate of a label (joined, joined after waiting for its score, late,
 * duplicate, unknown, malformed) and of a score (labelled, expired unlabelled, no event id, duplicate), each with its
 * counter, outcome or dead letter. The quality figures are in {@link QualityTopologyTest}.
 */
class OutcomesTopologyTest {
    static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    static final long W = Duration.ofMinutes(10).toMillis();

    @TempDir
    Path stateDir;

    private ScorerMetrics metrics;
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> models;
    private TestInputTopic<byte[], byte[]> features;
    private TestInputTopic<byte[], byte[]> labels;
    private TestOutputTopic<byte[], byte[]> scores;
    private TestOutputTopic<byte[], byte[]> outcomes;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private final LogisticModel model = new LogisticModel("fraud", 3, List.of("amount", "age", "night"),
            new double[]{0.9, -1.2, 0.37}, 0.1, null, 0.5, null);

    static ScorerConfig config() {
        return ScorerConfig.resolve(Map.of(), Map.of(ScorerConfig.BOOTSTRAP_SERVERS, "dummy:9092",
                OutcomesConfig.LABELS_TOPIC, "labels", OutcomesConfig.LABEL_WINDOW, "10m",
                OutcomesConfig.QUALITY_WINDOWS, "15m,1h", OutcomesConfig.QUALITY_GRACE, "1m"));
    }

    static Properties props(ScorerConfig c, ScorerMetrics m, Path stateDir) {
        Properties p = c.toStreamsProperties(m);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return p;
    }

    @BeforeEach
    void start() {
        ScorerConfig c = config();
        metrics = new ScorerMetrics();
        driver = new TopologyTestDriver(ScorerTopology.build(c, metrics), props(c, metrics, stateDir),
                Instant.parse("2026-11-23T12:00:00Z"));
        models = driver.createInputTopic(c.modelsTopic(), new StringSerializer(), new StringSerializer(),
                T0.minusSeconds(3600), Duration.ZERO);
        features = driver.createInputTopic(c.featuresTopic(), new ByteArraySerializer(), new ByteArraySerializer());
        labels = driver.createInputTopic("labels", new ByteArraySerializer(), new ByteArraySerializer());
        scores = driver.createOutputTopic(c.scoresTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        outcomes = driver.createOutputTopic("outcomes", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(c.deadLettersTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        models.pipeInput(ModelLogKey.version(model.modelId(), model.version()).toString(), ModelJson.toCompactJson(model));
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    // ---- fixtures ----

    static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }

    static String str(byte[] b) {
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    private void feature(String key, String eventId, long at) {
        feature(key, eventId, at, 1.5, 0.25, 1);
    }

    private void feature(String key, String eventId, long at, double amount, double age, double night) {
        String id = eventId == null ? "" : "\"eventId\":\"" + eventId + "\",";
        features.pipeInput(new TestRecord<>(utf8(key), utf8("{" + id + "\"modelId\":\"fraud\",\"features\":{\"night\":"
                + night + ",\"amount\":" + amount + ",\"age\":" + age + ",\"unused\":7}}"), Instant.ofEpochMilli(at)));
    }

    private TestRecord<byte[], byte[]> label(String key, String eventId, int value, long at) {
        return labelRaw(key, "{\"eventId\":\"" + eventId + "\",\"label\":" + value + "}", at);
    }

    private TestRecord<byte[], byte[]> labelRaw(String key, String json, long at) {
        TestRecord<byte[], byte[]> r = new TestRecord<>(utf8(key), utf8(json),
                new RecordHeaders().add("trace-id", utf8("t-" + at)), Instant.ofEpochMilli(at));
        labels.pipeInput(r);
        return r;
    }

    static long t(long minutes) {
        return T0.toEpochMilli() + Duration.ofMinutes(minutes).toMillis();
    }

    private static String header(Headers h, String name) {
        Header x = h.lastHeader(name);
        return x == null ? null : str(x.value());
    }

    /** The label dead letters, in order, as (reason, original value). */
    private List<TestRecord<byte[], byte[]>> labelDeadLetters() {
        List<TestRecord<byte[], byte[]>> out = new ArrayList<>();
        for (TestRecord<byte[], byte[]> r : deadLetters.readRecordsToList()) {
            PublishedSchemas.assertValidDeadLetter(r.headers());
            assertTrue(header(r.headers(), DeadLetters.HEADER_REASON).startsWith("LABEL_"), "only label dead letters "
                    + "expected here: " + header(r.headers(), DeadLetters.HEADER_REASON));
            out.add(r);
        }
        return out;
    }

    private OutcomeMetrics counted() {
        return metrics.outcomes();
    }

    private Map<LabelReason, Long> labelCounts() {
        Map<LabelReason, Long> m = new EnumMap<>(LabelReason.class);
        for (LabelReason r : LabelReason.values()) {
            if (counted().labelCount(r) > 0) {
                m.put(r, counted().labelCount(r));
            }
        }
        return m;
    }

    private Map<ScoreReason, Long> scoreCounts() {
        Map<ScoreReason, Long> m = new EnumMap<>(ScoreReason.class);
        for (ScoreReason r : ScoreReason.values()) {
            if (counted().scoreCount(r) > 0) {
                m.put(r, counted().scoreCount(r));
            }
        }
        return m;
    }

    // ---- joined ----

    @Test
    void aLabelAfterItsScoreJoinsItAndTheOutcomeCarriesTheScoreAndTheFeaturesInTheModelsOrder() {
        feature("acct-1", "e-1", t(0), 1.75, 0.3, 1);
        Score score = ScoreJson.fromBytes(scores.readValue());
        label("acct-1", "e-1", 1, t(4));

        TestRecord<byte[], byte[]> out = outcomes.readRecord();
        assertEquals("acct-1", str(out.key()));
        assertEquals(t(4), out.timestamp(), "the outcome's timestamp is the label's time");
        assertFalse(out.headers().iterator().hasNext(), "an outcome is a new record: no headers");
        PublishedSchemas.assertValidOutcome(out.value());
        Outcome o = OutcomeJson.fromBytes(out.value());
        assertEquals(new Outcome("e-1", "fraud", 3, score.probability(), score.label(), 0.5, 1,
                List.of("amount", "age", "night"), new double[]{1.75, 0.3, 1}, t(0), score.scoredAt(), t(4),
                score.modelPublishedAt(), score.selection(), false), o);
        assertEquals(Double.doubleToRawLongBits(model.predictProbability(new double[]{1.75, 0.3, 1})),
                Double.doubleToRawLongBits(o.probability()));
        assertTrue(outcomes.isEmpty());
        assertTrue(deadLetters.isEmpty());
        assertEquals(Map.of(LabelReason.JOINED, 1L), labelCounts());
        assertEquals(Map.of(ScoreReason.LABELLED, 1L), scoreCounts());
        assertEquals(1, counted().outcomesWrittenCount());
    }

    @Test
    void theLabelGrammarIsTheTrainers() {
        String[] values = {"true", "false", "1.0", "0.0", "\"1\"", "\"FALSE\""};
        for (int i = 0; i < values.length; i++) {
            feature("k", "g-" + i, t(i));
            labelRaw("k", "{\"eventId\":\"g-" + i + "\",\"label\":" + values[i] + ",\"source\":\"review\"}", t(i) + 1);
        }
        List<Integer> got = outcomes.readValuesToList().stream().map(v -> OutcomeJson.fromBytes(v).label()).toList();
        assertEquals(List.of(1, 0, 1, 0, 1, 0), got);
    }

    @Test
    void aLabelBeforeItsScoreIsHeldAndJoinedWhenTheScoreComesWithTheLabelsTime() {
        label("acct-2", "e-2", 0, t(1));
        assertTrue(outcomes.isEmpty(), "held: no outcome yet");
        assertTrue(deadLetters.isEmpty(), "held: not a dead letter");
        assertEquals(1, counted().labelsHeldCount());
        assertEquals(Map.of(), labelCounts(), "a held label is counted when its fate is decided");

        feature("acct-2", "e-2", t(0));
        TestRecord<byte[], byte[]> out = outcomes.readRecord();
        assertEquals(t(1), out.timestamp());
        Outcome o = OutcomeJson.fromBytes(out.value());
        assertEquals(0, o.label());
        assertTrue(o.labelFirst());
        assertEquals(t(0), o.eventTimestamp());
        assertEquals(Map.of(LabelReason.JOINED_LABEL_FIRST, 1L), labelCounts());
        assertEquals(Map.of(ScoreReason.LABELLED, 1L), scoreCounts());

        // The held label is gone with its deadline: passing it dead-letters nothing.
        feature("other", "e-later", t(1) + 3 * W);
        assertTrue(deadLetters.isEmpty());
        assertEquals(Map.of(LabelReason.JOINED_LABEL_FIRST, 1L), labelCounts());
    }

    // ---- late ----

    @Test
    void aLabelMoreThanTheWindowAfterItsEventIsLateWhetherTheScoreHasExpiredYetOrNot() {
        feature("a", "e-late-1", t(0));
        feature("b", "e-late-2", t(0));
        // Stream time is t(0): the score awaits, but this label is W + 1 ms after the event.
        TestRecord<byte[], byte[]> in = label("a", "e-late-1", 1, t(0) + W + 1);
        // Stream time has passed t(0) + W: e-late-2 expired unlabelled; its label is late too.
        assertEquals(Map.of(ScoreReason.EXPIRED_UNLABELLED, 2L), scoreCounts());
        label("b", "e-late-2", 1, t(0) + W + 2);

        List<TestRecord<byte[], byte[]>> dl = labelDeadLetters();
        assertEquals(2, dl.size());
        for (TestRecord<byte[], byte[]> r : dl) {
            assertEquals("LABEL_LATE", header(r.headers(), DeadLetters.HEADER_REASON));
            assertEquals("labels", header(r.headers(), DeadLetters.HEADER_TOPIC));
            assertEquals(OutcomeJoinProcessorAccess.labelException(), header(r.headers(), DeadLetters.HEADER_EXCEPTION));
        }
        assertArrayEquals(in.value(), dl.get(0).value(), "the original bytes");
        assertArrayEquals(in.key(), dl.get(0).key());
        assertEquals(in.timestamp(), dl.get(0).timestamp());
        assertEquals("t-" + (t(0) + W + 1), header(dl.get(0).headers(), "trace-id"), "the label's own headers first");
        assertTrue(header(dl.get(0).headers(), DeadLetters.HEADER_MESSAGE).contains("the label window is 600000 ms"));
        assertEquals(Map.of(LabelReason.LATE, 2L), labelCounts());
        assertTrue(outcomes.isEmpty());
    }

    @Test
    void aLabelHeldForAScoreThatComesTooEarlyIsLate() {
        label("a", "e-old", 1, t(30));
        feature("a", "e-old", t(30) - W - 1);
        List<TestRecord<byte[], byte[]>> dl = labelDeadLetters();
        assertEquals(1, dl.size());
        assertEquals("LABEL_LATE", header(dl.get(0).headers(), DeadLetters.HEADER_REASON));
        assertEquals(Map.of(LabelReason.LATE, 1L), labelCounts());
        assertTrue(scoreCounts().isEmpty(), "the score still awaits a label (until its window ends)");
    }

    // ---- duplicate ----

    @Test
    void aSecondLabelForAnEventIsADuplicateWhetherTheFirstJoinedOrIsHeld() {
        feature("a", "e-d1", t(0));
        label("a", "e-d1", 1, t(1));
        TestRecord<byte[], byte[]> second = label("a", "e-d1", 0, t(2));
        label("b", "e-d2", 1, t(3)); // held
        TestRecord<byte[], byte[]> third = label("b", "e-d2", 0, t(3));
        feature("b", "e-d2", t(2));
        // A duplicate after the window, while the labelled marker is kept (until t_s + 2W), is still a duplicate.
        feature("c", "e-tick", t(0) + W + 1);
        TestRecord<byte[], byte[]> fourth = label("a", "e-d1", 1, t(0) + W + 2);

        Map<String, Outcome> joined = new HashMap<>();
        outcomes.readValuesToList().forEach(v -> joined.put(OutcomeJson.fromBytes(v).eventId(), OutcomeJson.fromBytes(v)));
        assertEquals(2, joined.size());
        List<TestRecord<byte[], byte[]>> dl = labelDeadLetters();
        assertEquals(3, dl.size());
        dl.forEach(r -> assertEquals("LABEL_DUPLICATE", header(r.headers(), DeadLetters.HEADER_REASON)));
        assertArrayEquals(second.value(), dl.get(0).value());
        assertArrayEquals(third.value(), dl.get(1).value());
        assertArrayEquals(fourth.value(), dl.get(2).value());
        assertEquals(Map.of(LabelReason.JOINED, 1L, LabelReason.JOINED_LABEL_FIRST, 1L, LabelReason.DUPLICATE, 3L),
                labelCounts());
        assertEquals(1, joined.get("e-d1").label(), "the first label counts");
        assertEquals(1, joined.get("e-d2").label(), "the first label counts, also when held");
    }

    // ---- unknown ----

    @Test
    void aLabelWhoseScoreNeverComesIsDeadLetteredAsUnknownWhenItsWindowEnds() {
        TestRecord<byte[], byte[]> in = label("acct-x", "nobody", 1, t(0));
        feature("z", "e-other", t(0) + W - 1);
        assertTrue(deadLetters.isEmpty(), "still within the window");
        feature("z", "e-other-2", t(0) + W);
        List<TestRecord<byte[], byte[]>> dl = labelDeadLetters();
        assertEquals(1, dl.size());
        TestRecord<byte[], byte[]> r = dl.get(0);
        assertEquals("LABEL_UNKNOWN_EVENT", header(r.headers(), DeadLetters.HEADER_REASON));
        assertArrayEquals(in.value(), r.value());
        assertArrayEquals(in.key(), r.key());
        assertEquals(t(0), r.timestamp());
        assertEquals("t-" + t(0), header(r.headers(), "trace-id"), "the held label keeps its own headers");
        assertEquals("labels", header(r.headers(), DeadLetters.HEADER_TOPIC));
        assertEquals("0", header(r.headers(), DeadLetters.HEADER_OFFSET), "where the label was read");
        assertEquals(Map.of(LabelReason.UNKNOWN_EVENT, 1L), labelCounts());
    }

    // ---- malformed ----

    @Test
    void aRecordThatIsNotALabelIsDeadLetteredAsMalformedWithItsBytes() {
        String[] bad = {"not json", "{\"eventId\":\"e-1\"}", "{\"label\":1}", "{\"eventId\":\"e-1\",\"label\":2}",
                "{\"eventId\":\"e-1\",\"label\":\"maybe\"}", "[]"};
        for (String b : bad) {
            labelRaw("k", b, t(0));
        }
        labels.pipeInput(new TestRecord<>(utf8("k"), null, Instant.ofEpochMilli(t(0))));
        List<TestRecord<byte[], byte[]>> dl = labelDeadLetters();
        assertEquals(bad.length + 1, dl.size());
        for (int i = 0; i < bad.length; i++) {
            assertEquals("LABEL_MALFORMED", header(dl.get(i).headers(), DeadLetters.HEADER_REASON));
            assertEquals(bad[i], str(dl.get(i).value()));
        }
        assertNull(dl.get(bad.length).value(), "a tombstone stays a tombstone");
        assertEquals(Map.of(LabelReason.MALFORMED, (long) bad.length + 1), labelCounts());
        assertEquals(bad.length + 1, metrics.deadLetteredCount(ReasonCode.LABEL_MALFORMED));
    }

    // ---- scores that get no label ----

    @Test
    void aScoreWithoutALabelExpiresUnlabelledAndItsMarkerIsDeletedAfterASecondWindow() {
        feature("a", "e-quiet", t(0));
        feature("b", "e-tick-1", t(0) + W - 1);
        assertEquals(Map.of(), scoreCounts());
        feature("b", "e-tick-2", t(0) + W);
        assertEquals(Map.of(ScoreReason.EXPIRED_UNLABELLED, 1L), scoreCounts());
        // Within the second window its label is late; after it, the event is forgotten: a label is held, then unknown.
        feature("b", "e-tick-3", t(0) + 2 * W);
        label("a", "e-quiet", 1, t(0) + 2 * W + 1);
        assertTrue(deadLetters.isEmpty(), "held, not late: the marker is gone");
        assertEquals(1, counted().labelsHeldCount());
    }

    @Test
    void aScoreWithoutEventIdIsNotKeptAndASecondScoreOfAnEventIdIsNotEither() {
        feature("a", null, t(0));
        feature("a", "e-twice", t(0));
        feature("a", "e-twice", t(1));
        assertEquals(3, scores.readValuesToList().size(), "the scores themselves are written as always");
        assertEquals(Map.of(ScoreReason.NO_EVENT_ID, 1L, ScoreReason.DUPLICATE_EVENT_ID, 1L), scoreCounts());
        label("a", "e-twice", 1, t(2));
        assertEquals(t(0), OutcomeJson.fromBytes(outcomes.readValue()).eventTimestamp(), "the first score is joined");
    }

    @Test
    void everyLabelAndScoreIsCountedOnceUnderOneReasonAndMetricsSayWhich() {
        feature("a", "s-1", t(0));
        feature("a", "s-2", t(0));
        feature("a", null, t(0));
        label("a", "s-1", 1, t(1));               // JOINED
        label("a", "s-1", 1, t(1));               // DUPLICATE
        label("a", "s-3", 0, t(1));               // held → JOINED_LABEL_FIRST
        feature("a", "s-3", t(1));
        label("a", "nobody", 0, t(1));            // held → UNKNOWN_EVENT
        labelRaw("a", "{", t(1));                  // MALFORMED
        feature("a", "s-4", t(0) + 3 * W);        // expires s-2 (and the marker of s-1 and s-3), unknown "nobody"
        label("a", "s-2", 1, t(0) + 3 * W);       // s-2's marker is gone by now: held
        assertEquals(Map.of(LabelReason.JOINED, 1L, LabelReason.DUPLICATE, 1L, LabelReason.JOINED_LABEL_FIRST, 1L,
                LabelReason.UNKNOWN_EVENT, 1L, LabelReason.MALFORMED, 1L), labelCounts());
        assertEquals(Map.of(ScoreReason.LABELLED, 2L, ScoreReason.EXPIRED_UNLABELLED, 1L, ScoreReason.NO_EVENT_ID, 1L),
                scoreCounts());
        assertEquals(2, counted().labelsHeldCount() - 1, "three held in all, one still held");

        Scrape s = Scrape.parse(metrics.scrape(null));
        assertEquals(1, s.value("streamscore_labels_total{reason=\"JOINED\"}"));
        assertEquals(0, s.value("streamscore_labels_total{reason=\"LATE\"}"));
        assertEquals(1, s.value("streamscore_labelled_scores_total{reason=\"EXPIRED_UNLABELLED\"}"));
        assertEquals(1, s.value("streamscore_records_dead_lettered_total{reason=\"LABEL_UNKNOWN_EVENT\"}"));
        assertEquals(3, s.value("streamscore_labels_held_total"));
        assertEquals(2, s.value("streamscore_quality_outcomes_total{window=\"15m\",reason=\"AGGREGATED\"}"));
    }

    /** The dead-letter exception header a label dead letter carries. */
    static final class OutcomeJoinProcessorAccess {
        static String labelException() {
            return io.streamscore.common.outcome.LabelException.class.getName();
        }
    }
}
