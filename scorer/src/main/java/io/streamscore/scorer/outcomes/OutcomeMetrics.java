package io.streamscore.scorer.outcomes;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.streamscore.common.outcome.QualityWindow;

import java.util.ArrayList;
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
 * outcome the quality aggregation reads is counted once per window size. Registered in the scorer's registry
 * ({@link #bindTo}) only once labels are on ({@link #enable}), so without labels none of these series exists.
 */
public final class OutcomeMetrics implements MeterBinder {
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
    private final Map<QualityKey, List<Meter>> qualityGauges = new ConcurrentHashMap<>();
    private volatile boolean enabled;
    private MeterRegistry registry; // guarded by this
    private boolean registered; // guarded by this

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
        registerCounters();
    }

    /**
     * Where the series go: the counters are registered once labels are on (now, or at {@link #enable}), each model
     * version's quality gauges when its first window is shown.
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        this.registry = registry;
        registerCounters();
        latest.keySet().forEach(this::registerGauges);
    }

    private synchronized void registerCounters() {
        if (registry == null || !enabled || registered) {
            return;
        }
        registered = true;
        for (LabelReason r : LabelReason.values()) {
            FunctionCounter.builder("streamscore.labels", labels.get(r), LongAdder::sum)
                    .description("Label records by what became of them: joined with their score (JOINED, "
                            + "JOINED_LABEL_FIRST) or dead-lettered (the others).")
                    .tag("reason", r.name()).register(registry);
        }
        FunctionCounter.builder("streamscore.labels.held", labelsHeld, LongAdder::sum)
                .description("Labels read before their score and held for it (each is later counted in "
                        + "streamscore_labels_total).").register(registry);
        for (ScoreReason r : ScoreReason.values()) {
            FunctionCounter.builder("streamscore.labelled.scores", scores.get(r), LongAdder::sum)
                    .description("Champion scores by what became of them once labels are on: labelled, expired "
                            + "unlabelled, or not kept (no event id, duplicate event id).")
                    .tag("reason", r.name()).register(registry);
        }
        FunctionCounter.builder("streamscore.outcomes.written", outcomesWritten, LongAdder::sum)
                .description("Outcome records written.").register(registry);
        for (Map.Entry<String, Map<QualityReason, LongAdder>> w : quality.entrySet()) {
            for (QualityReason r : QualityReason.values()) {
                FunctionCounter.builder("streamscore.quality.outcomes", w.getValue().get(r), LongAdder::sum)
                        .description("Outcomes read by the quality aggregation, per window size and what became of "
                                + "them.")
                        .tags("window", w.getKey(), "reason", r.name()).register(registry);
            }
        }
        FunctionCounter.builder("streamscore.quality.records", qualityRecords, LongAdder::sum)
                .description("Quality records written (first revisions and corrections).").register(registry);
    }

    /** The quality gauges of one model version and window size, reading its newest shown window at scrape time. */
    private void registerGauges(QualityKey key) {
        MeterRegistry r;
        synchronized (this) {
            r = registry;
        }
        if (r == null || qualityGauges.containsKey(key)) {
            return;
        }
        List<Meter> meters = new ArrayList<>(QUALITY_GAUGES.size());
        for (QualityGauge g : QUALITY_GAUGES) {
            meters.add(Gauge.builder(g.name(), latest, m -> {
                        QualityWindow w = m.get(key);
                        return w == null ? Double.NaN : g.value().applyAsDouble(w);
                    })
                    .description(g.help())
                    .tags("model_id", key.modelId(), "version", Long.toString(key.version()), "window", key.window())
                    .register(r));
        }
        if (qualityGauges.putIfAbsent(key, meters) != null) {
            return; // registered concurrently: the registry returned the same meters
        }
        if (!latest.containsKey(key)) { // forgotten meanwhile
            forgetQuality(List.of(key));
        }
    }

    /** One quality gauge: its Prometheus name, help and value. */
    private record QualityGauge(String name, String help, ToDoubleFunction<QualityWindow> value) {
    }

    private static final List<QualityGauge> QUALITY_GAUGES = List.of(
            new QualityGauge("streamscore.model.quality.window.end.seconds", "End of the newest closed quality window "
                    + "whose figures the streamscore_model_* quality gauges show (epoch seconds).",
                    w -> w.windowEndMs() / 1000.0),
            new QualityGauge("streamscore.model.quality.count", "Outcomes in that window.", w -> w.figures().count()),
            new QualityGauge("streamscore.model.log.loss", "Mean log-loss in that window.", w -> w.figures().logLoss()),
            new QualityGauge("streamscore.model.brier.score", "Brier score in that window.",
                    w -> w.figures().brierScore()),
            new QualityGauge("streamscore.model.accuracy", "Accuracy at the model's threshold in that window.",
                    w -> w.figures().accuracy()),
            new QualityGauge("streamscore.model.precision", "Precision at the model's threshold in that window (NaN "
                    + "with no positive prediction).", w -> w.figures().precision()),
            new QualityGauge("streamscore.model.recall", "Recall at the model's threshold in that window (NaN with no "
                    + "positive label).", w -> w.figures().recall()),
            new QualityGauge("streamscore.model.roc.auc", "ROC AUC from the score histogram in that window (NaN "
                    + "without both classes).", w -> w.figures().rocAuc()),
            new QualityGauge("streamscore.model.roc.auc.error.bound", "Bound on |streamscore_model_roc_auc - exact "
                    + "AUC| in that window.", w -> w.figures().rocAucErrorBound()));

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
        QualityKey key = new QualityKey(w.modelId(), w.modelVersion(), w.window());
        latest.merge(key, w, (old, now) -> now.windowStartMs() >= old.windowStartMs() ? now : old);
        if (!qualityGauges.containsKey(key)) {
            registerGauges(key);
        }
    }

    /** The series this instance no longer computes (their quality task moved away): their gauges go too. */
    public void forgetQuality(Collection<QualityKey> keys) {
        for (QualityKey k : keys) {
            latest.remove(k);
            List<Meter> meters = qualityGauges.remove(k);
            if (meters != null) {
                MeterRegistry r;
                synchronized (this) {
                    r = registry;
                }
                meters.forEach(r::remove);
            }
        }
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
}
