package io.streamscore.e2e;

import io.streamscore.common.Contributions;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.event.FeatureEvent;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.devkit.junit.SharedKafkaBroker;
import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerCli;
import io.streamscore.scorer.ScorerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The scorer started from its command line with {@code --contributions} on a real broker (exactly-once): every score
 * read back ({@code read_committed}) validates against docs/schemas/score.schema.json, carries every term of the
 * trained standardized model with intercept + Σ terms = logit, and the probability of the plain path; the dead letters
 * validate against docs/schemas/dead-letter.schema.json.
 */
@SharedKafkaBroker
@Tag("integration")
@Timeout(120)
class ContributionsIntegrationTest {
    private static final int GOOD = 300;
    private static EmbeddedKafkaBroker kafka;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void broker(EmbeddedKafkaBroker shared) {
        kafka = shared;
    }

    @Test
    void scoresCarryExactContributionsAndEveryOutputValidatesAgainstThePublishedSchemas() throws Exception {
        E2e.Topics t = E2e.Topics.create(kafka, 2, 2);
        LogisticModel model = E2e.publish(kafka, t.models(), E2e.train("clusters", 11)).model();
        assertNotNull(model.standardization(), "the trained model is standardized: terms use x̃ = (x − mean) / std");

        ScorerConfig config = fromCommandLine("--bootstrap-servers", kafka.bootstrapServers(),
                "--application-id", "contrib-" + E2e.shortId(), "--models-topic", t.models(),
                "--features-topic", t.features(), "--scores-topic", t.scores(), "--dead-letters-topic", t.deadLetters(),
                "--shadow-scores-topic", t.shadowScores(), "--http-port", "0", "--contributions", "--client-config", stateDirConfig().toString());
        assertEquals(new ScorerConfig.ContributionsMode(true, 0), config.contributions());

        Map<String, double[]> good = new HashMap<>();
        List<String> bad = List.of(
                "{\"modelId\":\"clusters\",\"features\":{",
                "{\"modelId\":\"nobody\",\"features\":{\"x1\":1,\"x2\":2}}",
                "{\"modelId\":\"clusters\",\"features\":{\"x1\":1}}",
                "{\"modelId\":\"clusters\",\"features\":[1,2]}");
        try (ScorerApp.Running scorer = new ScorerApp(config).start()) {
            assertTrue(scorer.awaitRunning(Duration.ofSeconds(60)), "scorer RUNNING; state " + scorer.state());
            E2e.waitFor("model clusters v1 served", Duration.ofSeconds(30),
                    () -> Map.of("clusters", 1L).equals(scorer.metrics().servingVersions()),
                    () -> "serving " + scorer.metrics().servingVersions());
            SplittableRandom random = new SplittableRandom(5);
            try (KafkaProducer<byte[], byte[]> producer = E2e.producer(kafka)) {
                for (int i = 0; i < GOOD; i++) {
                    String key = "k-" + i;
                    double[] x = {random.nextDouble(-3, 5), random.nextDouble(-3, 5)};
                    good.put(key, x);
                    producer.send(new ProducerRecord<>(t.features(), E2e.utf8(key), FeatureEventJson.toBytes(
                            FeatureEvent.named(key, "clusters", Map.of("x1", x[0], "x2", x[1]), null))));
                }
                for (int i = 0; i < bad.size(); i++) {
                    producer.send(new ProducerRecord<>(t.features(), E2e.utf8("bad-" + i), E2e.utf8(bad.get(i))));
                }
                producer.flush();
            }

            try (TopicReader out = new TopicReader(kafka, t.scores(), t.deadLetters())) {
                out.awaitCount(GOOD + bad.size(), Duration.ofSeconds(60));
                out.drainToEnd(Duration.ofSeconds(30));
                assertEquals(GOOD + bad.size(), out.records().size(), "one output per input");
                List<String> reasons = new ArrayList<>();
                int scores = 0;
                for (ConsumerRecord<byte[], byte[]> r : out.records()) {
                    String key = E2e.text(r.key());
                    if (r.topic().equals(t.deadLetters())) {
                        assertTrue(key.startsWith("bad-"), key + " was dead-lettered: "
                                + EndToEndIntegrationTest.header(r, "__streams.errors.message"));
                        PublishedSchemas.assertValidDeadLetter(r.headers());
                        reasons.add(EndToEndIntegrationTest.header(r, "streamscore.reason"));
                        continue;
                    }
                    scores++;
                    PublishedSchemas.assertValidScore(r.value());
                    Score s = ScoreJson.fromBytes(r.value());
                    double[] x = good.get(key);
                    assertNotNull(x, "a score for " + key);
                    if (!E2e.sameBits(model.predictProbability(x), s.probability())) {
                        fail("probability of " + key + ": " + s.probability() + ", the model gives "
                                + model.predictProbability(x));
                    }
                    Contributions c = s.contributions();
                    assertEquals(model.contributions(x), c, "contributions of " + key);
                    double sum = 0.0;
                    for (double term : c.asMap().values()) {
                        sum += term;
                    }
                    assertTrue(E2e.sameBits(c.logit(), c.intercept() + sum), "intercept + Σ contributions of " + key
                            + " = " + (c.intercept() + sum) + ", logit " + c.logit());
                }
                assertEquals(GOOD, scores);
                reasons.sort(null);
                assertEquals(List.of("FEATURE_SCHEMA_MISMATCH", "MALFORMED_JSON", "MISSING_FEATURE", "MODEL_NOT_FOUND"),
                        reasons);
            }
        }
    }

    /** The scorer's settings as its command line resolves them (flags over the file, as a user would start it). */
    private static ScorerConfig fromCommandLine(String... args) {
        AtomicReference<ScorerConfig> resolved = new AtomicReference<>();
        StringWriter err = new StringWriter();
        int code = ScorerCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(err), resolved::set)
                .execute(args);
        assertEquals(ScorerCli.EXIT_OK, code, err.toString());
        return resolved.get();
    }

    private Path stateDirConfig() throws Exception {
        Path file = stateDir.resolve("scorer.properties");
        Files.writeString(file, "state.dir=" + stateDir.resolve("state") + "\n");
        return file;
    }
}
