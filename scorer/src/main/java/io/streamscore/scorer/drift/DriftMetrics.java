package io.streamscore.scorer.drift;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.streamscore.common.drift.DriftWindow;

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

/**
 * The counters and gauges of drift (docs/drift.md), part of the scorer's {@code /metrics}. Every champion score is
 * counted once per window size under one reason; the gauges show the newest written window of each model version and
 * window size. Recording methods take plain arguments; the counters are adders that the scorer's registry reads at
 * scrape time ({@link #bindTo}), registered only once drift is on ({@link #enable}), so without drift none of these
 * series exists. A model version's gauges are registered when its first window is shown, an alert counter at its
 * first alert.
 */
public final class DriftMetrics implements MeterBinder {
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
    private final Map<SeriesKey, List<Meter>> gauges = new ConcurrentHashMap<>();
    private volatile boolean enabled;
    private MeterRegistry registry; // guarded by this
    private boolean registered; // guarded by this

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
        registerCounters();
    }

    /**
     * Where the series go: the counters are registered once drift is on (now, or at {@link #enable}), each model
     * version's gauges when its first window is shown, each alert counter at its first alert.
     */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        this.registry = registry;
        registerCounters();
        alerts.forEach(this::registerAlert);
        latest.forEach((key, w) -> registerGauges(key, w));
    }

    private synchronized void registerCounters() {
        if (registry == null || !enabled || registered) {
            return;
        }
        registered = true;
        for (Map.Entry<String, Map<EventReason, LongAdder>> w : events.entrySet()) {
            for (EventReason r : EventReason.values()) {
                FunctionCounter.builder("streamscore.drift.events", w.getValue().get(r), LongAdder::sum)
                        .description("Champion scores seen by the drift count, per window size and what became of "
                                + "them.")
                        .tags("window", w.getKey(), "reason", r.name()).register(registry);
            }
        }
        FunctionCounter.builder("streamscore.drift.records", records, LongAdder::sum)
                .description("Drift records written (first revisions and corrections).").register(registry);
        FunctionCounter.builder("streamscore.drift.partials.dropped", partialsDropped, LongAdder::sum)
                .description("Partial counts that came to the drift task after it had dropped their window (a "
                        + "scoring task far behind the others).").register(registry);
    }

    private synchronized void registerAlert(AlertKey k, LongAdder count) {
        if (registry == null) {
            return;
        }
        FunctionCounter.builder("streamscore.drift.alerts", count, LongAdder::sum)
                .description("Windows in which a feature's PSI (or the score's, feature=\"score\") reached the "
                        + "threshold, counted once per window and feature.")
                .tags("model_id", k.modelId(), "version", Long.toString(k.version()), "feature", k.feature())
                .register(registry);
    }

    /** The gauges of one model version and window size, reading its newest shown window at scrape time. */
    private synchronized void registerGauges(SeriesKey key, DriftWindow first) {
        if (registry == null || gauges.containsKey(key)) {
            return;
        }
        String[] tags = {"model_id", key.modelId(), "version", Long.toString(key.version()), "window", key.window()};
        List<Meter> meters = new ArrayList<>();
        meters.add(Gauge.builder("streamscore.model.drift.window.end.seconds", latest, m -> value(m, key,
                        w -> w.windowEndMs() / 1000.0))
                .description("End of the newest written drift window whose PSIs the drift gauges show (epoch "
                        + "seconds).").tags(tags).register(registry));
        meters.add(Gauge.builder("streamscore.model.drift.count", latest, m -> value(m, key, w -> w.count()))
                .description("Events counted in that window.").tags(tags).register(registry));
        meters.add(Gauge.builder("streamscore.model.score.psi", latest, m -> value(m, key, DriftWindow::scorePsi))
                .description("PSI of the model's probability in that window against its training distribution.")
                .tags(tags).register(registry));
        for (String feature : first.featurePsi().keySet()) {
            meters.add(Gauge.builder("streamscore.model.feature.psi", latest, m -> value(m, key, w -> {
                        Double psi = w.featurePsi().get(feature);
                        return psi == null ? Double.NaN : psi;
                    }))
                    .description("PSI of each feature in that window against its training distribution.")
                    .tags(tags).tag("feature", feature).register(registry));
        }
        gauges.put(key, meters);
    }

    private static double value(Map<SeriesKey, DriftWindow> shown, SeriesKey key,
                                java.util.function.ToDoubleFunction<DriftWindow> f) {
        DriftWindow w = shown.get(key);
        return w == null ? Double.NaN : f.applyAsDouble(w);
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
        alerts.computeIfAbsent(new AlertKey(modelId, version, feature), k -> {
            LongAdder count = new LongAdder();
            registerAlert(k, count);
            return count;
        }).increment();
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
        SeriesKey key = new SeriesKey(w.modelId(), w.modelVersion(), w.window());
        latest.merge(key, w, (old, now) -> now.windowStartMs() >= old.windowStartMs() ? now : old);
        registerGauges(key, w);
    }

    /** The series this instance no longer computes (their drift task moved away). */
    public void forget(Collection<SeriesKey> keys) {
        for (SeriesKey k : keys) {
            latest.remove(k);
            List<Meter> meters = gauges.remove(k);
            if (meters != null) {
                synchronized (this) {
                    meters.forEach(registry::remove);
                }
            }
        }
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
}
