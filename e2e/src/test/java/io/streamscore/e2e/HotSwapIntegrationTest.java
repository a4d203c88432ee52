package io.streamscore.e2e;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.devkit.junit.SharedKafkaBroker;
import io.streamscore.scorer.ScorerApp;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Publishing v2 while events flow swaps the model on the running scorer: events produced 1 s or more after v2's publish
 * was acknowledged are all scored by v2, and on a partition no v1 score follows a v2 score.
 */
@SharedKafkaBroker
@Tag("integration")
@Timeout(120)
class HotSwapIntegrationTest {
    /** The propagation bound: after this long past the acknowledgement, only v2 may score. */
    private static final long SWAP_BOUND_MS = 1_000;
    /** How long events keep flowing after the acknowledgement: past the bound, so the bound is actually exercised. */
    private static final long FLOW_AFTER_ACK_MS = 2_500;

    private static EmbeddedKafkaBroker kafka;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void broker(EmbeddedKafkaBroker shared) {
        kafka = shared;
    }

    @Test
    void eventsProducedASecondAfterV2IsAcknowledgedAreScoredByV2AndNeverByV1Again() throws Exception {
        // One partition in and out: the scores topic's order is the features topic's order.
        E2e.Topics t = E2e.Topics.create(kafka, 1, 1);
        LogisticModel v1 = E2e.publish(kafka, t.models(), E2e.train("clusters", 1)).model();
        LogisticModel v2trained = E2e.train("clusters", 2);
        assertNotEquals(v1.weights()[0], v2trained.weights()[0], "v1 and v2 must differ to be told apart by their scores");

        try (ScorerApp.Running scorer = new ScorerApp(E2e.scorerConfig(kafka, t, "swap-" + E2e.shortId(), stateDir,
                Map.of())).start();
             TopicReader scores = new TopicReader(kafka, t.scores());
             EventPump pump = new EventPump(kafka, t.features(), List.of("clusters"), 3)) {
            assertTrue(scorer.awaitRunning(Duration.ofSeconds(60)), "scorer RUNNING; state " + scorer.state());
            pump.start();
            scores.awaitCount(200, Duration.ofSeconds(60)); // v1 is serving and events flow

            long publishCalled = System.currentTimeMillis();
            LogisticModel v2 = E2e.publish(kafka, t.models(), v2trained).model();
            // publish() returns after the broker acknowledged the record (acks=all) and its producer closed, so the
            // real acknowledgement is at most (ack - publishCalled) earlier: taking the return time is the lenient end.
            long ack = System.currentTimeMillis();
            assertEquals(2, v2.version());
            while (System.currentTimeMillis() < ack + FLOW_AFTER_ACK_MS) {
                scores.pollOnce(Duration.ofMillis(100));
            }
            pump.stop();
            int produced = pump.sentCount();
            scores.awaitCount(produced, Duration.ofSeconds(60));
            scores.drainToEnd(Duration.ofSeconds(30));
            assertEquals(produced, scores.records().size(), "scores for " + produced + " events (read_committed)");

            Map<String, EventPump.Sent> sent = pump.sent();
            Set<String> seen = new HashSet<>();
            List<String> lateV1 = new ArrayList<>();
            Score firstV2 = null;
            long lastV1ProducedAt = Long.MIN_VALUE;
            int afterBound = 0;
            for (ConsumerRecord<byte[], byte[]> r : scores.records()) {
                Score s = ScoreJson.fromBytes(r.value());
                assertTrue(seen.add(s.eventId()), "second score for " + s.eventId());
                EventPump.Sent e = sent.get(s.eventId());
                LogisticModel by = s.modelVersion() == 1 ? v1 : s.modelVersion() == 2 ? v2 : null;
                if (by == null) {
                    fail(s.eventId() + " scored by version " + s.modelVersion() + "; only 1 and 2 exist");
                }
                if (!E2e.sameBits(EventPump.expected(by, e), s.probability())) {
                    fail(s.eventId() + " says v" + s.modelVersion() + " but its probability " + s.probability()
                            + " is not that model's " + EventPump.expected(by, e));
                }
                if (s.modelVersion() == 2 && firstV2 == null) {
                    firstV2 = s;
                }
                if (s.modelVersion() == 1) {
                    lastV1ProducedAt = e.producedAt();
                    if (firstV2 != null) {
                        fail(s.eventId() + " (partition " + r.partition() + ", offset " + r.offset()
                                + ") scored by v1 after " + firstV2.eventId() + " was scored by v2");
                    }
                }
                if (e.producedAt() >= ack + SWAP_BOUND_MS) {
                    afterBound++;
                    if (s.modelVersion() != 2) {
                        lateV1.add(s.eventId() + "@ack+" + (e.producedAt() - ack) + "ms");
                    }
                }
            }
            assertTrue(firstV2 != null, "no event was scored by v2 after " + produced + " events");
            System.out.printf("hot swap: %d events, publish(v2) called at T%+d ms, returned (acknowledged) at T; first v2 score written at T%+d ms "
                            + "(event %s produced at T%+d ms); last v1-scored event produced at T%+d ms; %d events produced "
                            + ">= T+1 s, all by v2%n", produced, publishCalled - ack, firstV2.scoredAt() - ack, firstV2.eventId(),
                    sent.get(firstV2.eventId()).producedAt() - ack, lastV1ProducedAt - ack, afterBound);
            assertTrue(afterBound > 0, "no event was produced >= 1 s after the acknowledgement; the bound was not tested");
            assertEquals(List.of(), lateV1, "events produced >= " + SWAP_BOUND_MS + " ms after v2's ack but scored by v1");
            assertEquals(Map.of("clusters", 2L), scorer.metrics().servingVersions());
        }
    }
}
