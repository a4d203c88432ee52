package io.streamscore.e2e.reliability;

import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The broker stopped for 10 s and started again (same ports, same data) while an exactly-once scorer runs and a
 * producer keeps sending: the scorer recovers by itself and every event is scored exactly once.
 */
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BrokerRestartIntegrationTest {
    private static final Logger log = LoggerFactory.getLogger(BrokerRestartIntegrationTest.class);

    @TempDir
    Path dir;

    @Test
    void scorerRecoversFromABrokerRestartWithoutLossOrDuplicates() throws Exception {
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
            Reliability.Topics t = Reliability.Topics.named().create(kafka, 2);
            Reliability.publish(kafka, t.models(), Reliability.train("clusters"));
            Map<String, String> file = new HashMap<>(Map.of("state.dir", dir.resolve("state").toString()));
            Map<String, String> flags = new HashMap<>(Map.of(ScorerConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                    ScorerConfig.APPLICATION_ID, "restart-" + Reliability.shortId(), ScorerConfig.HTTP_PORT, "0",
                    ScorerConfig.MODELS_TOPIC, t.models(), ScorerConfig.FEATURES_TOPIC, t.features(),
                    ScorerConfig.SCORES_TOPIC, t.scores(), ScorerConfig.DEAD_LETTERS_TOPIC, t.deadLetters(),
                    ScorerConfig.SHADOW_SCORES_TOPIC, t.shadowScores()));
            AtomicLong produced = new AtomicLong();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicReference<Boolean> stop = new AtomicReference<>(false);
            Thread producer = new Thread(() -> {
                // delivery.timeout.ms 120 s: the 10 s outage is ridden out by the idempotent producer's retries.
                try (KafkaProducer<byte[], byte[]> p = Reliability.producer(kafka, 120_000)) {
                    for (long n = 0; !stop.get(); n++) {
                        p.send(new ProducerRecord<>(t.features(), Reliability.key(n), Reliability.event(n, "clusters")),
                                (meta, e) -> {
                                    if (e != null) {
                                        failure.compareAndSet(null, e);
                                    }
                                });
                        produced.set(n + 1);
                        if (n % 100 == 99) {
                            TimeUnit.MILLISECONDS.sleep(50); // rate limit (~2k events/s), not a synchronisation
                        }
                    }
                    p.flush();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "restart-test-producer");

            try (ScorerApp.Running scorer = new ScorerApp(ScorerConfig.resolve(file, flags)).start();
                 Reliability.ScoreCounter scores = new Reliability.ScoreCounter(kafka, t.scores());
                 Reliability.ScoreCounter dead = new Reliability.ScoreCounter(kafka, t.deadLetters())) {
                assertTrue(scorer.awaitRunning(Duration.ofSeconds(60)), "scorer RUNNING");
                producer.start();
                scores.awaitDistinct(2_000, Duration.ofSeconds(60));

                kafka.stop();
                long beforeRestart = scores.distinct();
                long producedAtStop = produced.get();
                TimeUnit.SECONDS.sleep(10); // the fault itself: the broker is down for 10 s
                kafka.restart();
                long restarted = System.nanoTime();
                scores.awaitDistinct((int) beforeRestart + 1, Duration.ofSeconds(120));
                long recoveryMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted);
                scores.awaitDistinct((int) beforeRestart + 2_000, Duration.ofSeconds(60));
                stop.set(true);
                producer.join(TimeUnit.SECONDS.toMillis(130));
                assertNull(failure.get(), "producer failed: " + failure.get());
                long total = produced.get();
                scores.awaitDistinct((int) total, Duration.ofSeconds(60));
                scores.drainToEnd(Duration.ofSeconds(30));
                dead.drainToEnd(Duration.ofSeconds(30));
                log.info("broker down 10 s at {} scored / {} produced; restart -> first new score {} ms; scorer state {}; "
                                + "{} events, score records {}, distinct {}, lost {}, duplicated {}, dead letters {}",
                        beforeRestart, producedAtStop, recoveryMs, scorer.state(), total, scores.records(),
                        scores.distinct(), scores.lost(total), scores.duplicates(), dead.records());
                assertEquals(0, scores.lost(total), "lost");
                assertEquals(0, scores.duplicates(), "duplicated");
                assertEquals(0, dead.records(), "dead letters");
                assertTrue(scorer.awaitRunning(Duration.ofSeconds(30)), "still RUNNING without a restart: " + scorer.state());
            } finally {
                stop.set(true);
                producer.join(TimeUnit.SECONDS.toMillis(130));
            }
        }
    }
}
