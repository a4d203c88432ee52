package io.streamscore.e2e;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.devkit.junit.SharedKafkaBroker;
import io.streamscore.scorer.ScorerApp;
import io.streamscore.trainer.cli.TrainerCli;
import io.streamscore.trainer.kafka.ModelPublisher;
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
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Champion and challengers on a real broker, exactly-once: one champion and two challengers published by the trainer,
 * then each event yields exactly one record on the scores topic (the champion's) and exactly two on the shadow topic
 * (one per challenger), bit for bit what each model predicts; then `trainer models drop` and `promote` change that
 * for the events that follow.
 */
@SharedKafkaBroker
@Tag("integration")
@Timeout(300)
class ChampionChallengersIntegrationTest {
    private static final int EVENTS = 600;
    private static EmbeddedKafkaBroker kafka;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void broker(EmbeddedKafkaBroker shared) {
        kafka = shared;
    }

    private static byte[] event(String round, int n) {
        return E2e.utf8("{\"eventId\":\"" + round + "-" + n + "\",\"modelId\":\"clusters\",\"features\":{\"x1\":"
                + x1(n) + ",\"x2\":" + x2(n) + "}}");
    }

    private static double x1(int n) {
        return ((n * 7919) % 600) / 100.0 - 2;
    }

    private static double x2(int n) {
        return ((n * 104729) % 600) / 100.0 - 2;
    }

    private static void trainer(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = TrainerCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        assertEquals(0, exit, "trainer " + String.join(" ", args) + ": " + out + err);
    }

    /** Sends {@code EVENTS} events of {@code round} and returns the score and shadow records for them. */
    private static Map<String, List<ConsumerRecord<byte[], byte[]>>> round(E2e.Topics t, String round,
                                                                          int shadowPerEvent) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = E2e.producer(kafka)) {
            for (int n = 0; n < EVENTS; n++) {
                producer.send(new ProducerRecord<>(t.features(), E2e.utf8("k-" + n), event(round, n)));
            }
            producer.flush();
        }
        Map<String, List<ConsumerRecord<byte[], byte[]>>> out = new HashMap<>();
        try (TopicReader scores = new TopicReader(kafka, t.scores(), t.deadLetters());
             TopicReader shadow = new TopicReader(kafka, t.shadowScores())) {
            scores.awaitUntil(rs -> ofRound(rs, round).size() >= EVENTS, Duration.ofSeconds(120),
                    EVENTS + " scores of round " + round);
            // Written in the same transactions as the scores: committed with them.
            shadow.drainToEnd(Duration.ofSeconds(30));
            scores.drainToEnd(Duration.ofSeconds(30));
            out.put("scores", ofRound(scores.records(), round));
            out.put("shadow", ofRound(shadow.records(), round));
        }
        assertEquals(EVENTS, out.get("scores").size(), "exactly one score per event in round " + round);
        assertEquals((long) shadowPerEvent * EVENTS, out.get("shadow").size(), "shadow records in round " + round);
        return out;
    }

    private static List<ConsumerRecord<byte[], byte[]>> ofRound(List<ConsumerRecord<byte[], byte[]>> records,
                                                                String round) {
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            if (E2e.text(r.value()).contains("\"eventId\":\"" + round + "-")) {
                out.add(r);
            }
        }
        return out;
    }

    /** Each event scored once by each of {@code models} (version → model), with that model's probability bits. */
    private static void assertScoredOnceBy(List<ConsumerRecord<byte[], byte[]>> records, String round,
                                           Map<Long, LogisticModel> models, String topic) {
        Map<String, Integer> seen = new TreeMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            assertEquals(topic, r.topic());
            Score s = ScoreJson.fromBytes(r.value());
            LogisticModel m = models.get(s.modelVersion());
            assertTrue(m != null, "scored by v" + s.modelVersion() + ", expected one of " + models.keySet() + " on "
                    + topic);
            int n = Integer.parseInt(s.eventId().substring(round.length() + 1));
            assertEquals("k-" + n, E2e.text(r.key()), "the input's key");
            double p = m.predictProbability(Map.of("x1", x1(n), "x2", x2(n)));
            assertTrue(E2e.sameBits(p, s.probability()), s.eventId() + " v" + m.version() + ": " + s.probability()
                    + " vs " + p);
            boolean shadow = E2e.text(r.value()).endsWith(",\"role\":\"challenger\"}");
            assertEquals(topic.startsWith("shadow-"), shadow, "a role field on the shadow topic only: " + topic);
            seen.merge(s.eventId() + "@v" + s.modelVersion(), 1, Integer::sum);
        }
        assertEquals(EVENTS * models.size(), seen.size(), "distinct (event, version) pairs on " + topic);
        assertTrue(seen.values().stream().allMatch(c -> c == 1), "duplicates on " + topic);
    }

    @Test
    void oneScoreForTheChampionAndOneShadowScorePerChallengerForEveryEvent() throws Exception {
        E2e.Topics t = E2e.Topics.create(kafka, 2, 2);
        LogisticModel v1;
        LogisticModel v2;
        LogisticModel v3;
        try (ModelPublisher publisher = new ModelPublisher(E2e.client(kafka), t.models(), Duration.ofSeconds(30))) {
            publisher.ensureCompactedTopic(1, java.util.Optional.empty());
            v1 = publisher.publish(E2e.train("clusters", 1)).model();
            v2 = publisher.publish(E2e.train("clusters", 2), true).model();
            v3 = publisher.publish(E2e.train("clusters", 3), true).model();
        }
        String[] kafkaArgs = {"--bootstrap-servers", kafka.bootstrapServers(), "--models-topic", t.models()};
        try (ScorerApp.Running scorer = new ScorerApp(E2e.scorerConfig(kafka, t, "challengers-" + E2e.shortId(),
                stateDir, Map.of())).start()) {
            assertTrue(scorer.awaitRunning(Duration.ofSeconds(60)), "scorer RUNNING; state " + scorer.state());
            E2e.waitFor("v1 served, v2 and v3 challenging", Duration.ofSeconds(60),
                    () -> Long.valueOf(1).equals(scorer.metrics().servingVersions().get("clusters"))
                            && List.of(2L, 3L).equals(scorer.metrics().challengerVersions().get("clusters")),
                    () -> scorer.metrics().servingVersions() + " " + scorer.metrics().challengerVersions());

            Map<String, List<ConsumerRecord<byte[], byte[]>>> a = round(t, "a", 2);
            assertScoredOnceBy(a.get("scores"), "a", Map.of(1L, v1), t.scores());
            assertScoredOnceBy(a.get("shadow"), "a", Map.of(2L, v2, 3L, v3), t.shadowScores());

            // Drop v3: v1 still serves, v2 alone is shadowed.
            trainer(concat(new String[]{"models", "drop", "--model-id", "clusters", "--version", "3"}, kafkaArgs));
            E2e.waitFor("v3 dropped", Duration.ofSeconds(60),
                    () -> List.of(2L).equals(scorer.metrics().challengerVersions().get("clusters")),
                    () -> String.valueOf(scorer.metrics().challengerVersions()));
            Map<String, List<ConsumerRecord<byte[], byte[]>>> b = round(t, "b", 1);
            assertScoredOnceBy(b.get("scores"), "b", Map.of(1L, v1), t.scores());
            assertScoredOnceBy(b.get("shadow"), "b", Map.of(2L, v2), t.shadowScores());

            // Promote v2: it serves, nothing is shadowed.
            trainer(concat(new String[]{"models", "promote", "--model-id", "clusters", "--version", "2"}, kafkaArgs));
            E2e.waitFor("v2 promoted", Duration.ofSeconds(60),
                    () -> Long.valueOf(2).equals(scorer.metrics().servingVersions().get("clusters"))
                            && scorer.metrics().challengerVersions().isEmpty(),
                    () -> scorer.metrics().servingVersions() + " " + scorer.metrics().challengerVersions());
            Map<String, List<ConsumerRecord<byte[], byte[]>>> c = round(t, "c", 0);
            assertScoredOnceBy(c.get("scores"), "c", Map.of(2L, v2), t.scores());

            Map<io.streamscore.scorer.ScorerMetrics.ModelRole, Long> byModel = scorer.metrics().scoredByModel();
            assertEquals(2L * EVENTS, byModel.get(new io.streamscore.scorer.ScorerMetrics.ModelRole("clusters", 2,
                    io.streamscore.scorer.ScorerMetrics.Role.CHALLENGER)), "v2's shadow scores: rounds a and b");
            assertEquals((long) EVENTS, byModel.get(new io.streamscore.scorer.ScorerMetrics.ModelRole("clusters", 3,
                    io.streamscore.scorer.ScorerMetrics.Role.CHALLENGER)));
        }
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
