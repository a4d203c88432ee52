package io.streamscore.e2e;

import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerConfig;
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
 * Two running scorers misconfigured with one --instance-id: the one that is fenced stops (ERROR, not live) instead of
 * replacing its thread and fencing the other back, and the other keeps running.
 */
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DuplicateInstanceIdIntegrationTest {
    private static final Logger log = LoggerFactory.getLogger(DuplicateInstanceIdIntegrationTest.class);

    @TempDir
    Path dir;

    @Test
    void theFencedInstanceStopsAndTheOtherKeepsRunning() throws Exception {
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
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
}
