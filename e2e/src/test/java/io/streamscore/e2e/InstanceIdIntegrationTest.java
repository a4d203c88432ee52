package io.streamscore.e2e;

import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.devkit.junit.SharedKafkaBroker;
import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two scorers with --instance-id in one group: a graceful stop still hands the partitions over at once (static members
 * leave the group on close too), and two misconfigured with one id do not fence each other for ever (the fenced one
 * stops instead of replacing its thread).
 */
@SharedKafkaBroker
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class InstanceIdIntegrationTest {
    private static final Logger log = LoggerFactory.getLogger(InstanceIdIntegrationTest.class);
    /** Well below session.timeout.ms (45 s by default), which a static member that did not leave would hold out. */
    private static final Duration HANDOVER_BOUND = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void aGracefulStopHandsThePartitionsOverWithoutWaitingForTheSessionTimeout(EmbeddedKafkaBroker kafka)
            throws Exception {
        E2e.Topics t = E2e.Topics.create(kafka, 2, 2);
        E2e.publish(kafka, t.models(), E2e.train("clusters", 7));
        String appId = "leave-" + E2e.shortId();
        ScorerConfig configA = E2e.scorerConfig(kafka, t, appId, dir.resolve("a"), Map.of(ScorerConfig.INSTANCE_ID, "a"));
        ScorerConfig configB = E2e.scorerConfig(kafka, t, appId, dir.resolve("b"), Map.of(ScorerConfig.INSTANCE_ID, "b"));
        try (ScorerApp.Running a = new ScorerApp(configA).start();
             ScorerApp.Running b = new ScorerApp(configB).start();
             TopicReader out = new TopicReader(kafka, t.scores());
             KafkaProducer<byte[], byte[]> producer = E2e.producer(kafka)) {
            int sent = 0;
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            // Each instance owns a partition once each has scored something.
            while (a.metrics().scoredCount() == 0 || b.metrics().scoredCount() == 0) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("both instances scoring: A " + a.metrics().scoredCount() + ", B "
                            + b.metrics().scoredCount() + " of " + sent);
                }
                sent += send(producer, t.features(), sent, 20);
                out.pollOnce(Duration.ofMillis(100));
            }
            a.close();
            long closed = System.nanoTime();
            sent += send(producer, t.features(), sent, 200); // keys over both partitions
            out.awaitCount(sent, Duration.ofSeconds(60));
            long handoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closed);
            log.info("A (instance id a) closed; B scored everything produced after it in {} ms", handoverMs);
            assertTrue(handoverMs < HANDOVER_BOUND.toMillis(), "B scored every event sent after A's close only after "
                    + handoverMs + " ms");
            assertEquals(KafkaStreams.State.RUNNING, b.state());
        }
    }

    /** {@code n} events for model clusters, keys {@code k-from …}, flushed; returns n. */
    private static int send(KafkaProducer<byte[], byte[]> producer, String topic, int from, int n) {
        for (int i = from; i < from + n; i++) {
            producer.send(new ProducerRecord<>(topic, E2e.utf8("k-" + i), E2e.utf8("{\"eventId\":\"e-" + i
                    + "\",\"modelId\":\"clusters\",\"features\":{\"x1\":" + (i % 7) + ",\"x2\":" + (i % 5) + "}}")));
        }
        producer.flush();
        return n;
    }

    @Test
    void theFencedInstanceStopsAndTheOtherKeepsRunning(EmbeddedKafkaBroker kafka) throws Exception {
        E2e.Topics t = E2e.Topics.create(kafka, 2, 2);
        E2e.publish(kafka, t.models(), E2e.train("clusters", 7));
        String appId = "dup-" + E2e.shortId();
        Map<String, String> extra = Map.of(ScorerConfig.INSTANCE_ID, "same-id");
        ScorerConfig first = E2e.scorerConfig(kafka, t, appId, dir.resolve("a"), extra);
        ScorerConfig second = E2e.scorerConfig(kafka, t, appId, dir.resolve("b"), extra);
        try (ScorerApp.Running a = new ScorerApp(first).start()) {
            assertTrue(a.awaitRunning(Duration.ofSeconds(60)), "first scorer RUNNING: " + a.state());
            try (ScorerApp.Running b = new ScorerApp(second).start()) {
                E2e.waitFor("one of the two to stop", Duration.ofSeconds(90),
                        () -> a.state() == KafkaStreams.State.ERROR || b.state() == KafkaStreams.State.ERROR,
                        () -> "first " + a.state() + ", second " + b.state());
                ScorerApp.Running stopped = a.state() == KafkaStreams.State.ERROR ? a : b;
                ScorerApp.Running other = stopped == a ? b : a;
                log.info("stopped: {} ({}), other: {} ({})", stopped == a ? "first" : "second",
                        stopped.health().live(), other.state(), other.health().ready());
                assertFalse(stopped.health().live().ok());
                assertEquals(0, stopped.metrics().threadsReplacedCount(), "not replaced: it would fence back");
                assertTrue(other.awaitRunning(Duration.ofSeconds(60)), "the other runs on: " + other.state());
                assertTrue(other.health().live().ok());
            }
        }
    }
}
