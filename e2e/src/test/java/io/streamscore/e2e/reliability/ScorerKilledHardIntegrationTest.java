package io.streamscore.e2e.reliability;

import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.devkit.junit.SharedKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
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
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The scorer as its own process ({@code java -jar scorer.jar}), SIGKILLed in the middle of 100,000 events and started
 * again at once with the same application id and {@code --instance-id}, as an orchestrator restarts a crashed
 * container. Scores are read with {@code isolation.level=read_committed} and counted by event id.
 *
 * <p>Besides nothing lost (and under exactly-once nothing duplicated), the restart must take the fast path: a new
 * committed score on every score partition within {@link #FAST_PATH_BOUND} of the kill. Kafka's defaults are left alone except that
 * {@code transaction.timeout.ms} is raised to {@link #PROOF_TRANSACTION_TIMEOUT}, so that the bound proves both
 * halves: without static membership the killed member would hold its partitions until {@code session.timeout.ms}
 * (45 s) ran out, and without a stable transactional id its open transaction would keep the scores invisible to
 * {@code read_committed} readers until that timeout. The measured times go to the log (and RELIABILITY.md), not into
 * assertions.
 *
 * <p>{@code -Dstreamscore.recovery.measure=instance-id,no-instance-id} (either or both) runs more rounds with Kafka's
 * defaults, timing asserted nowhere, for the figures in RELIABILITY.md ({@code no-instance-id} is the behaviour
 * without the setting); {@code -Dstreamscore.recovery.rounds=N} (default 1),
 * {@code -Dstreamscore.recovery.guarantee=at_least_once} (default exactly_once_v2) and
 * {@code -Dstreamscore.recovery.client-config=KEY=VALUE[,KEY=VALUE]} (added to the scorer's --client-config) vary them.
 */
@SharedKafkaBroker
@Tag("integration")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ScorerKilledHardIntegrationTest {
    private static final Logger log = LoggerFactory.getLogger(ScorerKilledHardIntegrationTest.class);
    private static final int EVENTS = 100_000;
    private static final int KILL_AFTER = 20_000;
    /** Below session.timeout.ms (45 s by default) and the transaction timeout below, with room for a loaded machine. */
    private static final Duration FAST_PATH_BOUND = Duration.ofSeconds(30);
    private static final Duration PROOF_TRANSACTION_TIMEOUT = Duration.ofSeconds(60);
    private static EmbeddedKafkaBroker kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void broker(EmbeddedKafkaBroker shared) {
        kafka = shared;
    }

    @Test
    void exactlyOnceLosesNothingDuplicatesNothingAndRecoversWithoutWaitingForTimeouts() throws Exception {
        Result r = killAndRestart("exactly_once_v2", true,
                "transaction.timeout.ms=" + PROOF_TRANSACTION_TIMEOUT.toMillis() + "\n");
        assertEquals(0, r.lost, "lost under exactly_once_v2");
        assertEquals(0, r.duplicates, "duplicated under exactly_once_v2");
        assertFastPath(r);
    }

    @Test
    void atLeastOnceLosesNothingAndRecoversWithoutWaitingForTheSessionTimeout() throws Exception {
        Result r = killAndRestart("at_least_once", true, "");
        assertEquals(0, r.lost, "lost under at_least_once");
        assertFastPath(r);
    }

    /** Figures only: Kafka's defaults, with and/or without --instance-id (-Dstreamscore.recovery.measure=...). */
    @Test
    @EnabledIfSystemProperty(named = "streamscore.recovery.measure", matches = "(no-)?instance-id(,(no-)?instance-id)?")
    @Timeout(value = 3600, unit = TimeUnit.SECONDS)
    void measureRecoveryWithKafkasDefaults() throws Exception {
        String guarantee = System.getProperty("streamscore.recovery.guarantee", "exactly_once_v2");
        int rounds = Integer.parseInt(System.getProperty("streamscore.recovery.rounds", "1"));
        String extra = System.getProperty("streamscore.recovery.client-config", "").replace(',', '\n');
        for (int round = 1; round <= rounds; round++) {
            for (String mode : System.getProperty("streamscore.recovery.measure").split(",")) {
                Result r = killAndRestart(guarantee, mode.equals("instance-id"), extra.isEmpty() ? "" : extra + "\n");
                assertEquals(0, r.lost, "lost");
            }
        }
    }

    private static void assertFastPath(Result r) {
        assertTrue(r.everyPartitionMs < FAST_PATH_BOUND.toMillis(), "SIGKILL -> a new committed score on every score "
                + "partition took " + r.everyPartitionMs + " ms; the fast path (static membership, fencing by the "
                + "restarted instance) stays under " + FAST_PATH_BOUND.toSeconds() + " s");
    }

    /**
     * @param killedAtScores  distinct committed scores when the first process was killed
     * @param startedMs       SIGKILL → the second process logged "Scorer started" (JVM start, topic check, restore)
     * @param firstNewScoreMs SIGKILL → the first score record committed after the kill is visible (read_committed)
     * @param everyPartitionMs SIGKILL → every score partition has such a record (none is held back any more)
     * @param allScoredMs     SIGKILL → every event scored
     */
    record Result(long lost, long duplicates, long killedAtScores, long startedMs, long firstNewScoreMs,
                  long everyPartitionMs, long allScoredMs) {
    }

    private static boolean movedOnEveryPartition(Reliability.ScoreCounter scores, long[] killedAt) {
        for (int p = 0; p < killedAt.length; p++) {
            if (scores.records(p) == killedAt[p]) {
                return false;
            }
        }
        return true;
    }

    /** The application's transactions the broker holds open (id, state, partitions), for the log. */
    private static String openTransactions(String appId) throws Exception {
        try (Admin admin = kafka.admin()) {
            List<String> ids = admin.listTransactions().all().get(10, TimeUnit.SECONDS).stream()
                    .map(TransactionListing::transactionalId).filter(id -> id.startsWith(appId)).toList();
            if (ids.isEmpty()) {
                return "none";
            }
            List<String> open = new ArrayList<>();
            admin.describeTransactions(ids).all().get(10, TimeUnit.SECONDS).forEach((id, d) -> {
                if (d.state() == TransactionState.ONGOING) {
                    open.add(id + " on " + d.topicPartitions());
                }
            });
            return open.isEmpty() ? "none" : String.join("; ", open);
        }
    }

    private Result killAndRestart(String guarantee, boolean instanceId, String extraClientConfig) throws Exception {
        Reliability.Topics t = Reliability.Topics.named().create(kafka, 2);
        Reliability.publish(kafka, t.models(), Reliability.train("clusters"));
        String appId = "kill-" + Reliability.shortId();
        String label = guarantee + (instanceId ? " --instance-id" : " no instance id")
                + (extraClientConfig.isEmpty() ? "" : " " + extraClientConfig.strip().replace('\n', ' '));
        Path config = Reliability.write(dir.resolve("scorer.properties"),
                "state.dir=" + dir.resolve("state") + "\n" + extraClientConfig);
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(),
                "--application-id", appId, "--processing-guarantee", guarantee, "--http-port", "0",
                "--client-config", config.toString()));
        if (instanceId) {
            args.addAll(List.of("--instance-id", "scorer-a"));
        }
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
            Reliability.AppProcess first = Reliability.launch("scorer", dir, guarantee + "-1", args);
            long killNanos;
            Reliability.AppProcess second;
            try (first) {
                Reliability.waitFor("the first scorer to start", Duration.ofSeconds(60),
                        () -> first.logContains("Scorer started"), first::tail);
                producer.start();
                scores.awaitDistinct(KILL_AFTER, Duration.ofSeconds(90));
                first.process().destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no commit, no close
                first.process().waitFor(30, TimeUnit.SECONDS);
                killNanos = System.nanoTime();
                // Restarted at once, as an orchestrator restarts a crashed container.
                second = Reliability.launch("scorer", dir, guarantee + "-2", args);
            }
            try (second) {
                // Everything committed before the kill (under exactly-once: up to the killed one's open transaction).
                scores.drainToEnd(Duration.ofSeconds(30));
                long killedAtScores = scores.distinct();
                long killedAtRecords = scores.records();
                long[] killedAtPartition = new long[scores.partitions()];
                for (int p = 0; p < killedAtPartition.length; p++) {
                    killedAtPartition[p] = scores.records(p);
                }
                String openTransactions = openTransactions(appId);
                long killedAtProduced = produced.get();
                log.info("{}: scorer SIGKILLed (exit {}) after {} distinct committed scores, {} events produced; "
                                + "transactions left open: {}", label, first.process().exitValue(), killedAtScores,
                        killedAtProduced, openTransactions);
                assertTrue(killedAtScores < EVENTS, "the kill must come before the last score; scores at kill: " + killedAtScores);

                long startedMs = -1;
                long deadline = killNanos + Duration.ofSeconds(150).toNanos();
                // Records, not distinct ids: at least once, the restarted scorer first scores again what was scored
                // since the last commit, and those duplicates are its first output.
                while (scores.records() == killedAtRecords) {
                    if (System.nanoTime() > deadline) {
                        fail("no new committed score within 150 s of the kill; second scorer:\n" + second.tail());
                    }
                    scores.poll(Duration.ofMillis(50));
                    if (startedMs < 0 && second.logContains("Scorer started")) {
                        startedMs = msSince(killNanos);
                    }
                }
                long firstNewScoreMs = msSince(killNanos);
                if (startedMs < 0) {
                    startedMs = firstNewScoreMs; // seen together
                }
                // A partition still behind the killed scorer's open transaction shows nothing new to read_committed
                // readers, however much the restarted one commits after it: the recovery is done when every
                // partition has moved.
                while (!movedOnEveryPartition(scores, killedAtPartition)) {
                    if (System.nanoTime() > deadline) {
                        fail("a score partition had no new committed score within 150 s of the kill; second scorer:\n"
                                + second.tail());
                    }
                    scores.poll(Duration.ofMillis(50));
                }
                long everyPartitionMs = msSince(killNanos);
                scores.awaitDistinct(EVENTS, Duration.ofSeconds(150));
                long allScoredMs = msSince(killNanos);
                producer.join(TimeUnit.SECONDS.toMillis(60));
                assertEquals(null, producerFailure.get(), "producer failed");
                scores.drainToEnd(Duration.ofSeconds(30));
                dead.drainToEnd(Duration.ofSeconds(30));
                long lost = scores.lost(EVENTS);
                long duplicates = scores.duplicates();
                log.info("recovery [{}]: SIGKILL -> second scorer started {} ms, -> first new committed score {} ms, "
                                + "-> on every partition {} ms, -> all {} scored {} ms; killed after {} committed scores; "
                                + "score records {}, distinct {}, lost {}, duplicated {}, dead letters {}", label, startedMs,
                        firstNewScoreMs, everyPartitionMs, EVENTS, allScoredMs, killedAtScores, scores.records(),
                        scores.distinct(), lost, duplicates, dead.records());
                Files.writeString(dir.resolve("figures.txt"), label + " lost=" + lost + " duplicates=" + duplicates);
                assertEquals(0, dead.records(), "dead letters: every event is valid and its model exists");
                assertEquals(EVENTS, scores.distinct(), "distinct event ids scored");
                assertTrue(second.process().isAlive(), "second scorer still running:\n" + second.tail());
                return new Result(lost, duplicates, killedAtScores, startedMs, firstNewScoreMs, everyPartitionMs, allScoredMs);
            }
        } finally {
            producer.join(TimeUnit.SECONDS.toMillis(60));
        }
    }

    private static long msSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
