package io.streamscore.e2e;

import io.streamscore.common.FeatureSchema;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.event.FeatureEvent;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.common.event.ReasonCode;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.devkit.junit.SharedKafkaBroker;
import io.streamscore.scorer.ScorerApp;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
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
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Train → publish → scorer → N events in → exactly N records out, each score equal to the model's own prediction. */
@SharedKafkaBroker
@Tag("integration")
@Timeout(120)
class EndToEndIntegrationTest {
    private static final int EVENTS = 1_000;
    private static EmbeddedKafkaBroker kafka;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void broker(EmbeddedKafkaBroker shared) {
        kafka = shared;
    }

    /** A bad input, what it looks like on the wire, and the reason the scorer must give. */
    private record Bad(String json, ReasonCode reason) {
    }

    /** The feature schema of the clusters model (features x1, x2), as a producer of positional events computes it. */
    private static final String CLUSTERS_SCHEMA = FeatureSchema.fingerprint(List.of("x1", "x2"));

    private static final List<Bad> BAD = List.of(
            new Bad("{\"modelId\":\"clusters\",\"features\":{", ReasonCode.MALFORMED_JSON),
            new Bad(null, ReasonCode.NULL_VALUE),
            new Bad("{\"features\":{\"x1\":1,\"x2\":2}}", ReasonCode.MISSING_MODEL_ID),
            new Bad("{\"modelId\":\"nobody\",\"features\":{\"x1\":1,\"x2\":2}}", ReasonCode.MODEL_NOT_FOUND),
            new Bad("{\"modelId\":\"clusters\",\"features\":{\"x1\":1}}", ReasonCode.MISSING_FEATURE),
            new Bad("{\"modelId\":\"clusters\",\"features\":{\"x1\":NaN,\"x2\":1}}", ReasonCode.NON_FINITE_FEATURE),
            new Bad("{\"modelId\":\"clusters\",\"featureSchema\":\"" + CLUSTERS_SCHEMA + "\",\"features\":[1,2,3]}",
                    ReasonCode.WRONG_FEATURE_COUNT),
            new Bad("{\"modelId\":\"clusters\",\"features\":[1,2]}", ReasonCode.FEATURE_SCHEMA_MISMATCH),
            new Bad("{\"modelId\":\"clusters\",\"features\":{\"x1\":\"a\",\"x2\":2}}", ReasonCode.WRONG_TYPE),
            new Bad("{\"modelId\":\"clusters\",\"features\":{\"x1\":1,\"x2\":2},\"label\":7}", ReasonCode.INVALID_LABEL),
            new Bad("{\"schemaVersion\":2,\"modelId\":\"clusters\",\"features\":[1,2]}", ReasonCode.UNSUPPORTED_SCHEMA_VERSION));

    @Test
    void everyEventYieldsExactlyOneScoreOrDeadLetterAndScoresEqualTheModelsPrediction() throws Exception {
        E2e.Topics t = E2e.Topics.create(kafka, 2, 2);
        LogisticModel model = E2e.publish(kafka, t.models(), E2e.train("clusters", 7)).model();
        assertEquals(1, model.version());
        assertEquals(CLUSTERS_SCHEMA, model.featureSchema(), "the producers' precomputed feature schema");
        assertEquals("compact", E2e.cleanupPolicy(kafka, t.models()), "model topic cleanup.policy");

        try (ScorerApp.Running scorer = new ScorerApp(E2e.scorerConfig(kafka, t, "e2e-" + E2e.shortId(), stateDir,
                Map.of())).start()) {
            assertTrue(scorer.awaitRunning(Duration.ofSeconds(60)), "scorer RUNNING; state " + scorer.state());
            E2e.waitFor("model clusters v1 served", Duration.ofSeconds(30),
                    () -> Map.of("clusters", 1L).equals(scorer.metrics().servingVersions()),
                    () -> "serving " + scorer.metrics().servingVersions());

            // Every 10th event is bad (cycling through every reason); the rest alternate named and positional.
            Map<String, Double> expectedProbability = new HashMap<>();
            Map<String, Bad> expectedBad = new HashMap<>();
            Map<String, byte[]> inputValue = new HashMap<>();
            Map<String, Long> inputTimestamp = new HashMap<>();
            SplittableRandom random = new SplittableRandom(11);
            long t0 = System.currentTimeMillis();
            try (KafkaProducer<byte[], byte[]> producer = E2e.producer(kafka)) {
                for (int i = 0; i < EVENTS; i++) {
                    String key = "k-" + i;
                    byte[] value;
                    if (i % 10 == 9) {
                        Bad bad = BAD.get((i / 10) % BAD.size());
                        value = E2e.utf8(bad.json());
                        expectedBad.put(key, bad);
                    } else {
                        double x1 = random.nextDouble(-2, 4);
                        double x2 = random.nextDouble(-2, 4);
                        FeatureEvent event = i % 2 == 0
                                ? FeatureEvent.named(key, "clusters", Map.of("x1", x1, "x2", x2), null)
                                : FeatureEvent.positional(key, "clusters", CLUSTERS_SCHEMA, new double[] {x1, x2}, null);
                        value = FeatureEventJson.toBytes(event);
                        expectedProbability.put(key, model.predictProbability(new double[] {x1, x2}));
                    }
                    inputValue.put(key, value);
                    inputTimestamp.put(key, t0 + i);
                    producer.send(new ProducerRecord<>(t.features(), null, t0 + i, E2e.utf8(key), value));
                }
                producer.flush();
            }

            try (TopicReader out = new TopicReader(kafka, t.scores(), t.deadLetters())) {
                out.awaitCount(EVENTS, Duration.ofSeconds(60));
                out.drainToEnd(Duration.ofSeconds(30));
                int scores = (int) out.records().stream().filter(r -> r.topic().equals(t.scores())).count();
                System.out.printf("e2e: %d events in -> %d scores + %d dead letters (read_committed)%n", EVENTS, scores,
                        out.records().size() - scores);
                assertEquals(EVENTS, out.records().size(), "records on scores + dead letters for " + EVENTS + " inputs");

                Map<String, ConsumerRecord<byte[], byte[]>> byKey = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : out.records()) {
                    ConsumerRecord<byte[], byte[]> before = byKey.put(E2e.text(r.key()), r);
                    assertEquals(null, before, "a second output for key " + E2e.text(r.key()));
                }
                Map<ReasonCode, Integer> reasons = new EnumMap<>(ReasonCode.class);
                for (Map.Entry<String, ConsumerRecord<byte[], byte[]>> e : byKey.entrySet()) {
                    String key = e.getKey();
                    ConsumerRecord<byte[], byte[]> r = e.getValue();
                    assertEquals(inputTimestamp.get(key), r.timestamp(), "output timestamp of " + key);
                    if (expectedBad.containsKey(key)) {
                        assertEquals(t.deadLetters(), r.topic(), key + " (" + expectedBad.get(key).reason() + ") went to");
                        assertEquals(expectedBad.get(key).reason().name(), header(r, "streamscore.reason"), "reason of " + key);
                        assertEquals(t.features(), header(r, "__streams.errors.topic"), "source topic header of " + key);
                        assertNotNull(header(r, "__streams.errors.offset"), "source offset header of " + key);
                        assertArrayEquals(inputValue.get(key), r.value(), "dead letter value of " + key + " is the input");
                        reasons.merge(expectedBad.get(key).reason(), 1, Integer::sum);
                    } else {
                        assertEquals(t.scores(), r.topic(), key + " (good) went to; dead-letter reason "
                                + header(r, "streamscore.reason"));
                        Score s = ScoreJson.fromBytes(r.value());
                        assertEquals(key, s.eventId());
                        assertEquals("clusters", s.modelId());
                        assertEquals(1, s.modelVersion());
                        double want = expectedProbability.get(key);
                        if (!E2e.sameBits(want, s.probability())) {
                            fail("probability of " + key + ": model.predictProbability gives " + want + " ("
                                    + Long.toHexString(Double.doubleToRawLongBits(want)) + "), scorer wrote "
                                    + s.probability() + " (" + Long.toHexString(Double.doubleToRawLongBits(s.probability())) + ")");
                        }
                        assertEquals(model.label(want), s.label(), "label of " + key);
                        assertEquals(inputTimestamp.get(key), s.eventTimestamp(), "eventTimestamp of " + key);
                    }
                }
                assertEquals(expectedProbability.size(), scores, "scores");
                assertEquals(BAD.size(), reasons.size(), "every bad kind was dead-lettered: " + reasons);
            }
            assertEquals("RUNNING", scorer.state().name(), "scorer state after the run");
        }
    }

    static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : E2e.text(h.value());
    }
}
