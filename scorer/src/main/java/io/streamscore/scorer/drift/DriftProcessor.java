package io.streamscore.scorer.drift;

import io.streamscore.common.drift.DriftBaseline;
import io.streamscore.common.drift.DriftBaselineJson;
import io.streamscore.common.drift.DriftJson;
import io.streamscore.common.drift.DriftWindow;
import io.streamscore.common.outcome.DurationText;
import io.streamscore.scorer.drift.DriftMetrics.SeriesKey;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The second half of drift, after the repartition by {@code MODEL@vVERSION}: sums the scoring tasks' running totals of
 * each window ({@link DriftPartial}, the latest per task) and writes one record per window to the drift topic, with
 * corrections as later totals come.
 *
 * <p>The drift clock here is the largest clock of the scoring tasks that sent a total (kept in the store). Every second
 * (wall clock) each window that changed is written once the clock has passed its end + grace: revision 1, then 2, 3, …
 * as totals change it. A window is kept until the clock passes its end + grace + its size, then dropped (after a last
 * revision when it changed); a total that comes for a window already dropped is counted and logged once, not added.
 *
 * <p>For each written revision, a feature (or the score) whose PSI reaches the threshold for the first time in the
 * window is logged at WARN and counted once in {@code streamscore_drift_alerts_total}; the window's PSIs become the
 * gauges of its model version and window size when it is the newest written.
 *
 * <p>Store layout: the clock; per window a meta part (revision, whether it changed, the alerts already raised), the
 * baseline (written once) and one part per scoring task with its latest total. Under exactly-once the store, the
 * clock and the records written commit together.
 */
final class DriftProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger log = LoggerFactory.getLogger(DriftProcessor.class);
    /** How often (wall clock) changed windows are written. */
    static final Duration WRITE_INTERVAL = Duration.ofSeconds(1);
    private static final Bytes CLOCK = Bytes.wrap(new byte[]{0});
    private static final byte FORMAT = 1;
    static final int META = 0;
    static final int PARTIAL = 1;
    static final int BASELINE = 2;

    /** A configured window size. */
    record Size(String name, long ms, long retentionMs) {
    }

    /** One window: its baseline, the latest total of each scoring task, and how far it was written. */
    private static final class Window {
        final WindowId id;
        final Size size;
        final DriftBaseline baseline;
        final TreeMap<Integer, long[]> partials = new TreeMap<>();
        int revision;
        boolean dirty;
        boolean[] alerted;

        Window(WindowId id, Size size, DriftBaseline baseline) {
            this.id = id;
            this.size = size;
            this.baseline = baseline;
            this.alerted = new boolean[baseline.featureNames().size() + 1];
        }

        long[] totals() {
            long[] sum = new long[baseline.slots()];
            for (long[] p : partials.values()) {
                for (int i = 0; i < sum.length; i++) {
                    sum[i] += p[i];
                }
            }
            return sum;
        }

        byte[] meta() {
            ByteBuffer b = ByteBuffer.allocate(1 + 4 + 1 + 4 + alerted.length).put(FORMAT).putInt(revision)
                    .put((byte) (dirty ? 1 : 0)).putInt(alerted.length);
            for (boolean a : alerted) {
                b.put((byte) (a ? 1 : 0));
            }
            return b.array();
        }
    }

    private final String storeName;
    private final Map<Long, Size> sizeByMs = new HashMap<>();
    private final long graceMs;
    private final double threshold;
    private final DriftMetrics metrics;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Bytes, byte[]> store;
    private long clock;
    private final Map<WindowId, Window> live = new HashMap<>();
    private final TreeMap<Long, List<WindowId>> dropping = new TreeMap<>();
    private final Set<SeriesKey> shown = new HashSet<>();
    private boolean warnedDropped;
    private boolean warnedSize;
    private boolean warnedShape;

    DriftProcessor(String storeName, DriftConfig config, DriftMetrics metrics) {
        this.storeName = storeName;
        for (Duration d : config.windows()) {
            sizeByMs.put(d.toMillis(), new Size(DurationText.format(d), d.toMillis(), config.retention(d).toMillis()));
        }
        this.graceMs = config.grace().toMillis();
        this.threshold = config.threshold();
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        live.clear();
        dropping.clear();
        clock = Long.MIN_VALUE;
        restore();
        context.schedule(WRITE_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> writeChanged());
    }

    /** Rebuilds the windows from the store, and shows the newest written window of each series. */
    private void restore() {
        Map<WindowId, byte[]> metas = new HashMap<>();
        Map<WindowId, byte[]> baselines = new HashMap<>();
        Map<WindowId, Map<Integer, long[]>> partials = new HashMap<>();
        List<Bytes> unconfigured = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                if (kv.key.equals(CLOCK)) {
                    clock = ByteBuffer.wrap(kv.value).getLong();
                    continue;
                }
                WindowId id = WindowId.of(kv.key);
                if (!sizeByMs.containsKey(id.sizeMs())) {
                    unconfigured.add(kv.key);
                    continue;
                }
                switch (WindowId.partOf(kv.key)) {
                    case META -> metas.put(id, kv.value);
                    case BASELINE -> baselines.put(id, Arrays.copyOfRange(kv.value, 1, kv.value.length));
                    default -> partials.computeIfAbsent(id, x -> new HashMap<>())
                            .put(WindowId.sourceOf(kv.key), DriftCountProcessor.decodeCounts(kv.value));
                }
            }
        }
        unconfigured.forEach(store::delete);
        Map<SeriesKey, Window> newest = new HashMap<>();
        for (Map.Entry<WindowId, byte[]> e : metas.entrySet()) {
            WindowId id = e.getKey();
            Window w = new Window(id, sizeByMs.get(id.sizeMs()), DriftBaselineJson.fromBytes(baselines.get(id)));
            ByteBuffer m = ByteBuffer.wrap(e.getValue());
            if (m.get() != FORMAT) {
                throw new IllegalStateException("drift window of format " + e.getValue()[0] + "; this version reads "
                        + FORMAT);
            }
            w.revision = m.getInt();
            w.dirty = m.get() == 1;
            boolean[] alerted = new boolean[m.getInt()];
            for (int i = 0; i < alerted.length; i++) {
                alerted[i] = m.get() == 1;
            }
            w.alerted = alerted;
            w.partials.putAll(partials.getOrDefault(id, Map.of()));
            live.put(id, w);
            index(w);
            if (w.revision > 0) {
                newest.merge(series(w), w, (a, b) -> a.id.start() >= b.id.start() ? a : b);
            }
        }
        for (Window w : newest.values()) {
            metrics.show(record(w, 0L));
            shown.add(series(w));
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        DriftPartial p = DriftPartial.fromBytes(record.value());
        Size size = sizeByMs.get(p.sizeMs());
        if (size == null) {
            if (!warnedSize) {
                warnedSize = true;
                log.warn("A drift total for a window size no longer configured ({} ms) is ignored (not logged again by "
                        + "this task)", p.sizeMs());
            }
            return;
        }
        if (p.sourceClock() > clock) {
            clock = p.sourceClock();
            store.put(CLOCK, ByteBuffer.allocate(8).putLong(clock).array());
        }
        WindowId id = new WindowId(p.modelId(), p.version(), p.sizeMs(), p.start());
        Window w = live.get(id);
        if (w == null) {
            if (id.end() + size.retentionMs() <= clock) {
                dropped(p, size);
                drop();
                return;
            }
            w = new Window(id, size, DriftBaselineJson.fromBytes(p.baselineJson()));
            store.put(id.key(BASELINE, 0), ByteBuffer.allocate(1 + p.baselineJson().length).put(FORMAT)
                    .put(p.baselineJson()).array());
            live.put(id, w);
            index(w);
        }
        if (p.counts().length != w.baseline.slots()) {
            if (!warnedShape) {
                warnedShape = true;
                log.warn("A drift total for model id={} version={} has {} counts but the window's baseline has {}; "
                        + "ignored (not logged again by this task)", p.modelId(), p.version(), p.counts().length,
                        w.baseline.slots());
            }
            return;
        }
        w.partials.put(p.source(), p.counts());
        store.put(id.key(PARTIAL, p.source()), DriftCountProcessor.encodeCounts(p.counts()));
        w.dirty = true;
        store.put(id.key(META, 0), w.meta());
        drop();
    }

    private void index(Window w) {
        dropping.computeIfAbsent(w.id.end() + w.size.retentionMs(), t -> new ArrayList<>()).add(w.id);
    }

    /** Writes every changed window the clock has closed (end + grace). */
    private void writeChanged() {
        for (Window w : live.values()) {
            if (w.dirty && w.id.end() + graceMs <= clock) {
                emit(w);
            }
        }
    }

    /** Drops the windows the clock has left behind, writing a last revision of those that changed. */
    private void drop() {
        while (!dropping.isEmpty() && dropping.firstKey() <= clock) {
            for (WindowId id : dropping.pollFirstEntry().getValue()) {
                Window w = live.remove(id);
                if (w == null) {
                    continue;
                }
                if (w.dirty) {
                    emit(w);
                }
                store.delete(id.key(META, 0));
                store.delete(id.key(BASELINE, 0));
                for (int source : w.partials.keySet()) {
                    store.delete(id.key(PARTIAL, source));
                }
            }
        }
    }

    private void emit(Window w) {
        w.revision++;
        w.dirty = false;
        DriftWindow d = record(w, context.currentSystemTimeMs());
        List<String> names = w.baseline.featureNames();
        for (int i = 0; i <= names.size(); i++) {
            String name = i < names.size() ? names.get(i) : DriftWindow.SCORE;
            double psi = i < names.size() ? d.featurePsi().get(name) : d.scorePsi();
            if (psi >= threshold && !w.alerted[i]) {
                w.alerted[i] = true;
                metrics.alert(w.id.modelId(), w.id.version(), name);
                log.warn("Drift: model id={} version={}, window {} starting {}: {} has PSI {} >= {} ({} events; "
                                + "revision {}). Logged once per window and {}", w.id.modelId(), w.id.version(),
                        w.size.name(), Instant.ofEpochMilli(w.id.start()), i < names.size() ? "feature '" + name + "'"
                                : "the score", String.format(java.util.Locale.ROOT, "%.4f", psi), threshold, d.count(),
                        d.revision(), i < names.size() ? "feature" : "the score");
            }
        }
        store.put(w.id.key(META, 0), w.meta());
        context.forward(new Record<>(d.key().getBytes(StandardCharsets.UTF_8), DriftJson.toBytes(d), d.windowEndMs(),
                new RecordHeaders()));
        metrics.recordWritten(d);
        shown.add(series(w));
    }

    private DriftWindow record(Window w, long emittedAt) {
        return DriftWindow.of(w.id.modelId(), w.id.version(), w.size.name(), w.size.ms(), w.id.start(), w.revision,
                emittedAt, threshold, w.baseline, w.totals());
    }

    private void dropped(DriftPartial p, Size size) {
        metrics.partialDropped();
        if (!warnedDropped) {
            warnedDropped = true;
            log.warn("A drift total came after its window was dropped; not added: model id={}, version={}, window={} "
                            + "starting {}, from the scoring task of partition {} (its clock {}), drift clock={} (counted "
                            + "in streamscore_drift_partials_dropped_total, not logged again by this task)", p.modelId(),
                    p.version(), size.name(), Instant.ofEpochMilli(p.start()), p.source(), p.sourceClock(), clock);
        }
    }

    private static SeriesKey series(Window w) {
        return new SeriesKey(w.id.modelId(), w.id.version(), w.size.name());
    }

    @Override
    public void close() {
        metrics.forget(shown);
        shown.clear();
    }
}
