package io.streamscore.e2e.reliability;

import io.streamscore.common.LogisticModel;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.devkit.junit.SharedKafkaBroker;
import io.streamscore.trainer.kafka.ModelPublisher;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * One champion and two challengers, the scorer as its own process under {@code exactly_once_v2}, SIGKILLed in the
 * middle of the stream and started again at once (same application id and {@code --instance-id}). Read with
 * {@code read_committed}: every event has exactly one score on the scores topic and exactly one shadow score per
 * challenger on the shadow topic — nothing lost, nothing duplicated on either, because a score and its shadow scores
 * are written by the same task in the same transaction.
 */
@SharedKafkaBroker
@Tag("integration")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ChallengersKilledHardIntegrationTest {
    private static final Logger log = LoggerFactory.getLogger(ChallengersKilledHardIntegrationTest.class);
    private static final int EVENTS = 40_000;
    private static final int KILL_AFTER = 10_000;
    private static final List<Long> CHALLENGERS = List.of(2L, 3L);
    private static EmbeddedKafkaBroker kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void broker(EmbeddedKafkaBroker shared) {
        kafka = shared;
    }

    /** The champion's weights scaled: another model with the same features. */
    private static LogisticModel variant(LogisticModel m, double scale) {
        double[] w = m.weights().clone();
        for (int i = 0; i < w.length; i++) {
            w[i] *= scale;
        }
        return new LogisticModel(m.modelId(), 0, m.featureNames(), w, m.intercept() * scale, m.standardization(),
                m.threshold(), m.metadata());
    }

    @Test
    void exactlyOnceKeepsOneScoreAndOneShadowScorePerChallengerAcrossASigkill() throws Exception {
        Reliability.Topics t = Reliability.Topics.named().create(kafka, 2);
        LogisticModel champion = Reliability.train("clusters");
        Properties client = new Properties();
        client.put("bootstrap.servers", kafka.bootstrapServers());
        try (ModelPublisher publisher = new ModelPublisher(client, t.models(), Duration.ofSeconds(30))) {
            publisher.ensureCompactedTopic(1, Optional.empty());
            assertEquals(1, publisher.publish(champion).model().version());
            assertEquals(2, publisher.publish(variant(champion, 0.5), true).model().version());
            assertEquals(3, publisher.publish(variant(champion, 2.0), true).model().version());
        }
        String appId = "kill-challengers-" + Reliability.shortId();
        Path config = Reliability.write(dir.resolve("scorer.properties"), "state.dir=" + dir.resolve("state") + "\n");
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(),
                "--application-id", appId, "--processing-guarantee", "exactly_once_v2", "--http-port", "0",
                "--client-config", config.toString(), "--instance-id", "scorer-a"));
        args.addAll(t.flags());

        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> p = Reliability.producer(kafka, 120_000)) {
                for (int n = 0; n < EVENTS; n++) {
                    p.send(new ProducerRecord<>(t.features(), Reliability.key(n), Reliability.event(n, "clusters")));
                    if (n % 1000 == 999) {
                        p.flush();
                        // Rate limit, not a synchronisation: the kill must land mid-stream.
                        TimeUnit.MILLISECONDS.sleep(40);
                    }
                }
                p.flush();
            } catch (Throwable e) {
                producerFailure.set(e);
            }
        }, "kill-challengers-producer");

        try (Reliability.ScoreCounter scores = new Reliability.ScoreCounter(kafka, t.scores());
             Reliability.ScoreCounter shadow = new Reliability.ScoreCounter(kafka, t.shadowScores(),
                     Reliability::eventAndVersion);
             Reliability.ScoreCounter dead = new Reliability.ScoreCounter(kafka, t.deadLetters())) {
            Reliability.AppProcess first = Reliability.launch("scorer", dir, "challengers-1", args);
            Reliability.AppProcess second;
            long killedAtScores;
            try (first) {
                // "Scorer started" comes after the global store's restore: both challengers are known by then.
                Reliability.waitFor("the first scorer to start", Duration.ofSeconds(60),
                        () -> first.logContains("Scorer started"), first::tail);
                assertTrue(first.logContains("Model challengers: id=clusters, versions [2, 3]"), first.tail());
                producer.start();
                scores.awaitDistinct(KILL_AFTER, Duration.ofSeconds(90));
                first.process().destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no commit, no close
                first.process().waitFor(30, TimeUnit.SECONDS);
                second = Reliability.launch("scorer", dir, "challengers-2", args);
            }
            try (second) {
                scores.drainToEnd(Duration.ofSeconds(30));
                killedAtScores = scores.distinct();
                assertTrue(killedAtScores < EVENTS, "the kill must come before the last score: " + killedAtScores);
                scores.awaitDistinct(EVENTS, Duration.ofSeconds(180));
                shadow.awaitDistinct(EVENTS * CHALLENGERS.size(), Duration.ofSeconds(60));
                producer.join(TimeUnit.SECONDS.toMillis(60));
                assertEquals(null, producerFailure.get(), "producer failed");
                scores.drainToEnd(Duration.ofSeconds(30));
                shadow.drainToEnd(Duration.ofSeconds(30));
                dead.drainToEnd(Duration.ofSeconds(30));
                long shadowLost = 0;
                for (long n = 0; n < EVENTS; n++) {
                    for (long v : CHALLENGERS) {
                        if (!shadow.seen().containsKey("e-" + n + "@v" + v)) {
                            shadowLost++;
                        }
                    }
                }
                log.info("champion + 2 challengers, exactly_once_v2, SIGKILL after {} committed scores: scores {} records "
                                + "({} distinct, lost {}, duplicated {}); shadow {} records ({} distinct, lost {}, "
                                + "duplicated {}); dead letters {}", killedAtScores, scores.records(), scores.distinct(),
                        scores.lost(EVENTS), scores.duplicates(), shadow.records(), shadow.distinct(), shadowLost,
                        shadow.duplicates(), dead.records());
                assertEquals(0, scores.lost(EVENTS), "scores lost");
                assertEquals(0, scores.duplicates(), "scores duplicated");
                assertEquals(0, shadowLost, "shadow scores lost");
                assertEquals(0, shadow.duplicates(), "shadow scores duplicated");
                assertEquals((long) EVENTS * CHALLENGERS.size(), shadow.records(), "shadow records");
                assertEquals(0, dead.records(), "dead letters");
                if (!second.process().isAlive()) {
                    fail("second scorer stopped:\n" + second.tail());
                }
            }
        } finally {
            producer.join(TimeUnit.SECONDS.toMillis(60));
        }
    }
}
