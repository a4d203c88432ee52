package io.streamscore.scorer;

import io.streamscore.common.modellog.ModelRejection;
import io.streamscore.common.event.ReasonCode;

import java.util.Map;

/**
 * Renders {@link ScorerMetrics} in the Prometheus text exposition format, version 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/): HELP and TYPE lines, then one sample per line;
 * a histogram as cumulative {@code _bucket{le=…}} samples ending at {@code +Inf}, then {@code _sum} and {@code _count}.
 */
public final class PrometheusFormat {
    public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private PrometheusFormat() {
    }

    /** @param streamsState the Kafka Streams client state, rendered as a labelled gauge; null to leave it out */
    public static String render(ScorerMetrics m, String streamsState) {
        StringBuilder out = new StringBuilder(4096);
        header(out, "streamscore_records_scored_total", "counter", "Feature records scored.");
        out.append("streamscore_records_scored_total ").append(m.scoredCount()).append('\n');

        header(out, "streamscore_records_scored_by_model_total", "counter", "Scores written, by model id, version and "
                + "role: champion (to the scores topic) or challenger (to the shadow topic).");
        for (Map.Entry<ScorerMetrics.ModelRole, Long> e : m.scoredByModel().entrySet()) {
            out.append("streamscore_records_scored_by_model_total{model_id=\"").append(escape(e.getKey().modelId()))
                    .append("\",version=\"").append(e.getKey().version()).append("\",role=\"")
                    .append(e.getKey().role().label()).append("\"} ").append(e.getValue()).append('\n');
        }
        header(out, "streamscore_challenger_unscored_total", "counter", "Events the champion scored but a challenger "
                + "could not (no shadow record), by challenger and reason.");
        for (Map.Entry<ScorerMetrics.ChallengerMiss, Long> e : m.challengerUnscored().entrySet()) {
            out.append("streamscore_challenger_unscored_total{model_id=\"").append(escape(e.getKey().modelId()))
                    .append("\",version=\"").append(e.getKey().version()).append("\",reason=\"")
                    .append(e.getKey().reason().name()).append("\"} ").append(e.getValue()).append('\n');
        }

        header(out, "streamscore_records_dead_lettered_total", "counter", "Records sent to the dead-letter topic, by reason: "
                + "feature records, and with labels on label records (the LABEL_* reasons).");
        for (ReasonCode r : ReasonCode.values()) {
            out.append("streamscore_records_dead_lettered_total{reason=\"").append(r.name()).append("\"} ")
                    .append(m.deadLetteredCount(r)).append('\n');
        }

        header(out, "streamscore_models_applied_total", "counter", "Model records applied (new model or newer version).");
        out.append("streamscore_models_applied_total ").append(m.modelsAppliedCount()).append('\n');
        header(out, "streamscore_models_retired_total", "counter", "Models retired by a tombstone.");
        out.append("streamscore_models_retired_total ").append(m.modelsRetiredCount()).append('\n');
        header(out, "streamscore_models_rejected_total", "counter", "Model records not applied, by reason.");
        for (ModelRejection r : ModelRejection.values()) {
            out.append("streamscore_models_rejected_total{reason=\"").append(r.name()).append("\"} ")
                    .append(m.modelsRejectedCount(r)).append('\n');
        }

        header(out, "streamscore_model_serving_version", "gauge", "Version of the model being served, per model id.");
        for (Map.Entry<String, Long> e : m.servingVersions().entrySet()) {
            out.append("streamscore_model_serving_version{model_id=\"").append(escape(e.getKey())).append("\"} ")
                    .append(e.getValue()).append('\n');
        }

        header(out, "streamscore_model_challenger", "gauge", "1 for each version under challenge (shadow-scored), per "
                + "model id.");
        for (Map.Entry<String, java.util.List<Long>> e : m.challengerVersions().entrySet()) {
            for (long v : e.getValue()) {
                out.append("streamscore_model_challenger{model_id=\"").append(escape(e.getKey())).append("\",version=\"")
                        .append(v).append("\"} 1\n");
            }
        }

        header(out, "streamscore_scoring_latency_seconds", "histogram",
                "Time from reading a feature record to its serialized score (and its challengers' shadow scores).");
        long[] counts = m.latencyBucketCounts();
        long cumulative = 0;
        for (int i = 0; i < ScorerMetrics.LATENCY_BUCKETS.length; i++) {
            cumulative += counts[i];
            out.append("streamscore_scoring_latency_seconds_bucket{le=\"").append(ScorerMetrics.LATENCY_BUCKETS[i])
                    .append("\"} ").append(cumulative).append('\n');
        }
        cumulative += counts[counts.length - 1];
        out.append("streamscore_scoring_latency_seconds_bucket{le=\"+Inf\"} ").append(cumulative).append('\n');
        out.append("streamscore_scoring_latency_seconds_sum ").append(m.latencySecondsSum()).append('\n');
        out.append("streamscore_scoring_latency_seconds_count ").append(cumulative).append('\n');

        header(out, "streamscore_oldest_in_flight_record_seconds", "gauge",
                "How long the record a stream thread has been working on longest has been in flight; 0 when none is.");
        out.append("streamscore_oldest_in_flight_record_seconds ")
                .append(m.inFlightRecords().oldestAgeNanos(System.nanoTime()) / 1e9).append('\n');
        header(out, "streamscore_stream_threads_replaced_total", "counter",
                "Stream threads that died of an exception and were replaced.");
        out.append("streamscore_stream_threads_replaced_total ").append(m.threadsReplacedCount()).append('\n');

        m.outcomes().appendTo(out); // nothing unless labels are on
        m.drift().appendTo(out); // nothing unless drift is on

        if (streamsState != null) {
            header(out, "streamscore_streams_state", "gauge", "1 for the Kafka Streams client's current state.");
            out.append("streamscore_streams_state{state=\"").append(escape(streamsState)).append("\"} 1\n");
        }
        return out.toString();
    }

    /** The HELP and TYPE lines of one metric. */
    public static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    /** Label values escape backslash, double quote and line feed. */
    public static String escape(String value) {
        StringBuilder b = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '"' -> b.append("\\\"");
                case '\n' -> b.append("\\n");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
