package io.streamscore.e2e.reliability;

import io.streamscore.devkit.EmbeddedKafkaBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scorer as its own process ({@code java -jar scorer.jar}), SIGKILLed in the middle of 100,000 events and started
 * again with the same application id and state dir. Scores are read with {@code isolation.level=read_committed} and
 * counted by event id.
 */
@Tag("integration")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ScorerKilledHardIntegrationTest {
    private static final Logger log = LoggerFactory.getLogger(ScorerKilledHardIntegrationTest.class);
    private static final int EVENTS = 100_000;
    private static final int KILL_AFTER = 20_000;
    private static EmbeddedKafkaBroker kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void exactlyOnceLosesNothingAndDuplicatesNothing() throws Exception {
        Result r = killAndRestart("exactly_once_v2");
        assertEquals(0, r.lost, "lost under exactly_once_v2");
        assertEquals(0, r.duplicates, "duplicated under exactly_once_v2");
    }

    @Test
    void atLeastOnceLosesNothing() throws Exception {
        Result r = killAndRestart("at_least_once");
        assertEquals(0, r.lost, "lost under at_least_once");
    }

    record Result(long lost, long duplicates) {
    }

    private Result killAndRestart(String guarantee) throws Exception {
        Reliability.Topics t = Reliability.Topics.named().create(kafka, 2);
        Reliability.publish(kafka, t.models(), Reliability.train("clusters"));
        String appId = "kill-" + Reliability.shortId();
        // Same state dir for both lives: Kafka Streams keeps its process id there, so the second life reuses the
        // transactional ids and fences (aborts) the killed one's open transaction at once. session.timeout.ms at
        // the broker's minimum so the killed member leaves the group in 6 s rather than 45 s.
        Path config = Reliability.write(dir.resolve("scorer.properties"),
                "state.dir=" + dir.resolve("state") + "\nsession.timeout.ms=6000\n");
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(),
                "--application-id", appId, "--processing-guarantee", guarantee, "--http-port", "0",
                "--client-config", config.toString()));
        args.addAll(t.flags());

        AtomicLong produced = new AtomicLong();
        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> p = Reliability.producer(kafka, 120_000)) {
                for (int n = 0; n < EVENTS; n++) {
                    p.send(new ProducerRecord<>(t.features(), Reliability.key(n), Reliability.event(n, "clusters")));
                    if (n % 1000 == 999) {
                        p.flush();
                        produced.set(n + 1);
                        // Rate limit (~25k events/s at most), not a synchronisation: the kill must land mid-stream.
                        TimeUnit.MILLISECONDS.sleep(40);
                    }
                }
                p.flush();
                produced.set(EVENTS);
            } catch (Throwable e) {
                producerFailure.set(e);
            }
        }, "kill-test-producer");

        try (Reliability.ScoreCounter scores = new Reliability.ScoreCounter(kafka, t.scores());
             Reliability.ScoreCounter dead = new Reliability.ScoreCounter(kafka, t.deadLetters())) {
            long killedAtScores;
            long killedAtProduced;
            long restartNanos;
            try (Reliability.AppProcess first = Reliability.launch("scorer", dir, guarantee + "-1", args)) {
                Reliability.waitFor("the first scorer to start", Duration.ofSeconds(60),
                        () -> first.logContains("Scorer started"), first::tail);
                producer.start();
                scores.awaitDistinct(KILL_AFTER, Duration.ofSeconds(90));
                first.process().destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no commit, no close
                first.process().waitFor(30, TimeUnit.SECONDS);
                killedAtScores = scores.distinct();
                killedAtProduced = produced.get();
                restartNanos = System.nanoTime();
                log.info("{}: scorer SIGKILLed (exit {}) after {} distinct committed scores, {} events produced",
                        guarantee, first.process().exitValue(), killedAtScores, killedAtProduced);
            }
            assertTrue(killedAtScores < EVENTS, "the kill must come before the last score; scores at kill: " + killedAtScores);
            try (Reliability.AppProcess second = Reliability.launch("scorer", dir, guarantee + "-2", args)) {
                scores.awaitDistinct(EVENTS, Duration.ofSeconds(150));
                long recoveredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartNanos);
                producer.join(TimeUnit.SECONDS.toMillis(60));
                assertEquals(null, producerFailure.get(), "producer failed");
                scores.drainToEnd(Duration.ofSeconds(30));
                dead.drainToEnd(Duration.ofSeconds(30));
                long lost = scores.lost(EVENTS);
                long duplicates = scores.duplicates();
                log.info("{}: {} events, SIGKILL after {} committed scores; restart to all {} scored: {} ms; "
                                + "score records {}, distinct {}, lost {}, duplicated {}, dead letters {}",
                        guarantee, EVENTS, killedAtScores, EVENTS, recoveredMs, scores.records(), scores.distinct(),
                        lost, duplicates, dead.records());
                Files.writeString(dir.resolve("figures.txt"), guarantee + " lost=" + lost + " duplicates=" + duplicates);
                assertEquals(0, dead.records(), "dead letters: every event is valid and its model exists");
                assertEquals(EVENTS, scores.distinct(), "distinct event ids scored");
                assertTrue(second.process().isAlive(), "second scorer still running:\n" + second.tail());
                return new Result(lost, duplicates);
            }
        } finally {
            producer.join(TimeUnit.SECONDS.toMillis(60));
        }
    }
}
