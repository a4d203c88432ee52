package io.streamscore.e2e;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.event.FeatureEvent;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.common.event.ModelSelection;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import io.streamscore.common.modellog.ModelLog;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.devkit.junit.SharedKafkaBroker;
import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerConfig;
import io.streamscore.trainer.kafka.ModelPublisher;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Replay determinism under {@code --model-selection event-time}, on a real broker: a live scorer scores 51,000 events
 * while v1, v2 and v3 of a model are published through the trainer's publisher; the events' timestamps span all three
 * versions and the time before v1, and some arrive late (stamped in an earlier version's time after a later version is
 * out). Then a fresh application (new application id, fresh output topics) replays the same feature topic in
 * event-time mode: every event gets the same version, the same probability bit for bit and the same publish time, or
 * the same dead letter. A third application replays it in {@code latest} mode and scores everything with v3, which
 * is the documented difference.
 *
 * <p>The live run is deterministic because the test never lets an event outrun the version its timestamp calls for:
 * each version is published only after the clock has passed every earlier event's timestamp, and the events stamped
 * after a publish are produced only once the live scorer serves that version (the one race event-time selection does
 * not close, docs/replay.md).
 */
@SharedKafkaBroker
@Tag("integration")
@Timeout(300)
class EventTimeReplayIntegrationTest {
    private static final String MODEL = "clusters";
    private static final int PHASES = 3;
    private static final int EVENTS_PER_PHASE = 17_000;
    private static final int TOTAL = PHASES * EVENTS_PER_PHASE;
    /** Share of each phase's events stamped in the past: anywhere from 5 s before v1 until now. */
    private static final double LATE_SHARE = 0.3;
    private static final long BEFORE_V1_MS = 5_000;

    private static EmbeddedKafkaBroker kafka;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void broker(EmbeddedKafkaBroker shared) {
        kafka = shared;
    }

    /** One produced event: its key (unique), record timestamp, features, and the phase it was produced in. */
    private record Event(String key, long timestamp, Map<String, Double> features, int phase) {
    }

    /** What a scorer wrote for one event: a score (version ≥ 1) or a dead letter (version 0, the reason). */
    private record Outcome(long version, long probabilityBits, Instant publishedAt, ModelSelection selection,
                           String reason) {
    }

    @Test
    void aReplayInEventTimeModeScoresEveryEventAsTheLiveRunDidAndLatestModeUsesTheNewestVersion() throws Exception {
        E2e.Topics live = E2e.Topics.create(kafka, 2, 2);
        LogisticModel[] trained = new LogisticModel[PHASES];
        for (int i = 0; i < PHASES; i++) {
            trained[i] = E2e.train(MODEL, 11 + i);
        }
        assertNotEquals(trained[0].weights()[0], trained[1].weights()[0], "versions must be told apart by their scores");
        assertNotEquals(trained[1].weights()[0], trained[2].weights()[0], "versions must be told apart by their scores");

        LogisticModel[] versions = new LogisticModel[PHASES + 1];   // versions[n] = vn as published
        long[] publishedAt = new long[PHASES + 1];
        List<Event> events = new ArrayList<>(TOTAL);
        SplittableRandom random = new SplittableRandom(42);
        long started = System.nanoTime();

        // ---- the live run: event-time, versions published while events flow ----
        Map<String, Outcome> liveOutcomes;
        try (ScorerApp.Running scorer = new ScorerApp(config(live, "live")).start();
             KafkaProducer<byte[], byte[]> producer = E2e.producer(kafka);
             ModelPublisher publisher = new ModelPublisher(E2e.client(kafka), live.models(), Duration.ofSeconds(30))) {
            assertTrue(scorer.awaitRunning(Duration.ofSeconds(60)), "live scorer RUNNING; state " + scorer.state());
            AtomicReference<Exception> sendFailure = new AtomicReference<>();
            long lastTimestamp = Long.MIN_VALUE;
            for (int phase = 1; phase <= PHASES; phase++) {
                // The version's record must carry a later timestamp than every event produced so far, so that no
                // event the live scorer may already have scored falls into the new version's time.
                long last = lastTimestamp;
                E2e.waitFor("the clock to pass the last event's timestamp", Duration.ofSeconds(5),
                        () -> System.currentTimeMillis() > last, () -> "now " + System.currentTimeMillis());
                versions[phase] = publisher.publish(trained[phase - 1]).model();
                assertEquals(phase, versions[phase].version());
                int expectedVersion = phase;
                E2e.waitFor("the live scorer to serve v" + phase, Duration.ofSeconds(30),
                        () -> Long.valueOf(expectedVersion).equals(scorer.metrics().servingVersions().get(MODEL)),
                        () -> "serving " + scorer.metrics().servingVersions());
                // Read after the scorer has it: the commit returns before its markers make it visible to
                // read_committed readers, so a read right after publish() may not see it yet.
                publishedAt[phase] = publishTime(publisher.read(), phase);
                for (int i = 0; i < EVENTS_PER_PHASE; i++) {
                    long now = System.currentTimeMillis();
                    long timestamp = random.nextDouble() < LATE_SHARE
                            ? random.nextLong(publishedAt[1] - BEFORE_V1_MS, now) : now;
                    Event e = new Event("k-" + events.size(), timestamp,
                            Map.of("x1", random.nextDouble(-2, 4), "x2", random.nextDouble(-2, 4)), phase);
                    events.add(e);
                    byte[] value = FeatureEventJson.toBytes(FeatureEvent.named(e.key(), MODEL, e.features(), null));
                    producer.send(new ProducerRecord<>(live.features(), null, e.timestamp(), E2e.utf8(e.key()), value),
                            (meta, error) -> {
                                if (error != null) {
                                    sendFailure.compareAndSet(null, error);
                                }
                            });
                    lastTimestamp = Math.max(lastTimestamp, timestamp);
                }
                producer.flush();
                if (sendFailure.get() != null) {
                    throw new AssertionError("producing the events failed", sendFailure.get());
                }
            }
            liveOutcomes = outcomes(live, "live");
            assertEquals(0, scorer.metrics().threadsReplacedCount(), "no stream thread died");
        }
        long liveMs = (System.nanoTime() - started) / 1_000_000;

        // The live run followed the rule: each event scored by the highest version published at or before its
        // timestamp (computed here from the publish times), with that version's probability bit for bit.
        Map<Long, Integer> perVersion = new HashMap<>();
        int lateIntoEarlierVersion = 0;
        for (Event e : events) {
            Outcome o = liveOutcomes.get(e.key());
            long expected = 0;
            for (int v = 1; v <= PHASES; v++) {
                if (publishedAt[v] <= e.timestamp()) {
                    expected = v;
                }
            }
            if (expected == 0) {
                assertEquals("NO_MODEL_AT_EVENT_TIME", o.reason(), e.key() + " at " + Instant.ofEpochMilli(e.timestamp()));
            } else {
                assertEquals(expected, o.version(), e.key() + " at " + Instant.ofEpochMilli(e.timestamp()));
                LogisticModel m = versions[(int) expected];
                assertEquals(Double.doubleToRawLongBits(m.predictProbability(m.toVector(e.features()))),
                        o.probabilityBits(), e.key());
                assertEquals(Instant.ofEpochMilli(publishedAt[(int) expected]), o.publishedAt(), e.key());
                assertEquals(ModelSelection.EVENT_TIME, o.selection(), e.key());
                if (expected < e.phase()) {
                    lateIntoEarlierVersion++;
                }
            }
            perVersion.merge(expected, 1, Integer::sum);
        }
        for (long v = 0; v <= PHASES; v++) {
            assertTrue(perVersion.getOrDefault(v, 0) > 100, "the timestamps span every version and the time before "
                    + "v1: " + perVersion);
        }
        assertTrue(lateIntoEarlierVersion > 100, "late events scored by an older version: " + lateIntoEarlierVersion);

        // ---- the replays: fresh applications on the same feature topic, after all three versions exist ----
        E2e.Topics eventTime = freshOutputs(live);
        E2e.Topics latest = freshOutputs(live);
        long replayStarted = System.nanoTime();
        Map<String, Outcome> replayed;
        Map<String, Outcome> replayedLatest;
        try (ScorerApp.Running replay = new ScorerApp(config(eventTime, "replay-event-time")).start();
             ScorerApp.Running replayLatest = new ScorerApp(configLatest(latest)).start()) {
            assertTrue(replay.awaitRunning(Duration.ofSeconds(60)), "replay RUNNING; state " + replay.state());
            assertTrue(replayLatest.awaitRunning(Duration.ofSeconds(60)), "latest replay RUNNING; " + replayLatest.state());
            replayed = outcomes(eventTime, "event-time replay");
            replayedLatest = outcomes(latest, "latest replay");
        }
        long replayMs = (System.nanoTime() - replayStarted) / 1_000_000;

        List<String> differ = new ArrayList<>();
        for (Event e : events) {
            if (!liveOutcomes.get(e.key()).equals(replayed.get(e.key()))) {
                differ.add(e.key() + ": live " + liveOutcomes.get(e.key()) + ", replay " + replayed.get(e.key()));
            }
        }
        assertEquals(List.of(), differ.subList(0, Math.min(differ.size(), 10)), differ.size() + " of " + TOTAL
                + " events scored differently by the event-time replay");

        int changedByLatest = 0;
        LogisticModel v3 = versions[PHASES];
        for (Event e : events) {
            Outcome o = replayedLatest.get(e.key());
            assertEquals(PHASES, o.version(), e.key() + ": latest selection uses the newest version throughout");
            assertEquals(Double.doubleToRawLongBits(v3.predictProbability(v3.toVector(e.features()))),
                    o.probabilityBits(), e.key());
            assertEquals(ModelSelection.LATEST, o.selection());
            if (liveOutcomes.get(e.key()).version() != PHASES) {
                changedByLatest++;
            }
        }
        assertEquals(TOTAL - perVersion.get((long) PHASES), changedByLatest,
                "a latest replay differs from the live run for every event outside v3's time");
        System.out.printf("event-time replay: %,d events (per version, 0 = before v1: %s; %,d late into an earlier "
                        + "version); live run %,d ms, both replays together %,d ms; event-time replay identical, latest "
                        + "replay changed %,d%n", TOTAL, perVersion, lateIntoEarlierVersion, liveMs, replayMs,
                changedByLatest);
    }

    private ScorerConfig config(E2e.Topics t, String app) {
        return E2e.scorerConfig(kafka, t, app + "-" + E2e.shortId(), stateDir,
                Map.of(ScorerConfig.MODEL_SELECTION, ModelSelection.EVENT_TIME.wireName()));
    }

    private ScorerConfig configLatest(E2e.Topics t) {
        ScorerConfig c = E2e.scorerConfig(kafka, t, "replay-latest-" + E2e.shortId(), stateDir, Map.of());
        assertEquals(ModelSelection.LATEST, c.modelSelection(), "the default");
        return c;
    }

    /** The same model and feature topics, new scores, dead-letter and shadow-scores topics. */
    private static E2e.Topics freshOutputs(E2e.Topics t) {
        String suffix = E2e.shortId();
        E2e.Topics fresh = new E2e.Topics(t.models(), t.features(), "scores-" + suffix, "dead-letters-" + suffix);
        kafka.createTopic(fresh.scores(), 2, Map.of());
        kafka.createTopic(fresh.deadLetters(), 2, Map.of());
        kafka.createTopic(fresh.shadowScores(), 2, Map.of());
        return fresh;
    }

    /** The publish time of {@code version}: the timestamp of its record on the model topic, as the scorer reads it. */
    private static long publishTime(ModelLog log, long version) {
        return log.versions(MODEL).stream().filter(v -> v.version() == version).findFirst()
                .orElseThrow(() -> new AssertionError("v" + version + " not on the model topic"))
                .publishedAt();
    }

    /** Every event's outcome on {@code t}'s outputs, read_committed; fails on a second output for one event. */
    private static Map<String, Outcome> outcomes(E2e.Topics t, String run) {
        try (TopicReader reader = new TopicReader(kafka, t.scores(), t.deadLetters())) {
            reader.awaitCount(TOTAL, Duration.ofSeconds(180));
            reader.drainToEnd(Duration.ofSeconds(30));
            Map<String, Outcome> out = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : reader.records()) {
                Outcome o;
                if (r.topic().equals(t.scores())) {
                    Score s = ScoreJson.fromBytes(r.value());
                    o = new Outcome(s.modelVersion(), Double.doubleToRawLongBits(s.probability()), s.modelPublishedAt(),
                            s.selection(), null);
                } else {
                    Header reason = r.headers().lastHeader("streamscore.reason");
                    o = new Outcome(0, 0, null, null, reason == null ? null
                            : new String(reason.value(), StandardCharsets.UTF_8));
                }
                if (out.put(E2e.text(r.key()), o) != null) {
                    fail(run + ": a second output for " + E2e.text(r.key()));
                }
            }
            assertEquals(TOTAL, out.size(), run + ": one output per event");
            return out;
        }
    }
}
