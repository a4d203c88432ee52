package io.streamscore.e2e;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.event.FeatureEvent;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.devkit.junit.SharedKafkaBroker;
import io.streamscore.common.modellog.ModelRejection;
import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Bad records produced raw to the model topic leave the running scorer serving the model it had. */
@SharedKafkaBroker
@Tag("integration")
@Timeout(120)
class BadModelIntegrationTest {
    private static final int EVENTS = 200;
    private static EmbeddedKafkaBroker kafka;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void broker(EmbeddedKafkaBroker shared) {
        kafka = shared;
    }

    @Test
    void badModelRecordsAreRejectedAndTheScorerKeepsServingThePreviousModel() throws Exception {
        E2e.Topics t = E2e.Topics.create(kafka, 1, 1);
        LogisticModel v1 = E2e.publish(kafka, t.models(), E2e.train("clusters", 21)).model();
        LogisticModel other = E2e.train("clusters", 22);

        try (ScorerApp.Running scorer = new ScorerApp(E2e.scorerConfig(kafka, t, "bad-" + E2e.shortId(), stateDir,
                Map.of())).start();
             TopicReader scores = new TopicReader(kafka, t.scores(), t.deadLetters())) {
            assertTrue(scorer.awaitRunning(Duration.ofSeconds(60)), "scorer RUNNING; state " + scorer.state());
            E2e.waitFor("clusters v1 served", Duration.ofSeconds(30),
                    () -> Map.of("clusters", 1L).equals(scorer.metrics().servingVersions()),
                    () -> "serving " + scorer.metrics().servingVersions());
            ScorerMetrics metrics = scorer.metrics();
            Map<ModelRejection, Long> before = rejections(metrics);

            String good = ModelJson.toCompactJson(other.withVersion(5));
            // What a hand-written or Python-written model looks like when it goes wrong, each under the key of the version
            // it claims to be, clusters@v5: a bad record can empty only its own key, never v1's.
            List<String> bad = List.of(
                    "{garbage",                                                         // MALFORMED
                    good.replaceFirst("\"weights\":\\[[^,\\]]+", "\"weights\":[NaN"),   // MALFORMED: JSON has no NaN (Python writes it)
                    good.replaceFirst("\"weights\":\\[[^,\\]]+", "\"weights\":[1e999"), // INVALID: overflows to +Infinity
                    ModelJson.toCompactJson(other.withVersion(1)),                      // KEY_MISMATCH: v1's document under v5's key
                    ModelJson.toCompactJson(other.withVersion(0)));                     // KEY_MISMATCH: v0 under v5's key
            assertTrue(bad.get(1).contains("[NaN") && bad.get(2).contains("[1e999"), "weights rewritten: " + bad.subList(1, 3));
            try (KafkaProducer<byte[], byte[]> producer = E2e.producer(kafka)) {
                for (String json : bad) {
                    producer.send(new ProducerRecord<>(t.models(), E2e.utf8("clusters@v5"), E2e.utf8(json)))
                            .get(30, TimeUnit.SECONDS);
                }
            }
            Map<ModelRejection, Long> expectedGrowth = Map.of(ModelRejection.MALFORMED, 2L, ModelRejection.INVALID, 1L,
                    ModelRejection.KEY_MISMATCH, 2L);
            E2e.waitFor("every bad model record rejected " + expectedGrowth, Duration.ofSeconds(30),
                    () -> growth(before, rejections(metrics)).equals(expectedGrowth),
                    () -> "rejections grew by " + growth(before, rejections(metrics)));
            assertEquals(Map.of("clusters", 1L), metrics.servingVersions(), "served after the bad records");
            assertEquals("RUNNING", scorer.state().name(), "scorer state after the bad records");

            // Events still get scored, by v1, exactly as v1 predicts.
            Map<String, double[]> features = new HashMap<>();
            try (KafkaProducer<byte[], byte[]> producer = E2e.producer(kafka)) {
                for (int i = 0; i < EVENTS; i++) {
                    double[] x = {i * 0.02 - 1, 2 - i * 0.015};
                    features.put("b-" + i, x);
                    producer.send(new ProducerRecord<>(t.features(), E2e.utf8("k-" + i),
                            FeatureEventJson.toBytes(FeatureEvent.positional("b-" + i, "clusters", v1.featureSchema(), x, null))));
                }
            }
            scores.awaitCount(EVENTS, Duration.ofSeconds(60));
            scores.drainToEnd(Duration.ofSeconds(30));
            assertEquals(EVENTS, scores.records().size(), "outputs for " + EVENTS + " events");
            for (ConsumerRecord<byte[], byte[]> r : scores.records()) {
                if (!r.topic().equals(t.scores())) {
                    fail("dead letter for " + E2e.text(r.key()) + ": " + EndToEndIntegrationTest.header(r, "streamscore.reason"));
                }
                Score s = ScoreJson.fromBytes(r.value());
                assertEquals(1, s.modelVersion(), "version that scored " + s.eventId());
                assertTrue(E2e.sameBits(v1.predictProbability(features.get(s.eventId())), s.probability()),
                        s.eventId() + " scored " + s.probability() + ", v1 predicts "
                                + v1.predictProbability(features.get(s.eventId())));
            }
            assertEquals("RUNNING", scorer.state().name(), "scorer state at the end");

            // The gate still takes a good model after the bad ones. Version 5 is taken (its key exists, holding no
            // valid model), so the publisher goes on from there: 5 → 6.
            LogisticModel v2 = E2e.publish(kafka, t.models(), other).model();
            assertEquals(6, v2.version(), "the version after the taken v5");
            E2e.waitFor("v" + v2.version() + " served after the bad records", Duration.ofSeconds(30),
                    () -> Map.of("clusters", v2.version()).equals(metrics.servingVersions()),
                    () -> "serving " + metrics.servingVersions());
            System.out.printf("bad models: rejections grew by %s; served clusters v1 for %d events; then v%d applied%n",
                    growth(before, rejections(metrics)), EVENTS, v2.version());
        }
    }

    private static Map<ModelRejection, Long> rejections(ScorerMetrics m) {
        Map<ModelRejection, Long> r = new EnumMap<>(ModelRejection.class);
        for (ModelRejection reason : ModelRejection.values()) {
            r.put(reason, m.modelsRejectedCount(reason));
        }
        return r;
    }

    /** The counters that grew, and by how much. */
    private static Map<ModelRejection, Long> growth(Map<ModelRejection, Long> before, Map<ModelRejection, Long> after) {
        Map<ModelRejection, Long> g = new EnumMap<>(ModelRejection.class);
        after.forEach((reason, n) -> {
            if (n - before.get(reason) != 0) {
                g.put(reason, n - before.get(reason));
            }
        });
        return g;
    }
}
