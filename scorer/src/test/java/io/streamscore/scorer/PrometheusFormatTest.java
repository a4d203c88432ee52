package io.streamscore.scorer;

import io.streamscore.common.modellog.ModelRejection;
import io.streamscore.common.event.ReasonCode;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusFormatTest {

    private static List<String> samples(String text) {
        return text.lines().filter(l -> !l.startsWith("#")).toList();
    }

    @Test
    void shouldRenderCountersGaugesAndACumulativeHistogram() {
        ScorerMetrics m = new ScorerMetrics();
        m.scored(3_000);          // 3 µs → bucket le=5e-6
        m.scored(3_000);
        m.scored(2_000_000);      // 2 ms → bucket le=0.01
        m.deadLettered(ReasonCode.MODEL_NOT_FOUND);
        m.modelApplied("fraud", 3);
        m.modelApplied("we\"ird\\id\n", 1);
        m.modelRejected(ModelRejection.KEY_MISMATCH);

        String text = PrometheusFormat.render(m, "RUNNING");
        List<String> s = samples(text);
        assertTrue(s.contains("streamscore_records_scored_total 3"), text);
        assertTrue(s.contains("streamscore_records_dead_lettered_total{reason=\"MODEL_NOT_FOUND\"} 1"), text);
        assertTrue(s.contains("streamscore_records_dead_lettered_total{reason=\"MALFORMED_JSON\"} 0"), text);
        assertTrue(s.contains("streamscore_models_applied_total 2"), text);
        assertTrue(s.contains("streamscore_models_rejected_total{reason=\"KEY_MISMATCH\"} 1"), text);
        assertTrue(s.contains("streamscore_model_serving_version{model_id=\"fraud\"} 3"), text);
        assertTrue(s.contains("streamscore_model_serving_version{model_id=\"we\\\"ird\\\\id\\n\"} 1"), text);
        assertTrue(s.contains("streamscore_scoring_latency_seconds_bucket{le=\"2.5E-6\"} 0"), text);
        assertTrue(s.contains("streamscore_scoring_latency_seconds_bucket{le=\"5.0E-6\"} 2"), text);
        assertTrue(s.contains("streamscore_scoring_latency_seconds_bucket{le=\"0.001\"} 2"), text);
        assertTrue(s.contains("streamscore_scoring_latency_seconds_bucket{le=\"0.01\"} 3"), text);
        assertTrue(s.contains("streamscore_scoring_latency_seconds_bucket{le=\"+Inf\"} 3"), text);
        assertTrue(s.contains("streamscore_scoring_latency_seconds_count 3"), text);
        assertTrue(s.contains("streamscore_scoring_latency_seconds_sum 0.002006"), text);
        assertTrue(s.contains("streamscore_streams_state{state=\"RUNNING\"} 1"), text);
        assertTrue(s.contains("streamscore_oldest_in_flight_record_seconds 0.0"), text);
        assertTrue(s.contains("streamscore_stream_threads_replaced_total 0"), text);
        assertTrue(text.contains("# TYPE streamscore_scoring_latency_seconds histogram\n"), text);
        assertTrue(text.endsWith("\n"));
    }

    @Test
    void shouldDeclareEveryMetricOnceWithHelpAndType() {
        String text = PrometheusFormat.render(new ScorerMetrics(), null);
        long types = text.lines().filter(l -> l.startsWith("# TYPE ")).count();
        long helps = text.lines().filter(l -> l.startsWith("# HELP ")).count();
        assertEquals(12, types);
        assertEquals(types, helps);
        assertEquals(types, text.lines().filter(l -> l.startsWith("# TYPE ")).distinct().count());
        // Every sample belongs to a declared family.
        for (String sample : samples(text)) {
            String family = sample.replaceAll("[{ ].*", "").replaceAll("_(bucket|sum|count)$", "");
            assertTrue(text.contains("# TYPE " + family + " "), sample);
        }
    }
}
