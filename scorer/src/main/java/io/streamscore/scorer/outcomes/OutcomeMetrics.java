package io.streamscore.scorer.outcomes;

import io.streamscore.common.outcome.QualityWindow;
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
import java.util.function.ToDoubleFunction;

/**
 * The counters and gauges of labels, outcomes and live quality (docs/outcomes.md), part of the scorer's
 * {@code /metrics}. Every label and every score is counted once, when its fate is decided, under one reason; every
 * outcome the quality aggregation reads is counted once per window size. Rendered only when labels are on.
 */
public final class OutcomeMetrics {
    /** What became of a label record. */
    public enum LabelReason {
        /** Joined with its score, which was already there: an outcome was written. */
        JOINED,
        /** Read before its score, held, and joined when the score came: an outcome was written. */
        JOINED_LABEL_FIRST,
        /** Dead-lettered as LABEL_LATE. */
        LATE,
        /** Dead-lettered as LABEL_DUPLICATE. */
        DUPLICATE,
        /** Held for the label window, no score came: dead-lettered as LABEL_UNKNOWN_EVENT. */
        UNKNOWN_EVENT,
        /** Dead-lettered as LABEL_MALFORMED. */
        MALFORMED,
        /** Joined, but the outcome was larger than the producer sends: the label dead-lettered as OUTPUT_TOO_LARGE. */
        OUTPUT_TOO_LARGE
    }

    /** What became of a champion's score, as far as labels go. */
    public enum ScoreReason {
        /** A label joined it (an outcome, or an OUTPUT_TOO_LARGE label). */
        LABELLED,
        /** The label window passed without a label. */
        EXPIRED_UNLABELLED,
        /** The event had no eventId, so no label can name it; not kept. */
        NO_EVENT_ID,
        /** Another score of the same event id is kept (the first); this one is not. */
        DUPLICATE_EVENT_ID
    }

    /** What the quality aggregation did with an outcome, per window size. */
    public enum QualityReason {
        /** Added to its window. */
        AGGREGATED,
        /** Its window had already been dropped (more than grace + label window behind the quality clock). */
        TOO_LATE,
        /** The record on the outcomes topic could not be read as an outcome. */
        MALFORMED
    }

    /** One quality gauge series. */
    public record QualityKey(String modelId, long version, String window) {
    }

    private static final Comparator<QualityKey> KEY_ORDER = Comparator.comparing(QualityKey::modelId)
            .thenComparingLong(QualityKey::version).thenComparing(QualityKey::window);

    private final Map<LabelReason, LongAdder> labels = new EnumMap<>(LabelReason.class);
    private final Map<ScoreReason, LongAdder> scores = new EnumMap<>(ScoreReason.class);
    private final LongAdder labelsHeld = new LongAdder();
    private final LongAdder outcomesWritten = new LongAdder();
    private final LongAdder qualityRecords = new LongAdder();
    private volatile Map<String, Map<QualityReason, LongAdder>> quality = Map.of();
    private final Map<QualityKey, QualityWindow> latest = new ConcurrentHashMap<>();
    private volatile boolean enabled;

    public OutcomeMetrics() {
        for (LabelReason r : LabelReason.values()) {
            labels.put(r, new LongAdder());
        }
        for (ScoreReason r : ScoreReason.values()) {
            scores.put(r, new LongAdder());
        }
    }

    /** Labels are on, with quality windows named {@code windows}: every series exists from now on, at 0. */
    public synchronized void enable(List<String> windows) {
        Map<String, Map<QualityReason, LongAdder>> q = new LinkedHashMap<>();
        for (String w : windows) {
            Map<QualityReason, LongAdder> byReason = new EnumMap<>(QualityReason.class);
            for (QualityReason r : QualityReason.values()) {
                byReason.put(r, new LongAdder());
            }
            q.put(w, byReason);
        }
        quality = q;
        enabled = true;
    }

    public boolean enabled() {
        return enabled;
    }

    public void label(LabelReason reason) {
        labels.get(reason).increment();
    }

    public void labelHeld() {
        labelsHeld.increment();
    }

    public void score(ScoreReason reason) {
        scores.get(reason).increment();
    }

    public void outcomeWritten() {
        outcomesWritten.increment();
    }

    public void quality(String window, QualityReason reason) {
        Map<QualityReason, LongAdder> byReason = quality.get(window);
        if (byReason != null) {
            byReason.get(reason).increment();
        }
    }

    /**
     * A quality record was written: its figures become the gauges of its model version and window size unless a later
     * window of the same series is already shown (a late revision of an old window does not hide the newest one).
     */
    public void qualityWritten(QualityWindow w) {
        qualityRecords.increment();
        show(w);
    }

    /** Shows {@code w} in the gauges (same rule as {@link #qualityWritten}) without counting a record written. */
    public void show(QualityWindow w) {
        latest.merge(new QualityKey(w.modelId(), w.modelVersion(), w.window()), w,
                (old, now) -> now.windowStartMs() >= old.windowStartMs() ? now : old);
    }

    /** The series this instance no longer computes (their quality task moved away). */
    public void forgetQuality(Collection<QualityKey> keys) {
        keys.forEach(latest::remove);
    }

    public long labelCount(LabelReason reason) {
        return labels.get(reason).sum();
    }

    public long labelsHeldCount() {
        return labelsHeld.sum();
    }

    public long scoreCount(ScoreReason reason) {
        return scores.get(reason).sum();
    }

    public long outcomesWrittenCount() {
        return outcomesWritten.sum();
    }

    public long qualityRecordsCount() {
        return qualityRecords.sum();
    }

    /** Outcomes counted under {@code reason} for window size {@code window}; 0 for a window not configured. */
    public long qualityCount(String window, QualityReason reason) {
        Map<QualityReason, LongAdder> byReason = quality.get(window);
        return byReason == null ? 0 : byReason.get(reason).sum();
    }

    /** The newest window's figures per series, sorted. */
    public Map<QualityKey, QualityWindow> latestQuality() {
        Map<QualityKey, QualityWindow> out = new TreeMap<>(KEY_ORDER);
        out.putAll(latest);
        return out;
    }

    /** Appends the Prometheus text of these metrics; nothing when labels are off. */
    public void appendTo(StringBuilder out) {
        if (!enabled) {
            return;
        }
        PrometheusFormat.header(out, "streamscore_labels_total", "counter", "Label records by what became of them: "
                + "joined with their score (JOINED, JOINED_LABEL_FIRST) or dead-lettered (the others).");
        for (LabelReason r : LabelReason.values()) {
            out.append("streamscore_labels_total{reason=\"").append(r.name()).append("\"} ")
                    .append(labelCount(r)).append('\n');
        }
        PrometheusFormat.header(out, "streamscore_labels_held_total", "counter",
                "Labels read before their score and held for it (each is later counted in streamscore_labels_total).");
        out.append("streamscore_labels_held_total ").append(labelsHeldCount()).append('\n');
        PrometheusFormat.header(out, "streamscore_labelled_scores_total", "counter", "Champion scores by what became of "
                + "them once labels are on: labelled, expired unlabelled, or not kept (no event id, duplicate event id).");
        for (ScoreReason r : ScoreReason.values()) {
            out.append("streamscore_labelled_scores_total{reason=\"").append(r.name()).append("\"} ")
                    .append(scoreCount(r)).append('\n');
        }
        PrometheusFormat.header(out, "streamscore_outcomes_written_total", "counter", "Outcome records written.");
        out.append("streamscore_outcomes_written_total ").append(outcomesWrittenCount()).append('\n');
        PrometheusFormat.header(out, "streamscore_quality_outcomes_total", "counter", "Outcomes read by the quality "
                + "aggregation, per window size and what became of them.");
        for (Map.Entry<String, Map<QualityReason, LongAdder>> w : quality.entrySet()) {
            for (QualityReason r : QualityReason.values()) {
                out.append("streamscore_quality_outcomes_total{window=\"").append(PrometheusFormat.escape(w.getKey()))
                        .append("\",reason=\"").append(r.name()).append("\"} ").append(w.getValue().get(r).sum())
                        .append('\n');
            }
        }
        PrometheusFormat.header(out, "streamscore_quality_records_total", "counter",
                "Quality records written (first revisions and corrections).");
        out.append("streamscore_quality_records_total ").append(qualityRecordsCount()).append('\n');

        Map<QualityKey, QualityWindow> shown = latestQuality();
        gauge(out, shown, "streamscore_model_quality_window_end_seconds", "End of the newest closed quality window "
                + "whose figures the streamscore_model_* quality gauges show (epoch seconds).", w -> w.windowEndMs() / 1000.0);
        gauge(out, shown, "streamscore_model_quality_count", "Outcomes in that window.", w -> w.figures().count());
        gauge(out, shown, "streamscore_model_log_loss", "Mean log-loss in that window.", w -> w.figures().logLoss());
        gauge(out, shown, "streamscore_model_brier_score", "Brier score in that window.", w -> w.figures().brierScore());
        gauge(out, shown, "streamscore_model_accuracy", "Accuracy at the model's threshold in that window.",
                w -> w.figures().accuracy());
        gauge(out, shown, "streamscore_model_precision", "Precision at the model's threshold in that window (NaN with "
                + "no positive prediction).", w -> w.figures().precision());
        gauge(out, shown, "streamscore_model_recall", "Recall at the model's threshold in that window (NaN with no "
                + "positive label).", w -> w.figures().recall());
        gauge(out, shown, "streamscore_model_roc_auc", "ROC AUC from the score histogram in that window (NaN without "
                + "both classes).", w -> w.figures().rocAuc());
        gauge(out, shown, "streamscore_model_roc_auc_error_bound", "Bound on |streamscore_model_roc_auc - exact AUC| "
                + "in that window.", w -> w.figures().rocAucErrorBound());
    }

    private static void gauge(StringBuilder out, Map<QualityKey, QualityWindow> shown, String name, String help,
                              ToDoubleFunction<QualityWindow> value) {
        PrometheusFormat.header(out, name, "gauge", help);
        for (Map.Entry<QualityKey, QualityWindow> e : shown.entrySet()) {
            QualityKey k = e.getKey();
            out.append(name).append("{model_id=\"").append(PrometheusFormat.escape(k.modelId())).append("\",version=\"")
                    .append(k.version()).append("\",window=\"").append(PrometheusFormat.escape(k.window()))
                    .append("\"} ").append(value.applyAsDouble(e.getValue())).append('\n');
        }
    }
}
