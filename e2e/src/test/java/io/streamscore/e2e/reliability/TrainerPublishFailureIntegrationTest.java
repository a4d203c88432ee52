package io.streamscore.e2e.reliability;

import io.streamscore.common.ModelJson;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.trainer.synthetic.SyntheticData;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The trainer jar publishing to a broker that was up (a first publish succeeded) and is then stopped: a clear error
 * after --kafka-timeout, exit 1, the model file written; after the broker is back, {@code trainer publish --model}
 * publishes that file as the next version.
 */
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TrainerPublishFailureIntegrationTest {
    private static final Logger log = LoggerFactory.getLogger(TrainerPublishFailureIntegrationTest.class);

    @TempDir
    Path dir;

    @Test
    void brokerStoppedAtPublishTimeFailsAfterTheTimeoutAndKeepsTheModel() throws Exception {
        Path data = dir.resolve("clusters.csv");
        try (Writer w = Files.newBufferedWriter(data)) {
            SyntheticData.writeCsv(SyntheticData.overlappingClusters(200, 3), w);
        }
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
            String topic = "models-" + Reliability.shortId();
            List<String> train = List.of("train", "--data", data.toString(), "--quiet", "--model-id", "clusters",
                    "--publish", "--bootstrap-servers", kafka.bootstrapServers(), "--models-topic", topic,
                    "--kafka-timeout", "5");
            Reliability.AppProcess ok = Reliability.launch("trainer", dir, "train-up",
                    concat(train, "--out", dir.resolve("v1.json").toString()));
            assertEquals(0, ok.awaitExit(Duration.ofSeconds(90)), ok.tail());
            assertTrue(ok.logContains("published model 'clusters' version 1"), ok.tail());

            kafka.stop();
            Path kept = dir.resolve("kept.json");
            long t0 = System.nanoTime();
            Reliability.AppProcess down = Reliability.launch("trainer", dir, "train-down", concat(train, "--out", kept.toString()));
            int exit = down.awaitExit(Duration.ofSeconds(90));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            String err = down.output();
            log.info("trainer with the broker stopped: exit {} after {} ms (incl. JVM start and training); says: {}", exit, ms,
                    err.lines().filter(l -> l.startsWith("error:")).findFirst().orElse(err));
            assertEquals(1, exit, err);
            assertTrue(err.contains("no answer within 5 s (is the broker at " + kafka.bootstrapServers() + " reachable?)"), err);
            assertTrue(err.contains("the model is saved in " + kept), err);
            assertEquals("clusters", ModelJson.fromBytes(Files.readAllBytes(kept)).modelId());
            assertTrue(ms < 60_000, "bounded by the timeout, not a hang: " + ms + " ms");

            kafka.restart();
            Reliability.AppProcess later = Reliability.launch("trainer", dir, "publish-later", List.of("publish",
                    "--model", kept.toString(), "--bootstrap-servers", kafka.bootstrapServers(), "--models-topic", topic));
            assertEquals(0, later.awaitExit(Duration.ofSeconds(90)), later.tail());
            assertTrue(later.logContains("published model 'clusters' version 2"), later.tail());
        }
    }

    private static List<String> concat(List<String> a, String... b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(List.of(b));
        return all;
    }
}
