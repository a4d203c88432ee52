package io.streamscore.e2e;

import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import io.streamscore.common.outcome.Outcome;
import io.streamscore.common.outcome.OutcomeJson;
import io.streamscore.common.outcome.QualityJson;
import io.streamscore.common.outcome.QualityWindow;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerConfig;
import io.streamscore.scorer.outcomes.OutcomeMetrics;
import io.streamscore.scorer.outcomes.OutcomeMetrics.LabelReason;
import io.streamscore.scorer.outcomes.OutcomeMetrics.ScoreReason;
import io.streamscore.scorer.outcomes.OutcomesConfig;
import io.streamscore.trainer.data.ColumnSelection;
import io.streamscore.trainer.data.TopicDataLoader;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Labels on a real broker, exactly-once, 2 partitions: a known stream of 3,000 events and their labels
 * ({@link OutcomeScenario}) through the scorer; every label and every score accounted for under its reason (the
 * counters sum to the inputs), each joined event exactly once on the outcomes topic with its score's probability bit for
 * bit, and every closed quality window equal to the figures computed offline from the outcomes topic.
 */
@Tag("integration")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OutcomesIntegrationTest {
    static final int EVENTS = 3_000;
    static final long LABEL_WINDOW_MS = Duration.ofMinutes(10).toMillis();
    /**
     * Long: the outcomes come back to the quality part from two outcomes partitions, each read at its own speed, so
     * the quality clock (the largest label time read) can run ahead of one partition's outcomes by a fetch's worth of
     * records (tens of minutes of this scenario's label time). A window is kept for grace + label window past its
     * end; with a short grace the stragglers would be TOO_LATE, which this test asserts never happens.
     */
    static final long GRACE_MS = Duration.ofMinutes(60).toMillis();
    static final Map<String, Long> WINDOWS = new LinkedHashMap<>(Map.of("5m", 300_000L, "15m", 900_000L));
    private static EmbeddedKafkaBroker kafka;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    /** The labels, outcomes and quality topics of one test. */
    record OutcomeTopics(String labels, String outcomes, String quality) {
        static OutcomeTopics named() {
            String s = E2e.shortId();
            return new OutcomeTopics("labels-" + s, "outcomes-" + s, "quality-" + s);
        }

        Map<String, String> settings() {
            return Map.of(OutcomesConfig.LABELS_TOPIC, labels, OutcomesConfig.OUTCOMES_TOPIC, outcomes,
                    OutcomesConfig.QUALITY_TOPIC, quality, OutcomesConfig.LABEL_WINDOW, "10m",
                    OutcomesConfig.QUALITY_WINDOWS, "5m,15m", OutcomesConfig.QUALITY_GRACE, "60m");
        }
    }

    /** Three hours ago, on a quarter hour: old enough that the flush at "now" closes every window, within retention. */
    static long scenarioStart() {
        long now = System.currentTimeMillis();
        return now - Duration.ofHours(3).toMillis() - Math.floorMod(now, 900_000L);
    }

    @Test
    void everyLabelAndScoreIsAccountedForAndTheQualityTopicEqualsTheOfflineFigures() throws Exception {
        E2e.Topics t = E2e.Topics.create(kafka, 2, 2);
        OutcomeTopics o = OutcomeTopics.named();
        kafka.createTopic(o.labels(), 2, Map.of());
        kafka.createTopic(o.outcomes(), 2, Map.of());
        kafka.createTopic(o.quality(), 1, Map.of("cleanup.policy", "compact"));
        E2e.publish(kafka, t.models(), E2e.train("clusters", 7));
        long start = scenarioStart();
        OutcomeScenario sc = OutcomeScenario.build(EVENTS, start, LABEL_WINDOW_MS, "clusters");
        long flushAt = start + Duration.ofHours(3).toMillis();

        ScorerConfig config = E2e.scorerConfig(kafka, t, "outcomes-" + E2e.shortId(), stateDir, o.settings());
        try (ScorerApp.Running scorer = new ScorerApp(config).start()) {
            assertTrue(scorer.awaitRunning(Duration.ofSeconds(60)), "scorer RUNNING; state " + scorer.state());
            E2e.waitFor("model clusters v1 served", Duration.ofSeconds(30),
                    () -> Map.of("clusters", 1L).equals(scorer.metrics().servingVersions()),
                    () -> "serving " + scorer.metrics().servingVersions());
            OutcomeMetrics m = scorer.metrics().outcomes();

            long started = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = E2e.producer(kafka)) {
                long held = 0;
                for (OutcomeScenario.Send s : sc.sends) {
                    String topic = s.label() ? o.labels() : t.features();
                    ProducerRecord<byte[], byte[]> r = new ProducerRecord<>(topic, null, s.timestamp(), E2e.utf8(s.key()),
                            s.value());
                    if (s.held()) {
                        held++;
                    }
                    if (s.labelFirst()) {
                        // The label must be read before its event is even sent: wait until it (and every label held
                        // before it) is held.
                        producer.send(r);
                        producer.flush();
                        long want = held;
                        E2e.waitFor(want + " labels held", Duration.ofSeconds(60), () -> m.labelsHeldCount() >= want,
                                () -> "held " + m.labelsHeldCount());
                    } else {
                        producer.send(r);
                    }
                }
                producer.flush();
                // Every joined outcome aggregated first: the flush below moves the quality clock hours ahead, and an
                // outcome still on its way then would be TOO_LATE for its window (dropped grace + label window after
                // its end), as anything that far behind the clock is.
                E2e.waitFor("every outcome aggregated", Duration.ofSeconds(120),
                        () -> m.qualityCount("15m", OutcomeMetrics.QualityReason.AGGREGATED) == sc.joined.size(),
                        () -> m.qualityCount("15m", OutcomeMetrics.QualityReason.AGGREGATED) + " of " + sc.joined.size());
                // One event and label per partition far ahead: stream time passes every deadline, and the quality
                // clock passes every window of the scenario.
                for (int p = 0; p < 2; p++) {
                    byte[] key = E2e.utf8("flush-" + p);
                    producer.send(new ProducerRecord<>(t.features(), p, flushAt, key,
                            OutcomeScenario.event("flush-" + p, "clusters", 1, 1)));
                    producer.send(new ProducerRecord<>(o.labels(), p, flushAt + 1, key, OutcomeScenario.label("flush-" + p, 1)));
                }
                producer.flush();
            }
            long labelsIn = sc.labelsSent + 2;
            long scoresIn = sc.scoresWritten + 2;
            E2e.waitFor("every label and score counted", Duration.ofSeconds(120),
                    () -> sum(m, LabelReason.values()) == labelsIn && sumScores(m) == scoresIn,
                    () -> "labels " + labelCounts(m) + " of " + labelsIn + ", scores " + scoreCounts(m) + " of " + scoresIn);
            long processedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

            // Every reason as the scenario decides it. Which of an event and its label is read first is up to the
            // timing of the two partitions (Kafka Streams does not wait for an empty one): the labels sent before
            // their events are read first, and a few more may be; the two joined reasons together are exact.
            long labelFirst = m.labelCount(LabelReason.JOINED_LABEL_FIRST);
            assertTrue(labelFirst >= sc.labelFirst, "labels read before their score: " + labelFirst);
            Map<LabelReason, Long> labels = new java.util.EnumMap<>(LabelReason.class);
            labels.put(LabelReason.JOINED, (long) sc.joined.size() + 2 - labelFirst);
            labels.put(LabelReason.JOINED_LABEL_FIRST, labelFirst);
            labels.put(LabelReason.LATE, sc.late);
            labels.put(LabelReason.DUPLICATE, sc.duplicateLabels);
            labels.put(LabelReason.UNKNOWN_EVENT, sc.unknown);
            labels.put(LabelReason.MALFORMED, sc.malformed);
            labels.put(LabelReason.OUTPUT_TOO_LARGE, 0L);
            assertEquals(labels, labelCounts(m));
            Map<ScoreReason, Long> scores = new java.util.EnumMap<>(ScoreReason.class);
            scores.put(ScoreReason.LABELLED, (long) sc.joined.size() + 2);
            scores.put(ScoreReason.EXPIRED_UNLABELLED, sc.neverLabelled + sc.late);
            scores.put(ScoreReason.NO_EVENT_ID, sc.noEventId);
            scores.put(ScoreReason.DUPLICATE_EVENT_ID, sc.duplicateScores);
            assertEquals(scores, scoreCounts(m));

            // The outcomes: each joined event once, with its score's probability bit for bit.
            Map<String, Score> scoreById = new HashMap<>();
            try (TopicReader r = new TopicReader(kafka, t.scores())) {
                r.awaitCount((int) scoresIn, Duration.ofSeconds(60));
                for (ConsumerRecord<byte[], byte[]> c : r.records()) {
                    Score s = ScoreJson.fromBytes(c.value());
                    if (s.eventId() != null) {
                        scoreById.putIfAbsent(s.eventId(), s); // the first score is the one joined
                    }
                }
            }
            List<Outcome> outcomes = new ArrayList<>();
            try (TopicReader r = new TopicReader(kafka, o.outcomes())) {
                r.awaitCount(sc.joined.size() + 2, Duration.ofSeconds(60));
                r.drainToEnd(Duration.ofSeconds(30));
                Map<String, Integer> seen = new TreeMap<>();
                for (ConsumerRecord<byte[], byte[]> c : r.records()) {
                    PublishedSchemas.assertValidOutcome(c.value());
                    Outcome out = OutcomeJson.fromBytes(c.value());
                    outcomes.add(out);
                    seen.merge(out.eventId(), 1, Integer::sum);
                    assertEquals(out.labelledAt(), c.timestamp(), "timestamp of the outcome of " + out.eventId());
                    assertEquals(keyOf(out.eventId()), E2e.text(c.key()), "the outcome's key is its label's");
                    Score s = scoreById.get(out.eventId());
                    assertTrue(E2e.sameBits(s.probability(), out.probability()), "probability of " + out.eventId());
                    assertEquals(s.label(), out.predictedLabel());
                    assertEquals(List.of("x1", "x2"), out.featureNames());
                }
                assertTrue(seen.values().stream().allMatch(n -> n == 1), "an event joined twice: "
                        + seen.entrySet().stream().filter(e -> e.getValue() > 1).toList());
                List<String> expected = new ArrayList<>(sc.joined);
                expected.add("flush-0");
                expected.add("flush-1");
                assertEquals(new java.util.TreeSet<>(expected), seen.keySet());
                assertEquals(labelFirst, outcomes.stream().filter(Outcome::labelFirst).count());
            }

            // The outcomes topic is a training set as it is: the trainer's topic loader reads it.
            TopicDataLoader.Result training = TopicDataLoader.load(E2e.client(kafka), o.outcomes(), "clusters",
                    ColumnSelection.ALL, Duration.ofSeconds(30), n -> { });
            assertEquals(outcomes.size(), training.data().rows(), "training rows from the outcomes topic");
            assertEquals(List.of("x1", "x2"), training.data().featureNames());
            assertEquals(outcomes.stream().filter(x -> x.label() == 1).count(), training.data().positives(),
                    "the true labels, not the predicted ones");

            // The label dead letters, by reason.
            try (TopicReader r = new TopicReader(kafka, t.deadLetters())) {
                long dead = sc.late + sc.duplicateLabels + sc.unknown + sc.malformed;
                r.awaitCount((int) dead, Duration.ofSeconds(60));
                r.drainToEnd(Duration.ofSeconds(30));
                Map<String, Long> byReason = new TreeMap<>();
                for (ConsumerRecord<byte[], byte[]> c : r.records()) {
                    PublishedSchemas.assertValidDeadLetter(c.headers());
                    Header h = c.headers().lastHeader("streamscore.reason");
                    byReason.merge(E2e.text(h.value()), 1L, Long::sum);
                    assertEquals(o.labels(), E2e.text(c.headers().lastHeader("__streams.errors.topic").value()));
                }
                assertEquals(new TreeMap<>(Map.of("LABEL_LATE", sc.late, "LABEL_DUPLICATE", sc.duplicateLabels,
                        "LABEL_UNKNOWN_EVENT", sc.unknown, "LABEL_MALFORMED", sc.malformed)), byReason);
            }

            // Quality: every closed window, highest revision, against the outcomes topic.
            Map<String, List<Outcome>> offline = OutcomeScenario.closedWindows(outcomes, WINDOWS, GRACE_MS);
            Map<String, QualityWindow> written = OutcomeScenario.awaitQuality(kafka, o.quality(), offline, Duration.ofSeconds(60));
            assertEquals(offline.keySet(), written.keySet());
            double worst = 0;
            double worstBound = 0;
            for (Map.Entry<String, List<Outcome>> e : offline.entrySet()) {
                QualityWindow w = written.get(e.getKey());
                double err = OutcomeScenario.assertFiguresMatch(e.getKey(), e.getValue(), w.figures());
                if (err > worst) {
                    worst = err;
                }
                if (w.figures().rocAucErrorBound() > worstBound) { // NaN (one class only) never is
                    worstBound = w.figures().rocAucErrorBound();
                }
            }
            assertEquals(0, m.qualityCount("5m", OutcomeMetrics.QualityReason.TOO_LATE));
            assertEquals(outcomes.size(), m.qualityCount("15m", OutcomeMetrics.QualityReason.AGGREGATED));
            assertTrue(Scrape.parse(scorer.metrics().scrape(null))
                    .has("streamscore_model_log_loss{model_id=\"clusters\",version=\"1\",window=\"15m\"}"));
            System.out.printf("outcomes e2e: %d events, %d labels in %d ms; %d outcomes, %d closed quality windows "
                            + "equal offline; largest |AUC - exact| %.2e (largest stated bound %.2e)%n", EVENTS,
                    labelsIn, processedMs, outcomes.size(), offline.size(), worst, worstBound);
        }
    }

    static String keyOf(String eventId) {
        return eventId.startsWith("flush-") ? eventId : "k-" + eventId.substring(2);
    }

    private static long sum(OutcomeMetrics m, LabelReason[] reasons) {
        return Arrays.stream(reasons).mapToLong(m::labelCount).sum();
    }

    private static long sumScores(OutcomeMetrics m) {
        return Arrays.stream(ScoreReason.values()).mapToLong(m::scoreCount).sum();
    }

    private static Map<LabelReason, Long> labelCounts(OutcomeMetrics m) {
        Map<LabelReason, Long> out = new java.util.EnumMap<>(LabelReason.class);
        for (LabelReason r : LabelReason.values()) {
            out.put(r, m.labelCount(r));
        }
        return out;
    }

    private static Map<ScoreReason, Long> scoreCounts(OutcomeMetrics m) {
        Map<ScoreReason, Long> out = new java.util.EnumMap<>(ScoreReason.class);
        for (ScoreReason r : ScoreReason.values()) {
            out.put(r, m.scoreCount(r));
        }
        return out;
    }

    @Test
    void aLabelsTopicWithAnotherPartitionCountIsRefusedAndCreateTopicsCreatesThemCoPartitioned() throws Exception {
        E2e.Topics t = E2e.Topics.create(kafka, 2, 2);
        OutcomeTopics o = OutcomeTopics.named();
        kafka.createTopic(o.labels(), 3, Map.of());
        ScorerConfig config = E2e.scorerConfig(kafka, t, "copart-" + E2e.shortId(), stateDir,
                Map.of(OutcomesConfig.LABELS_TOPIC, o.labels(), OutcomesConfig.OUTCOMES_TOPIC, o.outcomes(),
                        OutcomesConfig.QUALITY_TOPIC, o.quality(), ScorerConfig.CREATE_TOPICS, "true"));
        ScorerApp.CoPartitioningException e = assertThrows(ScorerApp.CoPartitioningException.class,
                () -> new ScorerApp(config).start().close());
        assertTrue(e.getMessage().startsWith("labels topic '" + o.labels() + "' has 3 partitions but features topic '"
                + t.features() + "' has 2"), e.getMessage());

        OutcomeTopics created = OutcomeTopics.named();
        ScorerConfig creating = E2e.scorerConfig(kafka, t, "create-" + E2e.shortId(), stateDir,
                Map.of(OutcomesConfig.LABELS_TOPIC, created.labels(), OutcomesConfig.OUTCOMES_TOPIC, created.outcomes(),
                        OutcomesConfig.QUALITY_TOPIC, created.quality(), ScorerConfig.CREATE_TOPICS, "true"));
        try (ScorerApp.Running scorer = new ScorerApp(creating).start()) {
            assertTrue(scorer.awaitRunning(Duration.ofSeconds(60)), "scorer RUNNING; state " + scorer.state());
        }
        try (Admin admin = kafka.admin()) {
            var d = admin.describeTopics(List.of(created.labels(), created.outcomes(), created.quality())).allTopicNames()
                    .get(30, TimeUnit.SECONDS);
            assertEquals(2, d.get(created.labels()).partitions().size(), "labels like features");
            assertEquals(2, d.get(created.outcomes()).partitions().size(), "outcomes like features");
        }
        assertEquals("compact", E2e.cleanupPolicy(kafka, created.quality()));
    }
}
