package io.streamscore.e2e.reliability;

import io.streamscore.devkit.EmbeddedKafkaBroker;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scorer process started while the broker is down, then while a topic is missing: it waits, says so on every retry,
 * stays alive (no crash loop), and scores once both are there. A scorer still waiting stops cleanly on SIGTERM.
 */
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ScorerWaitsForKafkaIntegrationTest {
    private static final Logger log = LoggerFactory.getLogger(ScorerWaitsForKafkaIntegrationTest.class);

    @TempDir
    Path dir;

    @Test
    void waitsForTheBrokerThenForTheMissingTopicThenScores() throws Exception {
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
            Reliability.Topics t = Reliability.Topics.named();
            kafka.createTopic(t.models(), 1, Map.of("cleanup.policy", "compact"));
            kafka.createTopic(t.scores(), 1, Map.of());
            kafka.createTopic(t.deadLetters(), 1, Map.of());
            kafka.createTopic(t.shadowScores(), 1, Map.of());
            Reliability.publish(kafka, t.models(), Reliability.train("clusters"));
            kafka.stop();

            Path config = Reliability.write(dir.resolve("scorer.properties"), "state.dir=" + dir.resolve("state") + "\n");
            List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(),
                    "--application-id", "wait-" + Reliability.shortId(), "--http-port", "0",
                    "--client-config", config.toString()));
            args.addAll(t.flags());
            try (Reliability.AppProcess scorer = Reliability.launch("scorer", dir, "waiting-scorer", args)) {
                String down = "Waiting for Kafka: Kafka at " + kafka.bootstrapServers() + " did not answer within 5 s";
                Reliability.waitFor("two retries while the broker is down", Duration.ofSeconds(60),
                        () -> scorer.logContains(down) && scorer.logContains("(attempt 2,"), scorer::tail);
                assertTrue(scorer.process().isAlive(), "must wait, not exit:\n" + scorer.tail());

                long up = System.nanoTime();
                kafka.restart();
                String missing = "Waiting for Kafka: missing topic " + t.features() + " on " + kafka.bootstrapServers()
                        + " (create them or start with --create-topics)";
                Reliability.waitFor("the missing features topic named", Duration.ofSeconds(60),
                        () -> scorer.logContains(missing), scorer::tail);
                log.info("broker up -> scorer names the missing topic: {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - up));
                assertTrue(scorer.process().isAlive(), "must wait for the topic, not exit:\n" + scorer.tail());

                long created = System.nanoTime();
                kafka.createTopic(t.features(), 1, Map.of());
                Reliability.waitFor("the scorer to start", Duration.ofSeconds(60),
                        () -> scorer.logContains("Scorer started"), scorer::tail);
                log.info("topic created -> scorer started: {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - created));
                try (KafkaProducer<byte[], byte[]> p = Reliability.producer(kafka, 60_000);
                     Reliability.ScoreCounter scores = new Reliability.ScoreCounter(kafka, t.scores())) {
                    for (int n = 0; n < 100; n++) {
                        p.send(new ProducerRecord<>(t.features(), Reliability.key(n), Reliability.event(n, "clusters")));
                    }
                    p.flush();
                    scores.awaitDistinct(100, Duration.ofSeconds(60));
                    assertEquals(0, scores.lost(100));
                }
                String output = scorer.output();
                long retries = output.lines().filter(l -> l.contains("Waiting for Kafka:")).count();
                log.info("scorer waited with {} logged retries, e.g. {}", retries,
                        output.lines().filter(l -> l.contains("Waiting for Kafka:")).findFirst().orElse(""));
            }
        }
    }

    @Test
    void stopsCleanlyOnSigtermWhileWaiting() throws Exception {
        Reliability.Topics t = Reliability.Topics.named();
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", "127.0.0.1:1", "--http-port", "0",
                "--application-id", "wait-" + Reliability.shortId()));
        args.addAll(t.flags());
        try (Reliability.AppProcess scorer = Reliability.launch("scorer", dir, "sigterm-scorer", args)) {
            Reliability.waitFor("a retry", Duration.ofSeconds(60), () -> scorer.logContains("Waiting for Kafka:"),
                    scorer::tail);
            long t0 = System.nanoTime();
            scorer.process().destroy(); // SIGTERM
            int exit = scorer.awaitExit(Duration.ofSeconds(20));
            log.info("SIGTERM while waiting: exit {} after {} ms", exit, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
            assertTrue(scorer.logContains("Scorer stopped while waiting for Kafka"), scorer.tail());
        }
    }
}
