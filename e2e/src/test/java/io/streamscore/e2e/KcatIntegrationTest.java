package io.streamscore.e2e;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.event.FeatureEvent;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.devkit.junit.SharedKafkaBroker;
import io.streamscore.scorer.ScorerApp;
import io.streamscore.trainer.cli.TrainerCli;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A real outside client drives the product: the trainer CLI publishes, kcat (librdkafka, not the Java client) produces
 * the feature events and consumes the scores.
 */
@SharedKafkaBroker
@Tag("integration")
@Timeout(120)
class KcatIntegrationTest {
    private static final Path KCAT = Path.of("/usr/bin/kcat");
    private static final int EVENTS = 300;
    private static final int PARTITIONS = 3;
    private static EmbeddedKafkaBroker kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void broker(EmbeddedKafkaBroker shared) {
        kafka = shared;
    }

    @Test
    void kcatProducesFeaturesAndReadsScoresOfAModelPublishedByTheTrainerCli() throws Exception {
        if (!Files.isExecutable(KCAT)) {
            fail(KCAT + " not found: this test needs kcat as a real outside client. Install it with "
                    + "`apt-get install kcat` (.ci/run does this when it is missing).");
        }
        E2e.Topics t = E2e.Topics.create(kafka, PARTITIONS, 1);

        // The trainer as a user runs it: generate, then train with --publish.
        Path csv = dir.resolve("clusters.csv");
        cli("generate", "--kind", "overlapping", "--rows", "1000", "--seed", "9", "--out", csv.toString());
        cli("train", "--data", csv.toString(), "--standardize", "--model-id", "kcat-clusters", "--iterations", "500",
                "--threads", "1", "--out", dir.resolve("model.json").toString(), "--quiet",
                "--publish", "--bootstrap-servers", kafka.bootstrapServers(), "--models-topic", t.models());
        LogisticModel model;
        try (TopicReader models = new TopicReader(kafka, t.models())) {
            models.awaitCount(1, Duration.ofSeconds(30));
            model = ModelJson.fromBytes(models.records().get(0).value());
        }
        assertEquals("kcat-clusters", model.modelId());
        assertEquals(1, model.version());

        try (ScorerApp.Running scorer = new ScorerApp(E2e.scorerConfig(kafka, t, "kcat-" + E2e.shortId(),
                dir.resolve("state"), Map.of())).start()) {
            assertTrue(scorer.awaitRunning(Duration.ofSeconds(60)), "scorer RUNNING; state " + scorer.state());

            // kcat -K: splits each line at the first ':' into key and value; the keys hold no ':'.
            Map<String, Double> expected = new HashMap<>();
            StringBuilder input = new StringBuilder();
            for (int i = 0; i < EVENTS; i++) {
                double[] x = {i * 0.013 - 1, 3 - i * 0.011};
                String json = E2e.text(FeatureEventJson.toBytes(FeatureEvent.named("kc-" + i, "kcat-clusters",
                        Map.of("x1", x[0], "x2", x[1]), null)));
                input.append("key-").append(i).append(':').append(json).append('\n');
                expected.put("key-" + i, model.predictProbability(x));
            }
            Path lines = dir.resolve("features.txt");
            Files.writeString(lines, input.toString());
            Result produced = kcat(lines, "-P", "-b", kafka.bootstrapServers(), "-t", t.features(), "-K:",
                    "-X", "partitioner=murmur2_random");
            assertEquals(0, produced.exit(), "kcat -P exit; stderr: " + produced.err());

            // Keyed records land where a Java producer would put them (kcat's default partitioner is CRC32).
            try (TopicReader features = new TopicReader(kafka, t.features())) {
                features.awaitCount(EVENTS, Duration.ofSeconds(30));
                for (ConsumerRecord<byte[], byte[]> r : features.records()) {
                    int java = Utils.toPositive(Utils.murmur2(r.key())) % PARTITIONS;
                    assertEquals(java, r.partition(), "partition of key " + E2e.text(r.key()));
                }
            }
            // Wait until every score is committed, so that kcat's -e (exit at the end) sees them all.
            try (TopicReader scores = new TopicReader(kafka, t.scores())) {
                scores.awaitCount(EVENTS, Duration.ofSeconds(60));
            }
            Result consumed = kcat(null, "-C", "-b", kafka.bootstrapServers(), "-t", t.scores(), "-o", "beginning",
                    "-c", String.valueOf(EVENTS), "-e", "-q", "-X", "isolation.level=read_committed", "-f", "%k\\t%s\\n");
            assertEquals(0, consumed.exit(), "kcat -C exit; stderr: " + consumed.err());

            List<String> out = consumed.out().lines().filter(l -> !l.isEmpty()).toList();
            assertEquals(EVENTS, out.size(), "lines kcat printed; first: " + out.stream().limit(3).toList());
            Map<String, Score> byKey = new HashMap<>();
            for (String line : out) {
                int tab = line.indexOf('\t');
                assertTrue(tab > 0, "kcat line without key<TAB>value: " + line);
                Score s = ScoreJson.fromBytes(line.substring(tab + 1).getBytes(StandardCharsets.UTF_8));
                assertEquals(null, byKey.put(line.substring(0, tab), s), "second score for key " + line.substring(0, tab));
            }
            assertEquals(expected.keySet(), byKey.keySet(), "keys kcat read back");
            byKey.forEach((key, s) -> {
                assertEquals("kc-" + key.substring("key-".length()), s.eventId());
                assertEquals(1, s.modelVersion());
                assertTrue(E2e.sameBits(expected.get(key), s.probability()),
                        key + ": scorer wrote " + s.probability() + ", model predicts " + expected.get(key));
            });
            System.out.printf("kcat: produced %d features (murmur2_random, %d partitions), read %d scores back%n",
                    EVENTS, PARTITIONS, out.size());
        }
    }

    private static void cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = TrainerCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        assertEquals(0, exit, "trainer " + String.join(" ", args) + "\nstdout: " + out + "\nstderr: " + err);
    }

    private record Result(int exit, String out, String err) {
    }

    /** Runs kcat with stdin from {@code input} (or none), killing it after 60 s. */
    private Result kcat(Path input, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(KCAT.toString());
        command.addAll(List.of(args));
        Path stdout = Files.createTempFile(dir, "kcat", ".out");
        Path stderr = Files.createTempFile(dir, "kcat", ".err");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        if (input != null) {
            pb.redirectInput(input.toFile());
        } else {
            pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        }
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("kcat did not finish within 60 s: " + command + "\nstdout so far: " + Files.readString(stdout)
                    + "\nstderr: " + Files.readString(stderr));
        }
        return new Result(p.exitValue(), Files.readString(stdout), Files.readString(stderr));
    }
}
