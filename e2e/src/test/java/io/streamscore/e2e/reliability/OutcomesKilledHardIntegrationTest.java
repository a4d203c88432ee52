package io.streamscore.e2e.reliability;

import io.streamscore.common.outcome.Outcome;
import io.streamscore.common.outcome.QualityWindow;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.e2e.OutcomeScenario;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scorer with labels on, as its own process, SIGKILLed in the middle of a known stream of events and labels
 * ({@link OutcomeScenario}: 3,000 events, 2 partitions, exactly-once) and started again at once with the same
 * application id and {@code --instance-id}. Its state (held labels, scores awaiting labels, quality windows: RocksDB
 * with changelogs) is restored from the changelogs; afterwards each joined event is on the outcomes topic exactly once,
 * and every closed quality window counts exactly the outcomes the outcomes topic holds for it, with the same figures:
 * nothing lost, nothing counted twice.
 */
@Tag("integration")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OutcomesKilledHardIntegrationTest {
    private static final Logger log = LoggerFactory.getLogger(OutcomesKilledHardIntegrationTest.class);
    private static final int EVENTS = 3_000;
    private static final int KILL_AFTER_OUTCOMES = 900;
    /**
     * Long: a scorer catching up after a restart reads a task's features partition and labels partition at their own
     * speeds, and stream time (the largest timestamp the task has read, from either) can run ahead of the labels by a
     * fetch's worth of events. A score awaiting its label expires when stream time passes its event time + the label
     * window, and its label is then LABEL_LATE (docs/outcomes.md, Guarantees and limits). This test is about a crash:
     * the window must exceed that skew so that every label the scenario means to join does.
     */
    private static final long LABEL_WINDOW_MS = Duration.ofMinutes(60).toMillis();
    /**
     * Long: a scorer catching up after a restart reads the labels and features partitions at their own speeds, and the
     * outcomes' label times then run ahead on one partition by up to a fetch's worth of records. A window is kept for
     * grace + label window past its end to take the stragglers (it would be 7 days and a minute with the defaults).
     */
    private static final long GRACE_MS = Duration.ofHours(2).toMillis();
    private static final Map<String, Long> WINDOWS = new LinkedHashMap<>(Map.of("5m", 300_000L, "15m", 900_000L));
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

    /** The WARN and ERROR lines of a scorer's output. */
    private static String warnings(Reliability.AppProcess p) {
        return p.output().lines().filter(l -> l.contains("WARN") || l.contains("ERROR")).limit(40)
                .reduce("", (a, b) -> a + b + "\n");
    }

    /**
     * Waits until the application's committed offsets reach the end of {@code topics} (read_committed): every record
     * on them processed and committed. A transactional partition ends with a commit marker, which takes an offset but
     * is not a record, so one short of the end counts as the end.
     */
    private static void awaitConsumed(String appId, List<String> topics, Duration timeout) throws Exception {
        try (Admin admin = kafka.admin()) {
            Reliability.waitFor("application " + appId + " to consume " + topics, timeout, () -> {
                try {
                    Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(appId)
                            .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
                    Map<TopicPartition, OffsetSpec> ask = new HashMap<>();
                    for (TopicDescription d : admin.describeTopics(topics).allTopicNames().get(10, TimeUnit.SECONDS).values()) {
                        d.partitions().forEach(p -> ask.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
                    }
                    var end = admin.listOffsets(ask, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                            .get(10, TimeUnit.SECONDS);
                    for (TopicPartition tp : ask.keySet()) {
                        long last = end.get(tp).offset();
                        OffsetAndMetadata c = committed.get(tp);
                        if (last > 0 && (c == null || c.offset() < last - 1)) {
                            return false;
                        }
                    }
                    return true;
                } catch (Exception e) {
                    return false;
                }
            }, () -> topics + " not yet consumed by " + appId);
        }
    }

    @Test
    void theJoinAndTheQualityWindowsSurviveSigkillUnderExactlyOnce() throws Exception {
        Reliability.Topics t = Reliability.Topics.named().create(kafka, 2);
        String s = Reliability.shortId();
        String labels = "labels-" + s;
        String outcomes = "outcomes-" + s;
        String quality = "quality-" + s;
        kafka.createTopic(labels, 2, Map.of());
        kafka.createTopic(outcomes, 2, Map.of());
        kafka.createTopic(quality, 1, Map.of("cleanup.policy", "compact"));
        Reliability.publish(kafka, t.models(), Reliability.train("clusters"));
        long now = System.currentTimeMillis();
        long start = now - Duration.ofHours(3).toMillis() - Math.floorMod(now, 900_000L);
        OutcomeScenario sc = OutcomeScenario.build(EVENTS, start, LABEL_WINDOW_MS, "clusters");
        // Past every scenario window's end + grace (the scenario spans an hour): every window closes.
        long flushAt = start + Duration.ofHours(3).toMillis();

        String appId = "outcomes-kill-" + s;
        Path config = Reliability.write(dir.resolve("scorer.properties"), "state.dir=" + dir.resolve("state") + "\n"
                + "transaction.timeout.ms=60000\n");
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(),
                "--application-id", appId, "--processing-guarantee", "exactly_once_v2", "--http-port", "0",
                "--client-config", config.toString(), "--instance-id", "scorer-a", "--labels-topic", labels,
                "--outcomes-topic", outcomes, "--quality-topic", quality, "--label-window", "60m",
                "--quality-windows", "5m,15m", "--quality-grace", "2h"));
        args.addAll(t.flags());

        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> p = Reliability.producer(kafka, 120_000)) {
                int n = 0;
                for (OutcomeScenario.Send send : sc.sends) {
                    p.send(new ProducerRecord<>(send.label() ? labels : t.features(), null, send.timestamp(),
                            send.key().getBytes(StandardCharsets.UTF_8), send.value()));
                    if (++n % 50 == 0) {
                        p.flush();
                        // Rate limit (~1,000 records/s at most), not a synchronisation: the kill must land mid-stream.
                        TimeUnit.MILLISECONDS.sleep(50);
                    }
                }
                p.flush();
            } catch (Throwable e) {
                producerFailure.set(e);
            }
        }, "outcomes-kill-producer");

        try (Reliability.ScoreCounter joined = new Reliability.ScoreCounter(kafka, outcomes)) {
            Reliability.AppProcess first = Reliability.launch("scorer", dir, "outcomes-1", args);
            Reliability.AppProcess second;
            long killedAt;
            try (first) {
                Reliability.waitFor("the first scorer to start", Duration.ofSeconds(60),
                        () -> first.logContains("Scorer started"), first::tail);
                producer.start();
                joined.awaitDistinct(KILL_AFTER_OUTCOMES, Duration.ofSeconds(120));
                first.process().destroyForcibly(); // SIGKILL: no commit, no flush of RocksDB, no checkpoint
                first.process().waitFor(30, TimeUnit.SECONDS);
                joined.drainToEnd(Duration.ofSeconds(30));
                killedAt = joined.distinct();
                second = Reliability.launch("scorer", dir, "outcomes-2", args);
            }
            try (second) {
                assertTrue(killedAt < sc.joined.size(), "the kill must come before the last outcome: " + killedAt);
                producer.join(TimeUnit.SECONDS.toMillis(120));
                assertEquals(null, producerFailure.get(), "producer failed");
                try {
                    joined.awaitDistinct(sc.joined.size(), Duration.ofSeconds(150));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; the restarted scorer's warnings:\n" + warnings(second)
                            + "\nits last lines:\n" + second.tail(), e);
                }
                // The flush moves the quality clock hours ahead: first every outcome must have reached the quality
                // task (in the repartition topic ahead of the flush's), or it would be behind a dropped window.
                awaitConsumed(appId, List.of(outcomes, appId + "-outcomes-by-model-repartition"), Duration.ofSeconds(90));
                try (KafkaProducer<byte[], byte[]> p = Reliability.producer(kafka, 60_000)) {
                    for (int part = 0; part < 2; part++) {
                        byte[] key = ("flush-" + part).getBytes(StandardCharsets.UTF_8);
                        p.send(new ProducerRecord<>(t.features(), part, flushAt, key,
                                OutcomeScenario.event("flush-" + part, "clusters", 1, 1)));
                        p.send(new ProducerRecord<>(labels, part, flushAt + 1, key,
                                OutcomeScenario.label("flush-" + part, 1)));
                    }
                    p.flush();
                }
                List<Outcome> all = OutcomeScenario.readOutcomes(kafka, outcomes, sc.joined.size() + 2,
                        Duration.ofSeconds(120));
                Map<String, Integer> seen = new TreeMap<>();
                all.forEach(o -> seen.merge(o.eventId(), 1, Integer::sum));
                List<String> twice = seen.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey).toList();
                assertEquals(List.of(), twice, "outcomes written twice under exactly-once");
                TreeSet<String> expected = new TreeSet<>(sc.joined);
                expected.add("flush-0");
                expected.add("flush-1");
                assertEquals(expected, seen.keySet(), "the joined events");

                Map<String, List<Outcome>> offline = OutcomeScenario.closedWindows(all, WINDOWS, GRACE_MS);
                Map<String, QualityWindow> written;
                try {
                    written = OutcomeScenario.awaitQuality(kafka, quality, offline, Duration.ofSeconds(90));
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "\nsecond scorer's warnings:\n" + warnings(second), e);
                }
                assertEquals(offline.keySet(), written.keySet(), "closed windows");
                for (Map.Entry<String, List<Outcome>> e : offline.entrySet()) {
                    OutcomeScenario.assertFiguresMatch(e.getKey(), e.getValue(), written.get(e.getKey()).figures());
                }
                assertTrue(offline.size() >= 12, "windows compared: " + offline.keySet());
                assertTrue(second.process().isAlive(), "second scorer still running:\n" + second.tail());
                log.info("outcomes across SIGKILL (exactly_once_v2): killed after {} of {} outcomes; afterwards {} "
                                + "outcomes, none twice; {} closed quality windows equal to the outcomes topic", killedAt,
                        sc.joined.size(), all.size(), offline.size());
                System.out.printf("outcomes kill: killed after %d of %d outcomes; %d outcomes, none twice; %d closed "
                        + "quality windows equal offline%n", killedAt, sc.joined.size(), all.size(), offline.size());
            }
        } finally {
            producer.join(TimeUnit.SECONDS.toMillis(60));
        }
    }
}
