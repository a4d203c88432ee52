package io.streamscore.e2e;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.drift.DriftBaseline;
import io.streamscore.common.drift.DriftJson;
import io.streamscore.common.drift.DriftWindow;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.scorer.PrometheusFormat;
import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerConfig;
import io.streamscore.scorer.drift.DriftConfig;
import io.streamscore.scorer.drift.DriftMetrics;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.optim.LogisticRegressionTrainer;
import io.streamscore.trainer.optim.ProgressListener;
import io.streamscore.trainer.optim.TrainingOptions;
import io.streamscore.trainer.synthetic.SyntheticData;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drift on a real broker, exactly-once, 2 feature partitions, one 1h window. Two model ids trained from scratch on
 * 20,000 rows each of the overlapping-clusters distribution (so each carries its baseline): "stable" gets 50,000 events
 * drawn from the same distribution (another seed), "shifted" 5,000 events whose x1 mean moved by +1 (one standard
 * deviation). The drift record of each (highest revision, all events counted) equals the PSIs computed offline from the
 * model's bins and the events sent, to 1e-9; the stable one's are all below 0.02, the shifted one alerts on x1.
 */
@Tag("integration")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DriftIntegrationTest {
    static final int TRAINING_ROWS_PER_CLASS = 10_000;
    static final int STABLE_EVENTS = 50_000;
    static final int SHIFTED_EVENTS = 5_000;
    static final long HOUR = 3_600_000L;
    private static EmbeddedKafkaBroker kafka;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    private static LogisticModel train(String modelId, long seed) {
        Dataset data = SyntheticData.overlappingClusters(TRAINING_ROWS_PER_CLASS, seed);
        TrainingOptions options = TrainingOptions.defaults().withStandardize(true).withSeed(seed).withThreads(1)
                .withIterations(300);
        return new LogisticRegressionTrainer(options, Clock.systemUTC(), ProgressListener.NONE)
                .train(data, null, modelId).model();
    }

    @Test
    void theDriftTopicHoldsTheOfflinePsiAndOnlyTheShiftedModelAlerts() throws Exception {
        E2e.Topics t = E2e.Topics.create(kafka, 2, 2);
        String driftTopic = "drift-" + E2e.shortId();
        kafka.createTopic(driftTopic, 1, Map.of("cleanup.policy", "compact"));
        LogisticModel stable = E2e.publish(kafka, t.models(), train("stable", 11)).model();
        LogisticModel shifted = E2e.publish(kafka, t.models(), train("shifted", 12)).model();
        DriftBaseline stableBaseline = stable.driftBaseline();
        DriftBaseline shiftedBaseline = shifted.driftBaseline();
        assertTrue(stableBaseline != null && shiftedBaseline != null, "trained models carry a baseline");

        long now = System.currentTimeMillis();
        long start = now - 3 * HOUR - Math.floorMod(now, HOUR); // one whole past hour holds every event
        Dataset stableEvents = SyntheticData.overlappingClusters(STABLE_EVENTS / 2, 21);
        Dataset shiftedEvents = SyntheticData.overlappingClusters(SHIFTED_EVENTS / 2, 22);
        long[] stableCounts = new long[stableBaseline.slots()];
        long[] shiftedCounts = new long[shiftedBaseline.slots()];

        ScorerConfig config = E2e.scorerConfig(kafka, t, "drift-" + E2e.shortId(), stateDir, Map.of(
                DriftConfig.WINDOWS, "1h", DriftConfig.TOPIC, driftTopic, DriftConfig.GRACE, "1m"));
        assertEquals(ScorerConfig.EXACTLY_ONCE_V2, config.processingGuarantee());
        try (ScorerApp.Running scorer = new ScorerApp(config).start()) {
            assertTrue(scorer.awaitRunning(Duration.ofSeconds(60)), "scorer RUNNING; state " + scorer.state());
            E2e.waitFor("both models served", Duration.ofSeconds(30),
                    () -> Map.of("stable", 1L, "shifted", 1L).equals(scorer.metrics().servingVersions()),
                    () -> "serving " + scorer.metrics().servingVersions());
            DriftMetrics m = scorer.metrics().drift();
            long sendStarted = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = E2e.producer(kafka)) {
                int total = STABLE_EVENTS + SHIFTED_EVENTS;
                for (int i = 0, s = 0, d = 0; i < total; i++) {
                    long at = start + (long) i * (HOUR - 1) / total;
                    boolean isShifted = i % 11 == 10 && d < SHIFTED_EVENTS;
                    double x1;
                    double x2;
                    String id;
                    if (isShifted) {
                        x1 = shiftedEvents.value(d, 0) + 1.0;
                        x2 = shiftedEvents.value(d, 1);
                        d++;
                        id = "shifted";
                        double[] x = {x1, x2};
                        shiftedBaseline.count(x, shifted.predictProbability(x), shiftedCounts);
                    } else {
                        x1 = stableEvents.value(s, 0);
                        x2 = stableEvents.value(s, 1);
                        s++;
                        id = "stable";
                        double[] x = {x1, x2};
                        stableBaseline.count(x, stable.predictProbability(x), stableCounts);
                    }
                    producer.send(new ProducerRecord<>(t.features(), null, at, E2e.utf8("k-" + i), event(id, x1, x2)));
                }
                producer.flush();
                // One event per partition and model past the window's end + grace (not past its retention): the drift
                // clock closes the window.
                for (int p = 0; p < 2; p++) {
                    for (String id : List.of("stable", "shifted")) {
                        producer.send(new ProducerRecord<>(t.features(), p, start + HOUR + 2 * 60_000, E2e.utf8("flush"),
                                event(id, 0, 0)));
                    }
                }
                producer.flush();
            }
            long counted = STABLE_EVENTS + SHIFTED_EVENTS + 4;
            E2e.waitFor("every score counted", Duration.ofSeconds(180),
                    () -> m.eventCount("1h", DriftMetrics.EventReason.COUNTED) == counted,
                    () -> m.eventCount("1h", DriftMetrics.EventReason.COUNTED) + " of " + counted);
            long processedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sendStarted);

            String window = "@1h@" + java.time.Instant.ofEpochMilli(start);
            Map<String, DriftWindow> highest = awaitDrift(driftTopic, Map.of("stable@v1" + window, (long) STABLE_EVENTS,
                    "shifted@v1" + window, (long) SHIFTED_EVENTS), Duration.ofSeconds(60));
            DriftWindow stableWindow = highest.get("stable@v1" + window);
            DriftWindow shiftedWindow = highest.get("shifted@v1" + window);
            assertMatchesOffline(stableWindow, stableBaseline, stableCounts);
            assertMatchesOffline(shiftedWindow, shiftedBaseline, shiftedCounts);

            // (b) no shift: every PSI small.
            for (Map.Entry<String, Double> e : stableWindow.featurePsi().entrySet()) {
                assertTrue(e.getValue() < 0.02, "stable " + e.getKey() + " PSI " + e.getValue());
            }
            assertTrue(stableWindow.scorePsi() < 0.02, "stable score PSI " + stableWindow.scorePsi());
            assertEquals(List.of(), stableWindow.alerts());
            // (a) the shifted feature alerts; x2 did not move.
            assertTrue(shiftedWindow.alerts().contains("x1"), shiftedWindow.alerts().toString());
            assertTrue(shiftedWindow.featurePsi().get("x2") < 0.05, "x2 " + shiftedWindow.featurePsi());
            assertTrue(m.alerts().get(new DriftMetrics.AlertKey("shifted", 1, "x1")) == 1L, m.alerts().toString());
            String text = PrometheusFormat.render(scorer.metrics(), null);
            assertTrue(text.contains("streamscore_model_feature_psi{model_id=\"shifted\",version=\"1\",window=\"1h\","
                    + "feature=\"x1\"} " + shiftedWindow.featurePsi().get("x1")), text);
            System.out.printf("drift e2e: %d events through the scorer in %d ms; stable PSI x1 %.5f x2 %.5f score %.5f; "
                            + "shifted PSI x1 %.4f x2 %.5f score %.4f%n", counted, processedMs,
                    stableWindow.featurePsi().get("x1"), stableWindow.featurePsi().get("x2"), stableWindow.scorePsi(),
                    shiftedWindow.featurePsi().get("x1"), shiftedWindow.featurePsi().get("x2"), shiftedWindow.scorePsi());
        }
    }

    private static byte[] event(String modelId, double x1, double x2) {
        return E2e.utf8("{\"modelId\":\"" + modelId + "\",\"features\":{\"x1\":" + x1 + ",\"x2\":" + x2 + "}}");
    }

    private static void assertMatchesOffline(DriftWindow w, DriftBaseline b, long[] counts) {
        assertEquals(counts[counts.length - 1], w.count(), w.key());
        double[] psi = b.psi(counts);
        for (int i = 0; i < b.featureNames().size(); i++) {
            String name = b.featureNames().get(i);
            assertEquals(psi[i], w.featurePsi().get(name), 1e-9, w.key() + " " + name);
            assertTrue(java.util.Arrays.equals(java.util.Arrays.copyOfRange(counts, b.offset(i),
                    b.offset(i) + b.feature(i).count()), w.featureBins().get(name).observed()), w.key() + " " + name);
        }
        assertEquals(psi[psi.length - 1], w.scorePsi(), 1e-9, w.key() + " score");
    }

    /** Reads the drift topic until each key's highest revision counts the expected events; validated. */
    private static Map<String, DriftWindow> awaitDrift(String topic, Map<String, Long> expected, Duration timeout) {
        Map<String, DriftWindow> highest = new HashMap<>();
        try (TopicReader r = new TopicReader(kafka, topic)) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!expected.entrySet().stream().allMatch(e -> highest.containsKey(e.getKey())
                    && highest.get(e.getKey()).count() == e.getValue())) {
                if (System.nanoTime() > deadline) {
                    org.junit.jupiter.api.Assertions.fail("drift topic incomplete after " + timeout.toSeconds() + " s: "
                            + highest.values().stream().map(w -> w.key() + " r" + w.revision() + " n" + w.count()).toList()
                            + ", expected " + expected);
                }
                for (ConsumerRecord<byte[], byte[]> c : r.pollOnce(Duration.ofMillis(200))) {
                    PublishedSchemas.assertValidDrift(c.value());
                    DriftWindow w = DriftJson.fromBytes(c.value());
                    assertEquals(w.key(), E2e.text(c.key()));
                    DriftWindow before = highest.get(w.key());
                    assertTrue(before == null || w.revision() == before.revision() + 1, "revisions in order: " + w.key());
                    highest.put(w.key(), w);
                }
            }
        }
        return highest;
    }
}
