package io.streamscore.scorer.drift;

import io.streamscore.common.drift.DriftWindow;
import io.streamscore.scorer.PrometheusFormat;

import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The counters and gauges of drift (docs/drift.md), part of the scorer's {@code /metrics}. Every champion score is
 * counted once per window size under one reason; the gauges show the newest written window of each model version and
 * window size. Recording methods take plain arguments. Rendered only when drift is on.
 */
public final class DriftMetrics {
    /** What the drift count did with a champion score, per window size. */
    public enum EventReason {
        /** Counted in its window. */
        COUNTED,
        /** Its model version has no drift baseline (a model trained before drift existed): not counted. */
        NO_BASELINE,
        /** Its window had already been dropped (more than grace + one window size behind the clock): not counted. */
        TOO_LATE,
        /** Its model version's baseline has another shape than the one its window was started with: not counted. */
        BASELINE_CHANGED
    }

    /** One gauge series: a model version and window size. */
    public record SeriesKey(String modelId, long version, String window) {
    }

    /** One alert counter series. */
    public record AlertKey(String modelId, long version, String feature) {
    }

    private static final Comparator<SeriesKey> SERIES_ORDER = Comparator.comparing(SeriesKey::modelId)
            .thenComparingLong(SeriesKey::version).thenComparing(SeriesKey::window);
    private static final Comparator<AlertKey> ALERT_ORDER = Comparator.comparing(AlertKey::modelId)
            .thenComparingLong(AlertKey::version).thenComparing(AlertKey::feature);

    private volatile Map<String, Map<EventReason, LongAdder>> events = Map.of();
    private final LongAdder records = new LongAdder();
    private final LongAdder partialsDropped = new LongAdder();
    private final Map<AlertKey, LongAdder> alerts = new ConcurrentHashMap<>();
    private final Map<SeriesKey, DriftWindow> latest = new ConcurrentHashMap<>();
    private volatile boolean enabled;

    /** Drift is on, with windows named {@code windows}: every event series exists from now on, at 0. */
    public synchronized void enable(List<String> windows) {
        Map<String, Map<EventReason, LongAdder>> e = new LinkedHashMap<>();
        for (String w : windows) {
            Map<EventReason, LongAdder> byReason = new EnumMap<>(EventReason.class);
            for (EventReason r : EventReason.values()) {
                byReason.put(r, new LongAdder());
            }
            e.put(w, byReason);
        }
        events = e;
        enabled = true;
    }

    public boolean enabled() {
        return enabled;
    }

    /** One champion score, for window size {@code window}. */
    public void event(String window, EventReason reason) {
        Map<EventReason, LongAdder> byReason = events.get(window);
        if (byReason != null) {
            byReason.get(reason).increment();
        }
    }

    /** A partial total came for a window the drift task had already dropped; it is not added. */
    public void partialDropped() {
        partialsDropped.increment();
    }

    /** A feature (or {@code "score"}) of a model version passed the threshold in a window, the first time there. */
    public void alert(String modelId, long version, String feature) {
        alerts.computeIfAbsent(new AlertKey(modelId, version, feature), k -> new LongAdder()).increment();
    }

    /**
     * A drift record was written: its PSIs become the gauges of its model version and window size unless a later window
     * of the same series is already shown.
     */
    public void recordWritten(DriftWindow w) {
        records.increment();
        show(w);
    }

    /** Shows {@code w} in the gauges (same rule as {@link #recordWritten}) without counting a record. */
    public void show(DriftWindow w) {
        latest.merge(new SeriesKey(w.modelId(), w.modelVersion(), w.window()), w,
                (old, now) -> now.windowStartMs() >= old.windowStartMs() ? now : old);
    }

    /** The series this instance no longer computes (their drift task moved away). */
    public void forget(Collection<SeriesKey> keys) {
        keys.forEach(latest::remove);
    }

    public long eventCount(String window, EventReason reason) {
        Map<EventReason, LongAdder> byReason = events.get(window);
        return byReason == null ? 0 : byReason.get(reason).sum();
    }

    public long recordsCount() {
        return records.sum();
    }

    public long partialsDroppedCount() {
        return partialsDropped.sum();
    }

    /** Alerts by model version and feature, sorted. */
    public Map<AlertKey, Long> alerts() {
        Map<AlertKey, Long> out = new TreeMap<>(ALERT_ORDER);
        alerts.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** The newest written window per series, sorted. */
    public Map<SeriesKey, DriftWindow> latest() {
        Map<SeriesKey, DriftWindow> out = new TreeMap<>(SERIES_ORDER);
        out.putAll(latest);
        return out;
    }

    /** Appends the Prometheus text of these metrics; nothing when drift is off. */
    public void appendTo(StringBuilder out) {
        if (!enabled) {
            return;
        }
        PrometheusFormat.header(out, "streamscore_drift_events_total", "counter", "Champion scores seen by the drift "
                + "count, per window size and what became of them.");
        for (Map.Entry<String, Map<EventReason, LongAdder>> w : events.entrySet()) {
            for (EventReason r : EventReason.values()) {
                out.append("streamscore_drift_events_total{window=\"").append(PrometheusFormat.escape(w.getKey()))
                        .append("\",reason=\"").append(r.name()).append("\"} ").append(w.getValue().get(r).sum())
                        .append('\n');
            }
        }
        PrometheusFormat.header(out, "streamscore_drift_records_total", "counter",
                "Drift records written (first revisions and corrections).");
        out.append("streamscore_drift_records_total ").append(recordsCount()).append('\n');
        PrometheusFormat.header(out, "streamscore_drift_partials_dropped_total", "counter", "Partial counts that came "
                + "to the drift task after it had dropped their window (a scoring task far behind the others).");
        out.append("streamscore_drift_partials_dropped_total ").append(partialsDroppedCount()).append('\n');
        PrometheusFormat.header(out, "streamscore_drift_alerts_total", "counter", "Windows in which a feature's PSI (or "
                + "the score's, feature=\"score\") reached the threshold, counted once per window and feature.");
        for (Map.Entry<AlertKey, Long> e : alerts().entrySet()) {
            AlertKey k = e.getKey();
            out.append("streamscore_drift_alerts_total{model_id=\"").append(PrometheusFormat.escape(k.modelId()))
                    .append("\",version=\"").append(k.version()).append("\",feature=\"")
                    .append(PrometheusFormat.escape(k.feature())).append("\"} ").append(e.getValue()).append('\n');
        }
        Map<SeriesKey, DriftWindow> shown = latest();
        PrometheusFormat.header(out, "streamscore_model_drift_window_end_seconds", "gauge", "End of the newest written "
                + "drift window whose PSIs the drift gauges show (epoch seconds).");
        for (Map.Entry<SeriesKey, DriftWindow> e : shown.entrySet()) {
            series(out, "streamscore_model_drift_window_end_seconds", e.getKey()).append("} ")
                    .append(e.getValue().windowEndMs() / 1000.0).append('\n');
        }
        PrometheusFormat.header(out, "streamscore_model_drift_count", "gauge", "Events counted in that window.");
        for (Map.Entry<SeriesKey, DriftWindow> e : shown.entrySet()) {
            series(out, "streamscore_model_drift_count", e.getKey()).append("} ").append(e.getValue().count())
                    .append('\n');
        }
        PrometheusFormat.header(out, "streamscore_model_score_psi", "gauge", "PSI of the model's probability in that "
                + "window against its training distribution.");
        for (Map.Entry<SeriesKey, DriftWindow> e : shown.entrySet()) {
            series(out, "streamscore_model_score_psi", e.getKey()).append("} ").append(e.getValue().scorePsi())
                    .append('\n');
        }
        PrometheusFormat.header(out, "streamscore_model_feature_psi", "gauge", "PSI of each feature in that window "
                + "against its training distribution.");
        for (Map.Entry<SeriesKey, DriftWindow> e : shown.entrySet()) {
            for (Map.Entry<String, Double> f : e.getValue().featurePsi().entrySet()) {
                series(out, "streamscore_model_feature_psi", e.getKey()).append(",feature=\"")
                        .append(PrometheusFormat.escape(f.getKey())).append("\"} ").append(f.getValue().doubleValue())
                        .append('\n');
            }
        }
    }

    private static StringBuilder series(StringBuilder out, String name, SeriesKey k) {
        return out.append(name).append("{model_id=\"").append(PrometheusFormat.escape(k.modelId())).append("\",version=\"")
                .append(k.version()).append("\",window=\"").append(PrometheusFormat.escape(k.window())).append('"');
    }
}
