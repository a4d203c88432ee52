package io.streamscore.scorer;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.modellog.ModelLogKey;
import io.streamscore.common.outcome.Outcome;
import io.streamscore.common.outcome.OutcomeJson;
import io.streamscore.common.outcome.QualityFigures;
import io.streamscore.common.outcome.QualityJson;
import io.streamscore.common.outcome.QualityWindow;
import io.streamscore.scorer.outcomes.OutcomeMetrics;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import static io.streamscore.scorer.OutcomesTopologyTest.str;
import static io.streamscore.scorer.OutcomesTopologyTest.t;
import static io.streamscore.scorer.OutcomesTopologyTest.utf8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The quality windows on the TopologyTestDriver: the figures of every window (highest revision) against a plain
 * offline computation from the outcomes the same run wrote; corrections for late outcomes; TOO_LATE; the gauges.
 * Windows 15m and 1h, grace 1m, label window 10m (so a written window is kept 11m past its end).
 */
class QualityTopologyTest {
    private static final long MIN = 60_000;

    @TempDir
    Path stateDir;

    private ScorerMetrics metrics;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> features;
    private TestInputTopic<byte[], byte[]> labels;
    private TestOutputTopic<byte[], byte[]> outcomes;
    private TestOutputTopic<byte[], byte[]> quality;
    private final LogisticModel model = new LogisticModel("fraud", 3, List.of("amount", "age", "night"),
            new double[]{0.9, -1.2, 0.37}, 0.1, null, 0.5, null);

    @BeforeEach
    void start() {
        ScorerConfig c = OutcomesTopologyTest.config();
        metrics = new ScorerMetrics();
        driver = new TopologyTestDriver(ScorerTopology.build(c, metrics), OutcomesTopologyTest.props(c, metrics, stateDir),
                Instant.parse("2026-11-23T12:00:00Z"));
        TestInputTopic<String, String> models = driver.createInputTopic(c.modelsTopic(), new StringSerializer(),
                new StringSerializer(), OutcomesTopologyTest.T0.minusSeconds(3600), Duration.ZERO);
        models.pipeInput(ModelLogKey.version("fraud", 3).toString(), ModelJson.toCompactJson(model));
        features = driver.createInputTopic(c.featuresTopic(), new ByteArraySerializer(), new ByteArraySerializer());
        labels = driver.createInputTopic("labels", new ByteArraySerializer(), new ByteArraySerializer());
        outcomes = driver.createOutputTopic("outcomes", new ByteArrayDeserializer(), new ByteArrayDeserializer());
        quality = driver.createOutputTopic("model-quality", new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private void feature(String eventId, long at, double amount, double age, double night) {
        features.pipeInput(new TestRecord<>(utf8("k-" + eventId), utf8("{\"eventId\":\"" + eventId
                + "\",\"modelId\":\"fraud\",\"features\":{\"amount\":" + amount + ",\"age\":" + age + ",\"night\":"
                + night + "}}"), Instant.ofEpochMilli(at)));
    }

    private void label(String eventId, int value, long at) {
        labels.pipeInput(new TestRecord<>(utf8("k-" + eventId), utf8("{\"eventId\":\"" + eventId + "\",\"label\":"
                + value + "}"), Instant.ofEpochMilli(at)));
    }

    /** An event and its label, both at the given times (the label first when it is earlier). */
    private void labelled(String eventId, long eventAt, long labelAt, int value) {
        if (labelAt < eventAt) {
            label(eventId, value, labelAt);
            feature(eventId, eventAt, 1, 0.5, 0);
        } else {
            feature(eventId, eventAt, 1, 0.5, 0);
            label(eventId, value, labelAt);
        }
    }

    /** The quality records read so far, each validated; the highest revision per key. */
    private Map<String, QualityWindow> highestRevisions(List<QualityWindow> all) {
        Map<String, QualityWindow> out = new TreeMap<>();
        for (TestRecord<byte[], byte[]> r : quality.readRecordsToList()) {
            PublishedSchemas.assertValidQuality(r.value());
            QualityWindow w = QualityJson.fromBytes(r.value());
            assertEquals(w.key(), str(r.key()));
            assertEquals(w.windowEndMs(), r.timestamp(), "a quality record's timestamp is its window's end");
            all.add(w);
            QualityWindow before = out.get(w.key());
            assertTrue(before == null || before.revision() == w.revision() - 1, "revisions go 1, 2, 3 for " + w.key());
            out.put(w.key(), w);
        }
        return out;
    }

    @Test
    void everyWindowsFiguresEqualTheOfflineComputationFromTheOutcomes() {
        SplittableRandom rnd = new SplittableRandom(5);
        // 200 events over 90 minutes; labels 0..5 minutes after the event, one in ten before it (held, then joined).
        // (The driver commits, flushing RocksDB and writing a checkpoint, after every record: keep the records few.)
        for (int i = 0; i < 200; i++) {
            long at = t(0) + i * 27_000L;
            double amount = rnd.nextGaussian() * 2;
            double age = rnd.nextGaussian();
            double night = rnd.nextInt(2);
            double p = model.predictProbability(new double[]{amount, age, night});
            int y = rnd.nextDouble() < p * 0.8 + 0.1 ? 1 : 0;
            long labelAt = i % 10 == 0 ? at - 30_000 : at + rnd.nextLong(5 * MIN);
            String id = "q-" + i;
            if (labelAt < at) {
                label(id, y, labelAt);
                feature(id, at, amount, age, night);
            } else {
                feature(id, at, amount, age, night);
                label(id, y, labelAt);
            }
        }
        // One far-ahead outcome moves the quality clock past every window above.
        labelled("q-last", t(300), t(301), 1);

        List<Outcome> all = new ArrayList<>();
        for (byte[] v : outcomes.readValuesToList()) {
            PublishedSchemas.assertValidOutcome(v);
            all.add(OutcomeJson.fromBytes(v));
        }
        assertEquals(201, all.size());
        List<QualityWindow> written = new ArrayList<>();
        Map<String, QualityWindow> windows = highestRevisions(written);

        // Offline: group the outcomes by window from labelledAt alone.
        Map<String, List<Outcome>> byWindow = new TreeMap<>();
        for (Outcome o : all) {
            for (long size : new long[]{15 * MIN, 60 * MIN}) {
                long start = o.labelledAt() - Math.floorMod(o.labelledAt(), size);
                if (start + size + MIN > t(301)) {
                    continue; // not closed by the clock: not written yet
                }
                String name = size == 15 * MIN ? "15m" : "1h";
                byWindow.computeIfAbsent(QualityWindow.key("fraud", 3, name, start), k -> new ArrayList<>()).add(o);
            }
        }
        assertEquals(byWindow.keySet(), windows.keySet());
        assertTrue(windows.size() >= 8, "several windows of each size: " + windows.keySet());
        for (Map.Entry<String, List<Outcome>> e : byWindow.entrySet()) {
            assertFiguresMatch(e.getKey(), e.getValue(), windows.get(e.getKey()).figures());
        }
        assertEquals(0, metrics.outcomes().qualityCount("15m", OutcomeMetrics.QualityReason.TOO_LATE));
        assertEquals(201, metrics.outcomes().qualityCount("1h", OutcomeMetrics.QualityReason.AGGREGATED));
    }

    /** Plain formulas over the outcomes themselves: no histogram, AUC by counting pairs. */
    static void assertFiguresMatch(String what, List<Outcome> os, QualityFigures f) {
        long n = os.size();
        double ll = 0;
        double brier = 0;
        long tp = 0;
        long fp = 0;
        long tn = 0;
        long fn = 0;
        for (Outcome o : os) {
            double q = Math.min(Math.max(o.probability(), 1e-15), 1 - 1e-15);
            ll += o.label() == 1 ? -Math.log(q) : -Math.log(1 - q);
            brier += (o.probability() - o.label()) * (o.probability() - o.label());
            if (o.label() == 1) {
                if (o.predictedLabel() == 1) {
                    tp++;
                } else {
                    fn++;
                }
            } else if (o.predictedLabel() == 1) {
                fp++;
            } else {
                tn++;
            }
        }
        assertEquals(n, f.count(), what);
        assertEquals(tp + fn, f.positives(), what);
        assertEquals(ll / n, f.logLoss(), 1e-9, what);
        assertEquals(brier / n, f.brierScore(), 1e-9, what);
        assertEquals((tp + tn) / (double) n, f.accuracy(), 1e-15, what);
        assertEquals(tp + fp == 0 ? Double.NaN : tp / (double) (tp + fp), f.precision(), 1e-15, what);
        assertEquals(tp + fn == 0 ? Double.NaN : tp / (double) (tp + fn), f.recall(), 1e-15, what);
        if (tp + fn > 0 && fp + tn > 0) {
            double won = 0;
            for (Outcome pos : os) {
                for (Outcome neg : os) {
                    if (pos.label() == 1 && neg.label() == 0) {
                        won += pos.probability() > neg.probability() ? 1 : pos.probability() == neg.probability() ? 0.5 : 0;
                    }
                }
            }
            double exact = won / ((tp + fn) * (double) (fp + tn));
            assertTrue(Math.abs(exact - f.rocAuc()) <= f.rocAucErrorBound() + 1e-12,
                    what + ": exact AUC " + exact + ", from the histogram " + f.rocAuc() + ", bound " + f.rocAucErrorBound());
        }
        for (int c = 0; c < 10; c++) {
            long count = 0;
            long positives = 0;
            double sum = 0;
            for (Outcome o : os) {
                if (Math.min(999, (int) (o.probability() * 1000)) / 100 == c) {
                    count++;
                    positives += o.label();
                    sum += o.probability();
                }
            }
            QualityFigures.CalibrationBin b = f.calibration().get(c);
            assertEquals(count, b.count(), what + " bin " + c);
            assertEquals(positives, b.positives(), what + " bin " + c);
            assertEquals(count == 0 ? Double.NaN : sum / count, b.meanPredicted(), 1e-9, what + " bin " + c);
        }
    }

    @Test
    void aWindowIsWrittenWhenTheClockPassesItsEndPlusGraceAndCorrectedForALateOutcome() {
        labelled("a", t(0), t(1), 1);                // 15m window [0, 15)
        labelled("b", t(10), t(15) + MIN - 1, 0);    // clock just short of 15m + grace
        assertTrue(quality.isEmpty(), "not before end + grace");
        labelled("c", t(10), t(15) + MIN, 1);        // clock reaches it: [0, 15) is written
        List<QualityWindow> written = new ArrayList<>();
        Map<String, QualityWindow> w = highestRevisions(written);
        String first = QualityWindow.key("fraud", 3, "15m", t(0));
        assertEquals(List.of(first), List.copyOf(w.keySet()));
        assertEquals(1, w.get(first).revision());
        assertEquals(1, w.get(first).figures().count());

        // A label that waited for its score brings an outcome with an old label time: a correction, written within a
        // second of wall clock, several late outcomes in one revision.
        label("late-1", 0, t(2));
        label("late-2", 1, t(3));
        feature("late-1", t(1), 1, 0.5, 0);
        feature("late-2", t(1), 1, 0.5, 0);
        assertTrue(quality.isEmpty(), "corrections wait for the wall-clock tick");
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        w = highestRevisions(written);
        assertEquals(2, w.get(first).revision());
        assertEquals(3, w.get(first).figures().count());

        // 15m + 11m (grace + label window) later the window is dropped: an outcome for it is TOO_LATE, counted, not
        // added anywhere, and no revision is written.
        labelled("d", t(20), t(26), 1);
        labelled("too-late", t(6), t(14), 1);        // label 8 min after the event: joined, but the window is gone
        driver.advanceWallClockTime(Duration.ofSeconds(1));
        assertEquals(1, metrics.outcomes().qualityCount("15m", OutcomeMetrics.QualityReason.TOO_LATE));
        assertEquals(0, metrics.outcomes().qualityCount("1h", OutcomeMetrics.QualityReason.TOO_LATE),
                "the 1h window [0, 60) is still open");
        for (QualityWindow q : written) {
            assertTrue(!(q.key().equals(first) && q.revision() > 2), "no revision 3: " + q);
        }
    }

    @Test
    void theNewestWindowIsOnMetricsAsGaugesLabelledByModelVersionAndWindow() {
        labelled("a", t(0), t(1), 1);
        labelled("b", t(0), t(2), 0);
        labelled("c", t(20), t(20), 1); // closes [0, 15)
        Scrape s = Scrape.parse(metrics.scrape(null));
        QualityFigures f = QualityJson.fromBytes(quality.readValue()).figures();
        String series = "{model_id=\"fraud\",version=\"3\",window=\"15m\"}";
        assertEquals(f.logLoss(), s.value("streamscore_model_log_loss" + series));
        assertEquals(2.0, s.value("streamscore_model_quality_count" + series));
        assertEquals(f.accuracy(), s.value("streamscore_model_accuracy" + series));
        assertEquals(t(15) / 1000.0, s.value("streamscore_model_quality_window_end_seconds" + series));
        assertTrue(s.all().stream().noneMatch(x -> x.name().startsWith("streamscore_model_")
                && "1h".equals(x.labels().get("window"))), "no 1h window closed yet: " + s.text());
        assertEquals(1, metrics.outcomes().qualityRecordsCount());
    }

    @Test
    void withLabelsOffTheTopologyHasNoOutcomeNodesAndMetricsShowNone() {
        ScorerConfig off = ScorerConfig.resolve(Map.of(), Map.of(ScorerConfig.BOOTSTRAP_SERVERS, "dummy:9092"));
        ScorerMetrics m = new ScorerMetrics();
        String described = ScorerTopology.build(off, m).describe().toString();
        assertTrue(!described.contains("label") && !described.contains("outcome") && !described.contains("quality"),
                described);
        assertEquals(ScorerTopology.build(off).describe(), ScorerTopology.build(off, new ScorerMetrics()).describe());
        String text = m.scrape(null);
        assertTrue(!text.contains("streamscore_labels") && !text.contains("streamscore_model_log_loss"), text);
        assertEquals(List.of(), off.outcomes().topics());
    }

    @Test
    void theTopologyWithLabelsNamesItsNodesStoresAndRepartitionTopic() {
        String d = ScorerTopology.build(OutcomesTopologyTest.config(), new ScorerMetrics()).describe().toString();
        for (String name : List.of("labels-source", "outcome-join", "outcome-joins", "outcomes-sink",
                "label-dead-letters-sink", "outcomes-source", "outcome-reader", "outcomes-by-model-repartition",
                "quality", "quality-windows", "quality-sink")) {
            assertTrue(d.contains(name), name + " in\n" + d);
        }
        // The join shares the scorer's sub-topology: features and labels of one partition number in one task.
        org.apache.kafka.streams.TopologyDescription td = ScorerTopology.build(OutcomesTopologyTest.config(),
                new ScorerMetrics()).describe();
        java.util.Set<String> joinSubtopology = td.subtopologies().stream()
                .filter(st -> st.nodes().stream().anyMatch(n -> n.name().equals("outcome-join")))
                .findFirst().orElseThrow().nodes().stream().map(org.apache.kafka.streams.TopologyDescription.Node::name)
                .collect(java.util.stream.Collectors.toSet());
        assertTrue(joinSubtopology.containsAll(List.of("features-source", "labels-source", "scorer", "outcome-join")),
                joinSubtopology.toString());
        assertTrue(!joinSubtopology.contains("quality"), "the quality part is its own sub-topology");
    }
}
