package io.streamscore.e2e;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.devkit.junit.SharedKafkaBroker;
import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Two scorer instances with one application id share a 4-partition feature topic under exactly-once: both serve every
 * model, every event is scored exactly once across them, and when one stops the other takes its partitions over with
 * nothing lost and nothing duplicated.
 */
@SharedKafkaBroker
@Tag("integration")
@Timeout(150)
class ScaleOutIntegrationTest {
    private static final int PARTITIONS = 4;
    private static EmbeddedKafkaBroker kafka;

    @TempDir
    Path stateA;
    @TempDir
    Path stateB;

    @BeforeAll
    static void broker(EmbeddedKafkaBroker shared) {
        kafka = shared;
    }

    @Test
    void twoInstancesScoreEveryEventExactlyOnceAndOneTakesOverWhenTheOtherStops() throws Exception {
        E2e.Topics t = E2e.Topics.create(kafka, PARTITIONS, PARTITIONS);
        Map<String, LogisticModel> models = new TreeMap<>();
        for (String id : List.of("clusters", "fraud")) {
            models.put(id, E2e.publish(kafka, t.models(), E2e.train(id, id.length())).model());
        }
        Map<String, Long> allModels = Map.of("clusters", 1L, "fraud", 1L);
        String appId = "scale-" + E2e.shortId();
        ScorerConfig configA = E2e.scorerConfig(kafka, t, appId, stateA, Map.of());
        ScorerConfig configB = E2e.scorerConfig(kafka, t, appId, stateB, Map.of());
        assertEquals(ScorerConfig.EXACTLY_ONCE_V2, configA.processingGuarantee());

        ScorerApp.Running a = new ScorerApp(configA).start();
        try (ScorerApp.Running b = new ScorerApp(configB).start();
             TopicReader out = new TopicReader(kafka, t.scores(), t.deadLetters());
             EventPump pump = new EventPump(kafka, t.features(), List.copyOf(models.keySet()), 5)) {
            assertTrue(a.awaitRunning(Duration.ofSeconds(60)), "instance A RUNNING; state " + a.state());
            assertTrue(b.awaitRunning(Duration.ofSeconds(60)), "instance B RUNNING; state " + b.state());
            assertEquals(allModels, a.metrics().servingVersions(), "models served by A");
            assertEquals(allModels, b.metrics().servingVersions(), "models served by B");

            pump.start();
            // Both instances own partitions once each has scored something.
            E2e.waitFor("both instances scoring", Duration.ofSeconds(60),
                    () -> a.metrics().scoredCount() > 0 && b.metrics().scoredCount() > 0 && pump.sentCount() > 500,
                    () -> "A scored " + a.metrics().scoredCount() + ", B scored " + b.metrics().scoredCount()
                            + ", sent " + pump.sentCount());
            long scoredByA = a.metrics().scoredCount();
            long scoredByB = b.metrics().scoredCount();

            a.close(); // clean: A commits its last transaction
            long closed = System.currentTimeMillis();
            int sentAtClose = pump.sentCount();
            // Taken over once every partition has a score for an event produced after A stopped.
            Map<Integer, Long> firstScoreAfterClose = new TreeMap<>();
            out.awaitUntil(rs -> {
                firstScoreAfterClose.clear(); // recomputed from all records each time: cheap at these counts
                for (ConsumerRecord<byte[], byte[]> r : rs) {
                    if (!r.topic().equals(t.scores())) {
                        continue;
                    }
                    Score s = ScoreJson.fromBytes(r.value());
                    EventPump.Sent e = pump.sent().get(s.eventId());
                    if (e != null && e.producedAt() > closed) {
                        firstScoreAfterClose.merge(e.partition(), s.scoredAt(), Math::min);
                    }
                }
                return firstScoreAfterClose.size() == PARTITIONS;
            }, Duration.ofSeconds(60), "scores of events produced after A stopped on all " + PARTITIONS + " partitions");
            long takeover = firstScoreAfterClose.values().stream().mapToLong(Long::longValue).max().orElseThrow() - closed;
            long resumeDone = System.currentTimeMillis();
            assertEquals("RUNNING", b.state().name(), "B after the takeover");
            // Keep events flowing a little longer through B alone, then stop and account for every one.
            while (System.currentTimeMillis() < resumeDone + 1_000) {
                out.pollOnce(Duration.ofMillis(100));
            }
            pump.stop();
            int produced = pump.sentCount();
            out.awaitCount(produced, Duration.ofSeconds(60));
            out.drainToEnd(Duration.ofSeconds(30));

            Map<String, Integer> scoresPerEvent = new HashMap<>();
            for (ConsumerRecord<byte[], byte[]> r : out.records()) {
                if (!r.topic().equals(t.scores())) {
                    fail("dead letter for a good event: key " + E2e.text(r.key()) + ", reason "
                            + EndToEndIntegrationTest.header(r, "streamscore.reason"));
                }
                Score s = ScoreJson.fromBytes(r.value());
                scoresPerEvent.merge(s.eventId(), 1, Integer::sum);
                EventPump.Sent e = pump.sent().get(s.eventId());
                if (e == null) {
                    fail("score for an event that was never acknowledged: " + s.eventId());
                }
                if (!E2e.sameBits(EventPump.expected(models.get(e.modelId()), e), s.probability())) {
                    fail("probability of " + s.eventId() + " is not model " + e.modelId() + "'s prediction");
                }
            }
            Map<String, Integer> duplicates = new TreeMap<>();
            scoresPerEvent.forEach((id, n) -> {
                if (n > 1) {
                    duplicates.put(id, n);
                }
            });
            List<String> missing = pump.sent().keySet().stream().filter(id -> !scoresPerEvent.containsKey(id)).sorted().toList();
            System.out.printf("scale-out: A scored %d and B %d before A stopped (%d events sent); takeover (A closed -> "
                            + "every partition scoring new events) %d ms, per partition %s; %d events in all, %d scores, "
                            + "%d duplicates, %d missing%n", scoredByA, scoredByB, sentAtClose, takeover,
                    relativeTo(firstScoreAfterClose, closed), produced, out.records().size(), duplicates.size(), missing.size());
            assertEquals(Map.of(), duplicates, "events scored more than once");
            assertEquals(List.of(), missing, "events never scored");
            assertEquals(produced, out.records().size(), "scores for " + produced + " events (read_committed)");
        } finally {
            a.close();
        }
    }

    private static Map<Integer, Long> relativeTo(Map<Integer, Long> times, long origin) {
        Map<Integer, Long> m = new TreeMap<>();
        times.forEach((p, at) -> m.put(p, at - origin));
        return m;
    }
}
