package io.streamscore.scorer;

import io.streamscore.common.event.ReasonCode;
import io.streamscore.common.modellog.ModelRejection;
import io.streamscore.common.outcome.QualityAccumulator;
import io.streamscore.common.outcome.QualityWindow;
import io.streamscore.scorer.outcomes.OutcomeMetrics;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The scorer's own metrics as {@code /metrics} renders them (Micrometer's Prometheus registry, text format 0.0.4). */
class ScorerMetricsTest {

    /** The cumulative count of the latency bucket {@code le} of {@code modelId}. */
    private static double bucket(Scrape s, String modelId, double le) {
        List<Scrape.Sample> hits = s.samples("streamscore_scoring_latency_seconds_bucket").stream()
                .filter(x -> modelId.equals(x.labels().get("model_id")))
                .filter(x -> {
                    String v = x.labels().get("le");
                    return (v.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(v)) == le;
                })
                .toList();
        assertEquals(1, hits.size(), "one bucket le=" + le + " of " + modelId + " in:\n" + s.text());
        return hits.get(0).value();
    }

    @Test
    void rendersCountersGaugesAndTheLatencyHistogramWithItsBucketsAndPercentiles() {
        ScorerMetrics m = new ScorerMetrics();
        m.scored("fraud", 3_000);          // 3 µs → bucket le=5e-6
        m.scored("fraud", 3_000);
        m.scored("fraud", 2_000_000);      // 2 ms → bucket le=0.01
        m.scored("churn", 40_000);         // 40 µs → bucket le=5e-5
        m.deadLettered(ReasonCode.MODEL_NOT_FOUND);
        m.modelApplied("fraud", 3);
        m.modelApplied("we\"ird\\id\n", 1);
        m.modelRejected(ModelRejection.KEY_MISMATCH);

        Scrape s = Scrape.parse(m.scrape("RUNNING"));
        assertEquals(4, s.value("streamscore_records_scored_total"));
        assertEquals(1, s.value("streamscore_records_dead_lettered_total{reason=\"MODEL_NOT_FOUND\"}"));
        assertEquals(0, s.value("streamscore_records_dead_lettered_total{reason=\"MALFORMED_JSON\"}"));
        assertEquals(2, s.value("streamscore_models_applied_total"));
        assertEquals(1, s.value("streamscore_models_rejected_total{reason=\"KEY_MISMATCH\"}"));
        assertEquals(3, s.value("streamscore_model_serving_version{model_id=\"fraud\"}"));
        assertEquals(1, s.value("streamscore_model_serving_version{model_id=\"we\\\"ird\\\\id\\n\"}"));

        assertEquals(0, bucket(s, "fraud", 2.5e-6));
        assertEquals(2, bucket(s, "fraud", 5e-6));
        assertEquals(2, bucket(s, "fraud", 1e-3));
        assertEquals(3, bucket(s, "fraud", 0.01));
        assertEquals(3, bucket(s, "fraud", 0.1));
        assertEquals(3, bucket(s, "fraud", Double.POSITIVE_INFINITY));
        assertEquals(ScorerMetrics.LATENCY_BUCKETS.length + 1, s.samples("streamscore_scoring_latency_seconds_bucket")
                .stream().filter(x -> "fraud".equals(x.labels().get("model_id"))).count(), "the 11 bounds and +Inf");
        assertEquals(3, s.value("streamscore_scoring_latency_seconds_count{model_id=\"fraud\"}"));
        assertEquals(0.002006, s.value("streamscore_scoring_latency_seconds_sum{model_id=\"fraud\"}"), 1e-12);
        assertEquals(0.002, s.value("streamscore_scoring_latency_seconds_max{model_id=\"fraud\"}"), 1e-12);
        assertEquals(0, bucket(s, "churn", 2.5e-5));
        assertEquals(1, bucket(s, "churn", 5e-5));
        assertEquals(1, s.value("streamscore_scoring_latency_seconds_count{model_id=\"churn\"}"));
        assertEquals("histogram", s.types().get("streamscore_scoring_latency_seconds"), s.text());

        // p50 and p99 over the last minute (Micrometer's sliding window; approximate, within its precision).
        Map<String, Double> quantiles = new TreeMap<>();
        for (Scrape.Sample q : s.samples("streamscore_scoring_latency_quantile_seconds")) {
            if ("fraud".equals(q.labels().get("model_id"))) {
                quantiles.put(q.labels().get("quantile"), q.value());
            }
        }
        assertEquals(Set.of("0.5", "0.99"), quantiles.keySet(), s.text());
        assertEquals("gauge", s.types().get("streamscore_scoring_latency_quantile_seconds"));
        assertEquals(3e-6, quantiles.get("0.5"), 3e-6 * 0.15, "p50 of 3 µs, 3 µs, 2 ms");
        assertEquals(2e-3, quantiles.get("0.99"), 2e-3 * 0.15, "p99 of 3 µs, 3 µs, 2 ms");

        assertEquals(1, s.value("streamscore_streams_state{state=\"RUNNING\"}"));
        assertEquals(0, s.value("streamscore_oldest_in_flight_record_seconds"));
        assertEquals(0, s.value("streamscore_stream_threads_replaced_total"));
        assertEquals("counter", s.types().get("streamscore_records_scored_total"), s.text());
        assertTrue(s.text().endsWith("\n"));
    }

    @Test
    void aFreshScorerDeclaresItsFixedFamiliesOnceAndEverySampleBelongsToOne() {
        Scrape s = Scrape.parse(new ScorerMetrics().scrape("CREATED"));
        assertEquals(new TreeSet<>(List.of("streamscore_records_scored_total", "streamscore_records_dead_lettered_total",
                        "streamscore_models_applied_total", "streamscore_models_retired_total",
                        "streamscore_models_rejected_total", "streamscore_oldest_in_flight_record_seconds",
                        "streamscore_stream_threads_replaced_total", "streamscore_streams_state")),
                new TreeSet<>(s.types().keySet()), s.text());
        long helps = s.text().lines().filter(l -> l.startsWith("# HELP ")).count();
        assertEquals(s.types().size(), helps, "a HELP line per family");
        for (Scrape.Sample x : s.all()) {
            String family = x.name().replaceAll("_(bucket|sum|count|max)$", "");
            assertTrue(s.types().containsKey(family) || s.types().containsKey(x.name()), x.toString());
        }
        assertEquals(ReasonCode.values().length, s.samples("streamscore_records_dead_lettered_total").size(),
                "every reason from 0");
        assertEquals(ModelRejection.values().length, s.samples("streamscore_models_rejected_total").size());
        assertFalse(new ScorerMetrics().scrape(null).contains("streamscore_streams_state"), "no state, no series");
    }

    @Test
    void seriesOfModelsAndChallengersFollowTheModelTopic() {
        ScorerMetrics m = new ScorerMetrics();
        m.modelApplied("fraud", 1);
        m.challengersChanged("fraud", List.of(2L, 3L));
        m.scoredBy("fraud", 1, ScorerMetrics.Role.CHAMPION);
        m.scoredBy("fraud", 3, ScorerMetrics.Role.CHALLENGER);
        m.scoredBy("fraud", 3, ScorerMetrics.Role.CHALLENGER);
        assertTrue(m.challengerUnscored("fraud", 2, ReasonCode.MISSING_FEATURE));
        assertFalse(m.challengerUnscored("fraud", 2, ReasonCode.MISSING_FEATURE));
        Scrape s = Scrape.parse(m.scrape(null));
        assertEquals(1, s.value("streamscore_model_challenger{model_id=\"fraud\",version=\"2\"}"));
        assertEquals(1, s.value("streamscore_model_challenger{model_id=\"fraud\",version=\"3\"}"));
        assertEquals(1, s.value("streamscore_records_scored_by_model_total{model_id=\"fraud\",version=\"1\",role=\"champion\"}"));
        assertEquals(2, s.value("streamscore_records_scored_by_model_total{role=\"challenger\",version=\"3\",model_id=\"fraud\"}"));
        assertEquals(2, s.value("streamscore_challenger_unscored_total{model_id=\"fraud\",version=\"2\",reason=\"MISSING_FEATURE\"}"));

        m.challengersChanged("fraud", List.of(3L));
        m.modelApplied("fraud", 3);
        s = Scrape.parse(m.scrape(null));
        assertEquals(List.of("3"), s.samples("streamscore_model_challenger").stream().map(x -> x.labels().get("version"))
                .toList(), "v2 is no longer under challenge");
        assertEquals(3, s.value("streamscore_model_serving_version{model_id=\"fraud\"}"));

        m.challengersChanged("fraud", List.of());
        m.modelRetired("fraud");
        s = Scrape.parse(m.scrape(null));
        assertEquals(List.of(), s.samples("streamscore_model_challenger"), s.text());
        assertEquals(List.of(), s.samples("streamscore_model_serving_version"), s.text());
        assertEquals(1, s.value("streamscore_models_retired_total"));
        assertEquals(1, s.value("streamscore_records_scored_by_model_total{model_id=\"fraud\",version=\"1\",role=\"champion\"}"),
                "a counter stays: its total is still true");
    }

    @Test
    void latencySeriesAreCappedAtAFixedNumberOfModelIds() {
        ScorerMetrics m = new ScorerMetrics();
        int ids = ScorerMetrics.MAX_LATENCY_MODEL_IDS + 7;
        for (int i = 0; i < ids; i++) {
            m.scored("model-" + i, 1_000);
            m.scored("model-" + i, 1_000);
        }
        Scrape s = Scrape.parse(m.scrape(null));
        List<Scrape.Sample> counts = s.samples("streamscore_scoring_latency_seconds_count");
        assertEquals(ScorerMetrics.MAX_LATENCY_MODEL_IDS + 1, counts.size(), "the cap plus the shared series");
        assertEquals(2, s.value("streamscore_scoring_latency_seconds_count{model_id=\"model-0\"}"));
        assertEquals(14, s.value("streamscore_scoring_latency_seconds_count{model_id=\"" + ScorerMetrics.OTHER_MODELS + "\"}"),
                "7 model ids beyond the cap, 2 events each");
        assertEquals(2.0 * ids, counts.stream().mapToDouble(Scrape.Sample::value).sum(), "every event timed once");
        assertEquals(2 * ids, m.scoredCount());
    }

    @Test
    void outcomeSeriesExistOnlyWithLabelsOnAndQualityGaugesFollowTheShownWindows() {
        ScorerMetrics m = new ScorerMetrics();
        OutcomeMetrics o = m.outcomes();
        assertFalse(m.scrape(null).contains("streamscore_labels"), "labels off: no outcome series");
        o.enable(List.of("15m", "1h"));
        o.label(OutcomeMetrics.LabelReason.JOINED);
        o.quality("1h", OutcomeMetrics.QualityReason.TOO_LATE);
        Scrape s = Scrape.parse(m.scrape(null));
        assertEquals(1, s.value("streamscore_labels_total{reason=\"JOINED\"}"));
        assertEquals(0, s.value("streamscore_labels_total{reason=\"OUTPUT_TOO_LARGE\"}"));
        assertEquals(0, s.value("streamscore_labels_held_total"));
        assertEquals(0, s.value("streamscore_labelled_scores_total{reason=\"NO_EVENT_ID\"}"));
        assertEquals(0, s.value("streamscore_outcomes_written_total"));
        assertEquals(0, s.value("streamscore_quality_records_total"));
        assertEquals(1, s.value("streamscore_quality_outcomes_total{window=\"1h\",reason=\"TOO_LATE\"}"));
        assertEquals(0, s.value("streamscore_quality_outcomes_total{window=\"15m\",reason=\"MALFORMED\"}"));
        assertEquals(List.of(), s.samples("streamscore_model_log_loss"), "no window shown yet");

        QualityWindow w = window(0, 0.9, 0.2);
        o.qualityWritten(w);
        o.show(window(-900_000, 0.6, 0.5)); // an older window's late revision does not hide the newest
        s = Scrape.parse(m.scrape(null));
        String series = "{model_id=\"fraud\",version=\"3\",window=\"15m\"}";
        assertEquals(w.figures().logLoss(), s.value("streamscore_model_log_loss" + series));
        assertEquals(w.figures().brierScore(), s.value("streamscore_model_brier_score" + series));
        assertEquals(w.figures().accuracy(), s.value("streamscore_model_accuracy" + series));
        assertEquals(w.figures().rocAuc(), s.value("streamscore_model_roc_auc" + series));
        assertEquals(w.figures().count(), s.value("streamscore_model_quality_count" + series));
        assertEquals(900.0, s.value("streamscore_model_quality_window_end_seconds" + series));
        assertEquals(1, s.value("streamscore_quality_records_total"));

        o.forgetQuality(List.of(new OutcomeMetrics.QualityKey("fraud", 3, "15m")));
        s = Scrape.parse(m.scrape(null));
        assertEquals(List.of(), s.samples("streamscore_model_log_loss"), "its quality task moved away: " + s.text());
    }

    /** A 15-minute window of fraud v3 with two outcomes: a positive scored {@code p1} and a negative scored {@code p0}. */
    private static QualityWindow window(long startMs, double p1, double p0) {
        QualityAccumulator a = new QualityAccumulator();
        a.add(p1, 1, 1, 0.5);
        a.add(p0, 0, 1, 0.5);
        return new QualityWindow("fraud", 3, "15m", 900_000, startMs, 1, 5, a.figures());
    }
}
