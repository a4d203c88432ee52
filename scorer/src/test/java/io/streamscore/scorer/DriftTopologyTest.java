package io.streamscore.scorer;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.drift.Bins;
import io.streamscore.common.drift.DriftBaseline;
import io.streamscore.common.drift.DriftJson;
import io.streamscore.common.drift.DriftWindow;
import io.streamscore.common.modellog.ModelLogKey;
import io.streamscore.common.outcome.QualityWindow;
import io.streamscore.scorer.drift.DriftConfig;
import io.streamscore.scorer.drift.DriftMetrics;
import io.streamscore.scorer.drift.DriftMetrics.EventReason;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drift on the TopologyTestDriver: windows 15m and 1h, grace 1m, threshold 0.2. Every record's counts and PSIs against
 * the same events counted offline with the model's baseline; revisions for late events; alerts; a model version
 * without a baseline; the gauges; and the plain topology untouched with drift off.
 */
class DriftTopologyTest {
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final long MIN = 60_000;

    @TempDir
    Path stateDir;

    private ScorerMetrics metrics;
    private TopologyTestDriver driver;
    private TestInputTopic<String, String> models;
    private TestInputTopic<byte[], byte[]> features;
    private TestOutputTopic<byte[], byte[]> scores;
    private TestOutputTopic<byte[], byte[]> drift;
    /** The events sent, by model version: (timestamp, amount, age, night). */
    private final List<double[]> sent = new ArrayList<>();

    /** amount in [0, 3) mostly, age 20..60, night 0/1: the baseline below is close to what {@link #event} draws. */
    static final DriftBaseline BASELINE = new DriftBaseline(10, linked(
            "amount", new Bins(new double[]{0.75, 1.5, 2.25}, new double[]{0.25, 0.25, 0.25, 0.25}),
            "age", new Bins(new double[]{30, 50}, new double[]{0.25, 0.5, 0.25}),
            "night", new Bins(new double[]{1}, new double[]{0.5, 0.5})),
            new Bins(new double[]{0.25, 0.5, 0.75}, new double[]{0.25, 0.25, 0.25, 0.25}));
    static final LogisticModel MODEL = new LogisticModel("fraud", 3, List.of("amount", "age", "night"),
            new double[]{0.9, -0.03, 0.37}, 0.1, null, 0.5, null, BASELINE);
    static final LogisticModel OLD = new LogisticModel("old", 1, List.of("amount", "age", "night"),
            new double[]{0.9, -0.03, 0.37}, 0.1, null, 0.5, null);

    private static Map<String, Bins> linked(String a, Bins ba, String b, Bins bb, String c, Bins bc) {
        Map<String, Bins> m = new LinkedHashMap<>();
        m.put(a, ba);
        m.put(b, bb);
        m.put(c, bc);
        return m;
    }

    static ScorerConfig config() {
        return ScorerConfig.resolve(Map.of(), Map.of(ScorerConfig.BOOTSTRAP_SERVERS, "dummy:9092",
                DriftConfig.WINDOWS, "15m,1h", DriftConfig.GRACE, "1m", DriftConfig.THRESHOLD, "0.2"));
    }

    @BeforeEach
    void start() {
        ScorerConfig c = config();
        metrics = new ScorerMetrics();
        Properties p = c.toStreamsProperties(metrics);
        p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(ScorerTopology.build(c, metrics), p, Instant.parse("2026-11-23T12:00:00Z"));
        models = driver.createInputTopic(c.modelsTopic(), new StringSerializer(), new StringSerializer(),
                T0.minusSeconds(3600), Duration.ZERO);
        models.pipeInput(ModelLogKey.version("fraud", 3).toString(), ModelJson.toCompactJson(MODEL));
        models.pipeInput(ModelLogKey.version("old", 1).toString(), ModelJson.toCompactJson(OLD));
        features = driver.createInputTopic(c.featuresTopic(), new ByteArraySerializer(), new ByteArraySerializer());
        scores = driver.createOutputTopic(c.scoresTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        drift = driver.createOutputTopic("model-drift", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static long t(double minutes) {
        return T0.toEpochMilli() + (long) (minutes * MIN);
    }

    private void event(String modelId, long at, double amount, double age, double night) {
        features.pipeInput(new TestRecord<>(("k" + sent.size()).getBytes(StandardCharsets.UTF_8), ("{\"modelId\":\""
                + modelId + "\",\"features\":{\"amount\":" + amount + ",\"age\":" + age + ",\"night\":" + night
                + "}}").getBytes(StandardCharsets.UTF_8), Instant.ofEpochMilli(at)));
        if (modelId.equals("fraud")) {
            sent.add(new double[]{at, amount, age, night});
        }
    }

    private void randomEvent(SplittableRandom rnd, long at, double amountShift) {
        event("fraud", at, rnd.nextDouble(0, 3) + amountShift, rnd.nextInt(20, 61), rnd.nextInt(2));
    }

    /** Two seconds of wall clock: the counts' totals are forwarded, then the drift task writes what closed. */
    private void tick() {
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        driver.advanceWallClockTime(Duration.ofSeconds(1));
    }

    /** The drift records written so far, each validated and checked against its key; in order. */
    private List<DriftWindow> written() {
        List<DriftWindow> out = new ArrayList<>();
        for (TestRecord<byte[], byte[]> r : drift.readRecordsToList()) {
            PublishedSchemas.assertValidDrift(r.value());
            DriftWindow w = DriftJson.fromBytes(r.value());
            assertEquals(w.key(), new String(r.key(), StandardCharsets.UTF_8));
            assertEquals(w.windowEndMs(), r.timestamp(), "a drift record's timestamp is its window's end");
            out.add(w);
        }
        return out;
    }

    /** The counts of the events sent for fraud v3 in [start, start + size), counted offline with the baseline. */
    private long[] offline(long start, long sizeMs) {
        long[] counts = new long[BASELINE.slots()];
        for (double[] e : sent) {
            long at = (long) e[0];
            if (QualityWindow.windowStart(at, sizeMs) == start) {
                double[] x = {e[1], e[2], e[3]};
                BASELINE.count(x, MODEL.predictProbability(x), counts);
            }
        }
        return counts;
    }

    /** Holds a record to the offline counts and PSIs of its window, bit for bit. */
    private void assertMatchesOffline(DriftWindow w) {
        long[] counts = offline(w.windowStartMs(), w.windowSizeMs());
        assertEquals(counts[counts.length - 1], w.count(), w.key() + " count");
        double[] psi = BASELINE.psi(counts);
        List<String> names = BASELINE.featureNames();
        for (int i = 0; i < names.size(); i++) {
            assertEquals(psi[i], w.featurePsi().get(names.get(i)), 0.0, w.key() + " " + names.get(i));
            assertArrayEquals(java.util.Arrays.copyOfRange(counts, BASELINE.offset(i), BASELINE.offset(i)
                    + BASELINE.feature(i).count()), w.featureBins().get(names.get(i)).observed(), w.key());
            assertArrayEquals(BASELINE.feature(i).proportions(), w.featureBins().get(names.get(i)).expected(), 0.0);
        }
        assertEquals(psi[names.size()], w.scorePsi(), 0.0, w.key() + " score");
        List<String> alerts = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            if (psi[i] >= 0.2) {
                alerts.add(names.get(i));
            }
        }
        if (psi[names.size()] >= 0.2) {
            alerts.add("score");
        }
        assertEquals(alerts, w.alerts(), w.key());
        assertEquals(0.2, w.threshold());
    }

    @Test
    void aClosedWindowIsWrittenOnceWithTheOfflineFiguresAndLateEventsWriteRevisions() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 60; i++) {
            randomEvent(rnd, t(i * 0.25), 0); // 0 .. 14.75 min
        }
        tick();
        assertEquals(List.of(), written(), "nothing closed yet: the clock is at 14.75 min");
        randomEvent(rnd, t(16.5), 0); // the clock passes 15m + 1m grace
        tick();
        List<DriftWindow> first = written();
        assertEquals(1, first.size(), first.toString());
        DriftWindow w = first.get(0);
        assertEquals("fraud@v3@15m@2026-11-23T10:00:00Z", w.key());
        assertEquals(1, w.revision());
        assertEquals(60, w.count());
        assertMatchesOffline(w);
        tick();
        assertEquals(List.of(), written(), "an unchanged window is not written again");

        randomEvent(rnd, t(3), 0); // late, within the window's retention (end + grace + 15m)
        randomEvent(rnd, t(4), 0);
        tick();
        List<DriftWindow> second = written();
        assertEquals(1, second.size(), "two late events, one revision");
        assertEquals(2, second.get(0).revision());
        assertEquals(62, second.get(0).count());
        assertMatchesOffline(second.get(0));

        // Far ahead: every window is closed and dropped; the 1h one is written (revision 1) on its way out, and an
        // event for a dropped window is TOO_LATE.
        randomEvent(rnd, t(300), 0);
        tick();
        Map<String, DriftWindow> byKey = new TreeMap<>();
        written().forEach(x -> byKey.put(x.key(), x));
        assertTrue(byKey.containsKey("fraud@v3@1h@2026-11-23T10:00:00Z"), byKey.keySet().toString());
        assertEquals(63, byKey.get("fraud@v3@1h@2026-11-23T10:00:00Z").count());
        assertTrue(byKey.containsKey("fraud@v3@15m@2026-11-23T10:15:00Z"), byKey.keySet().toString());
        byKey.values().forEach(this::assertMatchesOffline);
        long before = metrics.drift().eventCount("15m", EventReason.TOO_LATE);
        event("fraud", t(5), 1, 40, 0);
        sent.remove(sent.size() - 1); // not counted anywhere
        assertEquals(before + 1, metrics.drift().eventCount("15m", EventReason.TOO_LATE));
        assertEquals(64, metrics.drift().eventCount("15m", EventReason.COUNTED));
        tick();
        assertEquals(List.of(), written(), "a too-late event changes no window");
    }

    @Test
    void aShiftedFeatureAlertsOncePerWindowAndShowsInTheGauges() {
        SplittableRandom rnd = new SplittableRandom(9);
        for (int i = 0; i < 80; i++) {
            randomEvent(rnd, t(i * 0.1), 2.0); // amount moved up by 2: most values above the top edge
        }
        randomEvent(rnd, t(17), 2.0);
        tick();
        List<DriftWindow> ws = written();
        assertEquals(1, ws.size());
        DriftWindow w = ws.get(0);
        assertMatchesOffline(w);
        assertTrue(w.featurePsi().get("amount") > 1, "amount PSI " + w.featurePsi());
        assertTrue(w.alerts().contains("amount"), w.alerts().toString());
        assertFalse(w.alerts().contains("night"), w.alerts().toString());
        // A revision that still alerts does not count the alert again.
        randomEvent(rnd, t(1), 2.0);
        tick();
        assertEquals(2, written().get(0).revision());
        assertEquals(1L, metrics.drift().alerts().get(new DriftMetrics.AlertKey("fraud", 3, "amount")));

        String text = PrometheusFormat.render(metrics, null);
        assertTrue(text.contains("streamscore_model_feature_psi{model_id=\"fraud\",version=\"3\",window=\"15m\","
                + "feature=\"amount\"} "), text);
        assertTrue(text.contains("streamscore_model_score_psi{model_id=\"fraud\",version=\"3\",window=\"15m\"} "), text);
        assertTrue(text.contains("streamscore_drift_alerts_total{model_id=\"fraud\",version=\"3\",feature=\"amount\"} 1\n"),
                text);
        assertTrue(text.contains("streamscore_drift_events_total{window=\"15m\",reason=\"COUNTED\"} 82\n"), text);
        assertEquals(2, metrics.drift().recordsCount());
    }

    @Test
    void aModelVersionWithoutABaselineIsCountedAndGetsNoRecord() {
        SplittableRandom rnd = new SplittableRandom(1);
        for (int i = 0; i < 10; i++) {
            event("old", t(i), rnd.nextDouble(), 30, 0);
        }
        event("old", t(30), 1, 30, 0);
        randomEvent(rnd, t(30), 0); // fraud v3 moves nothing of "old" but is counted itself
        tick();
        assertEquals(12, scores.readRecordsToList().size(), "scoring is unchanged");
        assertEquals(11, metrics.drift().eventCount("15m", EventReason.NO_BASELINE));
        assertEquals(11, metrics.drift().eventCount("1h", EventReason.NO_BASELINE));
        assertEquals(1, metrics.drift().eventCount("15m", EventReason.COUNTED));
        assertTrue(written().stream().noneMatch(w -> w.modelId().equals("old")));
        String text = PrometheusFormat.render(metrics, null);
        assertTrue(text.contains("streamscore_drift_events_total{window=\"1h\",reason=\"NO_BASELINE\"} 11\n"), text);
    }

    @Test
    void withDriftOffTheTopologyIsThePlainOneAndWithItTheCountSharesTheScorersTask() {
        ScorerConfig off = ScorerConfig.resolve(Map.of(), Map.of(ScorerConfig.BOOTSTRAP_SERVERS, "dummy:9092",
                DriftConfig.TOPIC, "elsewhere"));
        assertFalse(off.drift().enabled());
        ScorerMetrics m = new ScorerMetrics();
        String described = ScorerTopology.build(off, m).describe().toString();
        assertFalse(described.contains("drift"), described);
        assertEquals(ScorerTopology.build(ScorerConfig.resolve(Map.of(), Map.of(ScorerConfig.BOOTSTRAP_SERVERS,
                "dummy:9092"))).describe(), ScorerTopology.build(off).describe());
        assertFalse(PrometheusFormat.render(m, null).contains("drift"));
        assertEquals(List.of(), off.drift().topics());

        TopologyDescription td = ScorerTopology.build(config(), new ScorerMetrics()).describe();
        String d = td.toString();
        for (String name : List.of("features-source", "scorer", "scores-sink", "dead-letters-sink", "shadow-scores-sink",
                "drift-count", "drift-counts", "drift-by-model-repartition", "drift", "drift-windows", "drift-sink")) {
            assertTrue(d.contains(name), name + " in\n" + d);
        }
        Map<String, Integer> subtopologyOf = new HashMap<>();
        for (TopologyDescription.Subtopology st : td.subtopologies()) {
            st.nodes().forEach(n -> subtopologyOf.put(n.name(), st.id()));
        }
        assertEquals(subtopologyOf.get("scorer"), subtopologyOf.get("drift-count"), "the count is in the scoring task");
        assertFalse(subtopologyOf.get("scorer").equals(subtopologyOf.get("drift")), "the sum is after the repartition");
        assertEquals(List.of("model-drift"), config().drift().topics());
    }

    @Test
    void driftAndLabelsTogetherBuildOneTopology() {
        ScorerConfig both = ScorerConfig.resolve(Map.of(), Map.of(ScorerConfig.BOOTSTRAP_SERVERS, "dummy:9092",
                DriftConfig.WINDOWS, "1h", io.streamscore.scorer.outcomes.OutcomesConfig.LABELS_TOPIC, "labels"));
        String d = ScorerTopology.build(both, new ScorerMetrics()).describe().toString();
        assertTrue(d.contains("outcome-join") && d.contains("drift-count") && d.contains("quality"), d);
        Map<String, String> names = both.describeMasked();
        assertEquals("1h", names.get(DriftConfig.WINDOWS));
        assertEquals(new TreeMap<>(Map.of(DriftConfig.WINDOWS, "1h", DriftConfig.TOPIC, "model-drift",
                DriftConfig.THRESHOLD, "0.2", DriftConfig.GRACE, "1m")), names.entrySet().stream()
                .filter(e -> e.getKey().startsWith("streamscore.drift."))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, TreeMap::new)));
    }
}
