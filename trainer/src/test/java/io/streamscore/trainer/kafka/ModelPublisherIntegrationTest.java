package io.streamscore.trainer.kafka;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.trainer.cli.CliRunner;
import io.streamscore.trainer.synthetic.SyntheticData;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("integration")
@Timeout(120)
class ModelPublisherIntegrationTest {
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

    private static Properties client() {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        return p;
    }

    private static LogisticModel model(String id) {
        return new LogisticModel(id, 1, List.of("a", "b"), new double[] {0.5, -0.25}, 0.1, null, 0.5, null);
    }

    @Test
    void createsACompactedTopicAndVersionsOnlyGrow() throws Exception {
        String topic = "models-" + UUID.randomUUID();
        try (ModelPublisher publisher = new ModelPublisher(client(), topic, Duration.ofSeconds(30))) {
            publisher.ensureCompactedTopic(1, Optional.empty());
            assertEquals("compact", cleanupPolicy(topic));
            assertEquals(Optional.empty(), publisher.latestVersion("fraud"));

            assertEquals(1, publisher.publish(model("fraud")).model().version());
            assertEquals(1, publisher.publish(model("churn")).model().version(), "versions are per model id");
            ModelPublisher.Published second = publisher.publish(model("fraud"));
            assertEquals(2, second.model().version());
            assertEquals(Optional.of(2L), publisher.latestVersion("fraud"));
            // An existing compacted topic is accepted as it is.
            publisher.ensureCompactedTopic(1, Optional.empty());
        }
    }

    @Test
    void refusesATopicThatIsNotCompacted() throws Exception {
        String topic = "plain-" + UUID.randomUUID();
        kafka.createTopic(topic, 1, Map.of("cleanup.policy", "delete"));
        try (ModelPublisher publisher = new ModelPublisher(client(), topic, Duration.ofSeconds(30))) {
            ModelPublisher.PublishException e = assertThrows(ModelPublisher.PublishException.class,
                    () -> publisher.ensureCompactedTopic(1, Optional.empty()));
            assertTrue(e.getMessage().startsWith("model topic '" + topic + "' exists with cleanup.policy=delete; it must be compact only"),
                    e.getMessage());
        }
    }

    @Test
    void refusesACompactedTopicThatRetentionCanAlsoDelete() throws Exception {
        String topic = "compact-delete-" + UUID.randomUUID();
        kafka.createTopic(topic, 1, Map.of("cleanup.policy", "compact,delete"));
        try (ModelPublisher publisher = new ModelPublisher(client(), topic, Duration.ofSeconds(30))) {
            ModelPublisher.PublishException e = assertThrows(ModelPublisher.PublishException.class,
                    () -> publisher.ensureCompactedTopic(1, Optional.empty()));
            assertTrue(e.getMessage().contains("cleanup.policy=compact,delete; it must be compact only"), e.getMessage());
        }
    }

    @Test
    void modelsCommandsRollBackRestoreAndPruneThroughTheTopic() throws Exception {
        String topic = "models-" + UUID.randomUUID();
        try (ModelPublisher publisher = new ModelPublisher(client(), topic, Duration.ofSeconds(30))) {
            publisher.ensureCompactedTopic(1, Optional.empty());
            for (int i = 0; i < 3; i++) {
                publisher.publish(model("fraud"));
            }
        }
        String[] kafkaArgs = {"--bootstrap-servers", kafka.bootstrapServers(), "--models-topic", topic};
        CliRunner.Run rollback = CliRunner.run(concat(new String[]{"models", "rollback", "--model-id", "fraud", "--to", "1",
                "--reason", "v2 and v3 misfire"}, kafkaArgs));
        assertEquals(0, rollback.exit(), rollback.err());
        assertTrue(rollback.out().contains("wrote 2 records for 'fraud'; served v3 -> v1"), rollback.out());

        CliRunner.Run list = CliRunner.run(concat(new String[]{"models", "list"}, kafkaArgs));
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains("model 'fraud': serving v1"), list.out());
        assertTrue(list.out().matches("(?s).*\\n  3 +retired .*v2 and v3 misfire.*"), list.out());

        CliRunner.Run restore = CliRunner.run(concat(new String[]{"models", "restore", "--model-id", "fraud", "--version", "3"},
                kafkaArgs));
        assertTrue(restore.out().contains("served v1 -> v3"), restore.out() + restore.err());
        CliRunner.Run prune = CliRunner.run(concat(new String[]{"models", "prune", "--model-id", "fraud", "--keep", "1"},
                kafkaArgs));
        assertTrue(prune.out().contains("wrote 3 records for 'fraud'; served v3 -> v3"), prune.out() + prune.err());
        try (ModelPublisher publisher = new ModelPublisher(client(), topic, Duration.ofSeconds(30))) {
            assertEquals(List.of(3L), publisher.read().versions("fraud").stream()
                    .filter(v -> v.model() != null).map(io.streamscore.common.modellog.ModelLog.Version::version).toList());
            assertEquals(4, publisher.publish(model("fraud")).model().version(), "numbers are never reused");
        }
        CliRunner.Run missing = CliRunner.run(concat(new String[]{"models", "retire", "--model-id", "fraud", "--version", "9"},
                kafkaArgs));
        assertEquals(1, missing.exit());
        assertTrue(missing.err().contains("model 'fraud' has no version 9 on the topic"), missing.err());
    }

    @Test
    void modelsCommandsChallengePromoteAndDropThroughTheTopic() throws Exception {
        String topic = "models-" + UUID.randomUUID();
        try (ModelPublisher publisher = new ModelPublisher(client(), topic, Duration.ofSeconds(30))) {
            publisher.ensureCompactedTopic(1, Optional.empty());
            publisher.publish(model("fraud"));
            publisher.publish(model("fraud"));
        }
        String[] kafkaArgs = {"--bootstrap-servers", kafka.bootstrapServers(), "--models-topic", topic};
        Path file = dir.resolve("fraud.json");
        Files.write(file, ModelJson.toBytes(model("fraud")));
        CliRunner.Run asChallenger = CliRunner.run(concat(new String[]{"publish", "--model", file.toString(),
                "--challenger"}, kafkaArgs));
        assertEquals(0, asChallenger.exit(), asChallenger.err());
        assertTrue(asChallenger.out().contains("version 3 is a challenger: shadow-scored, not served"),
                asChallenger.out());

        try (ModelPublisher publisher = new ModelPublisher(client(), topic, Duration.ofSeconds(30))) {
            assertEquals(2, publisher.read().served("fraud").version(), "published as a challenger: not served");
            assertEquals(4, publisher.publish(model("fraud")).model().version());
        }
        CliRunner.Run challenge = CliRunner.run(concat(new String[]{"models", "challenge", "--model-id", "fraud",
                "--version", "4"}, kafkaArgs));
        assertEquals(0, challenge.exit(), challenge.err());
        assertTrue(challenge.out().contains("wrote 1 record for 'fraud'; served v4 -> v2; challengers v3 -> v3, v4"),
                challenge.out());

        CliRunner.Run list = CliRunner.run(concat(new String[]{"models", "list", "--model-id", "fraud"}, kafkaArgs));
        assertEquals(0, list.exit(), list.err());
        assertTrue(list.out().contains("model 'fraud': serving v2; challengers v3, v4"), list.out());
        assertTrue(list.out().matches("(?s).*\\n  3 +challenger .*shadow-scored since .*"), list.out());
        assertTrue(list.out().matches("(?s).*\\n  2 +SERVED .*"), list.out());

        CliRunner.Run promote = CliRunner.run(concat(new String[]{"models", "promote", "--model-id", "fraud",
                "--version", "3"}, kafkaArgs));
        assertEquals(0, promote.exit(), promote.err());
        // Two records: v3's model record again (so it serves from its promotion), then the challenge's tombstone.
        assertTrue(promote.out().contains("wrote 2 records for 'fraud'; served v2 -> v3; challengers v3, v4 -> v4"),
                promote.out());

        CliRunner.Run drop = CliRunner.run(concat(new String[]{"models", "drop", "--model-id", "fraud", "--version",
                "4", "--reason", "worse recall"}, kafkaArgs));
        assertEquals(0, drop.exit(), drop.err());
        assertTrue(drop.out().contains("wrote 2 records for 'fraud'; served v3 -> v3; challengers v4 -> none"),
                drop.out());

        CliRunner.Run notAChallenger = CliRunner.run(concat(new String[]{"models", "promote", "--model-id", "fraud",
                "--version", "2"}, kafkaArgs));
        assertEquals(1, notAChallenger.exit());
        assertTrue(notAChallenger.err().contains("cannot promote fraud version 2: it is not a challenger"),
                notAChallenger.err());

        try (ModelPublisher publisher = new ModelPublisher(client(), topic, Duration.ofSeconds(30))) {
            io.streamscore.common.modellog.ModelLog log = publisher.read();
            assertEquals(3, log.served("fraud").version());
            assertEquals(List.of(), log.challengers("fraud"));
            io.streamscore.common.modellog.ModelLog.Version v4 = log.versions("fraud").get(3);
            assertEquals("worse recall", v4.retirement().reason());
            assertEquals(null, v4.challenge(), "the challenge ended");
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void trainPublishThroughTheCliAndKeepTheFileWhenTheBrokerIsDown() throws Exception {
        Path data = dir.resolve("clusters.csv");
        try (Writer w = Files.newBufferedWriter(data)) {
            SyntheticData.writeCsv(SyntheticData.overlappingClusters(200, 3), w);
        }
        String topic = "models-" + UUID.randomUUID();
        Path out = dir.resolve("m.json");
        CliRunner.Run ok = CliRunner.run("train", "--data", data.toString(), "--out", out.toString(), "--quiet",
                "--model-id", "clusters", "--publish", "--bootstrap-servers", kafka.bootstrapServers(), "--models-topic", topic);
        assertEquals(0, ok.exit(), ok.err());
        assertTrue(ok.out().contains("published model 'clusters' version 1 to topic '" + topic + "'"), ok.out());
        try (ModelPublisher publisher = new ModelPublisher(client(), topic, Duration.ofSeconds(30))) {
            assertEquals(Optional.of(1L), publisher.latestVersion("clusters"));
        }
        assertEquals("clusters", ModelJson.fromBytes(Files.readAllBytes(out)).modelId());
        assertEquals(1, ModelJson.fromBytes(Files.readAllBytes(out)).version());
        // The file written with --publish carries the version published, here the second.
        Path again = dir.resolve("again.json");
        Path report = dir.resolve("report");
        CliRunner.Run second = CliRunner.run("train", "--data", data.toString(), "--out", again.toString(), "--quiet",
                "--model-id", "clusters", "--publish", "--bootstrap-servers", kafka.bootstrapServers(), "--models-topic",
                topic, "--report", report.toString());
        assertEquals(0, second.exit(), second.err());
        assertTrue(second.out().contains("model 'clusters' version 2 written to " + again), second.out());
        assertEquals(2, ModelJson.fromBytes(Files.readAllBytes(again)).version());
        assertTrue(Files.readString(report.resolve("index.html")).contains("version 2"));
        assertTrue(!second.out().contains("other features"), "the same features: no warning\n" + second.out());

        // A version whose features differ from the served one's: published, with a warning naming the change.
        Path other = dir.resolve("other.json");
        Files.write(other, ModelJson.toBytes(new LogisticModel("clusters", 1, List.of("x1", "x3"), new double[] {1, 2}, 0,
                null, 0.5, null)));
        CliRunner.Run changed = CliRunner.run("publish", "--model", other.toString(), "--bootstrap-servers",
                kafka.bootstrapServers(), "--models-topic", topic);
        assertEquals(0, changed.exit(), changed.err());
        assertTrue(changed.out().contains("warning: version 3 of 'clusters' has other features than the served version 2:"
                + " added x3; removed x2. Once it is served, events that lack the added feature are dead-lettered"
                + " MISSING_FEATURE: update the producers first; positional events need its feature schema "), changed.out());

        // Nothing listens on this port: publishing fails after the timeout, the model file is still written.
        Path kept = dir.resolve("kept.json");
        long start = System.nanoTime();
        CliRunner.Run down = CliRunner.run("train", "--data", data.toString(), "--out", kept.toString(), "--quiet",
                "--publish", "--bootstrap-servers", "127.0.0.1:1", "--kafka-timeout", "3");
        assertEquals(1, down.exit());
        assertTrue(down.err().contains("no answer within 3 s (is the broker at 127.0.0.1:1 reachable?)"), down.err());
        assertTrue(down.err().contains("the model is saved in " + kept), down.err());
        assertTrue(Files.exists(kept));
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(60).toNanos(), "must not hang");
    }

    private static String cleanupPolicy(String topic) throws Exception {
        try (Admin admin = kafka.admin()) {
            ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config c = admin.describeConfigs(List.of(r)).all().get().get(r);
            return c.get("cleanup.policy").value();
        }
    }
}
