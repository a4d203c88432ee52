package io.streamscore.scorer.drift;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.drift.DriftBaseline;
import io.streamscore.common.drift.DriftBaselineJson;
import io.streamscore.common.outcome.DurationText;
import io.streamscore.scorer.drift.DriftMetrics.EventReason;
import io.streamscore.scorer.outcomes.ScoredEvent;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The first half of drift, in the scoring task: counts every champion score of a model version with a drift baseline
 * into its windows (by the event's record timestamp), and sends the task's running totals on to the drift task.
 *
 * <p>Per event: the bin of each feature value and of the probability ({@link DriftBaseline#slotsOf}); then per window
 * size, the increments and one put of the window's counts into a RocksDB store with caching and a changelog. The cache keeps the puts of a
 * commit interval in memory and writes the last one, so the store, its changelog and the task's offsets commit
 * together: under exactly-once a crash neither loses nor double-counts an event. The windows are also held decoded in
 * memory (read from the store at start), so an event costs no store read.
 *
 * <p>Every second (wall clock) the windows that changed are forwarded as {@link DriftPartial}s, the task's total for the
 * window, keyed {@code MODEL@vVERSION} for the repartition to the drift task. A total replaces the one before it, so
 * the first forward after a start sends every stored window again, harmlessly: what was counted but not yet forwarded
 * when the task last stopped is sent then.
 *
 * <p>The task's drift clock is the largest event timestamp it has counted. A window is dropped once the clock passes
 * its end + grace + its size ({@link DriftConfig#retention}); an event for a window already dropped is counted
 * TOO_LATE and not counted in it (its partial total would otherwise start again from zero).
 */
final class DriftCountProcessor implements Processor<byte[], ScoredEvent, byte[], byte[]> {
    private static final Logger log = LoggerFactory.getLogger(DriftCountProcessor.class);
    /** How often (wall clock) the windows that changed are forwarded to the drift task. */
    static final Duration FORWARD_INTERVAL = Duration.ofSeconds(1);
    private static final Bytes CLOCK = Bytes.wrap(new byte[]{0});
    private static final byte FORMAT = 1;
    static final int COUNTS = 0;
    static final int BASELINE = 1;

    /** A configured window size: its name, length and how long past its end it is kept. */
    record Size(String name, long ms, long retentionMs) {
    }

    /** One window's counts, decoded and as stored, and its store keys. */
    private static final class Window {
        final WindowId id;
        final Bytes countsKey;
        DriftBaseline baseline;
        final byte[] baselineJson;
        final long[] counts;
        /**
         * The counts as the store holds them ({@link #encodeCounts}), updated in place with {@link #counts} and put
         * again after every event. The record cache keeps the array it was given until it writes it to RocksDB and
         * the changelog at commit (or on eviction), and both copy the bytes then: what they write is always the counts
         * of every event processed so far, which is what a commit must hold. So an event costs no allocation of the
         * counts, only a few long writes.
         */
        final byte[] stored;
        private final ByteBuffer storedView;
        boolean dirty;

        Window(WindowId id, DriftBaseline baseline, byte[] baselineJson, long[] counts) {
            this.id = id;
            this.countsKey = id.key(COUNTS, 0);
            this.baseline = baseline;
            this.baselineJson = baselineJson;
            this.counts = counts;
            this.stored = encodeCounts(counts);
            this.storedView = ByteBuffer.wrap(stored);
        }

        /** Counts one event given by its slots ({@link DriftBaseline#slotsOf}), in both forms. */
        void add(int[] slots) {
            for (int slot : slots) {
                increment(slot);
            }
            increment(counts.length - 1);
        }

        private void increment(int slot) {
            long v = ++counts[slot];
            storedView.putLong(1 + 8 * slot, v);
        }
    }

    private final String storeName;
    private final List<Size> sizes;
    private final Map<Long, Size> sizeByMs = new HashMap<>();
    private final DriftMetrics metrics;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Bytes, byte[]> store;
    private int source;
    private long clock;
    private long storedClock;
    private final Map<WindowId, Window> live = new HashMap<>();
    /** Windows by when the clock drops them (end + retention). */
    private final TreeMap<Long, List<WindowId>> dropping = new TreeMap<>();
    private final Set<Window> dirty = new LinkedHashSet<>();
    private boolean resendAll;
    private final Set<String> warnedNoBaseline = new HashSet<>();
    private boolean warnedTooLate;
    private boolean warnedChanged;

    DriftCountProcessor(String storeName, DriftConfig config, DriftMetrics metrics) {
        this.storeName = storeName;
        this.sizes = config.windows().stream()
                .map(d -> new Size(DurationText.format(d), d.toMillis(), config.retention(d).toMillis())).toList();
        sizes.forEach(s -> sizeByMs.put(s.ms(), s));
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        this.source = context.taskId().partition();
        live.clear();
        dropping.clear();
        dirty.clear();
        clock = Long.MIN_VALUE;
        restore();
        storedClock = clock;
        resendAll = true;
        context.schedule(FORWARD_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> forwardChanged());
    }

    /** Reads every stored window into memory; deletes those of sizes no longer configured. */
    private void restore() {
        Map<WindowId, byte[]> counts = new HashMap<>();
        Map<WindowId, byte[]> baselines = new HashMap<>();
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
                } else if (WindowId.partOf(kv.key) == COUNTS) {
                    counts.put(id, kv.value);
                } else {
                    baselines.put(id, kv.value);
                }
            }
        }
        unconfigured.forEach(store::delete);
        for (Map.Entry<WindowId, byte[]> e : counts.entrySet()) {
            byte[] json = baselines.get(e.getKey());
            if (json == null) {
                throw new IllegalStateException("drift window " + e.getKey() + " has counts but no baseline in store "
                        + storeName);
            }
            byte[] baselineJson = Arrays.copyOfRange(json, 1, json.length);
            Window w = new Window(e.getKey(), DriftBaselineJson.fromBytes(baselineJson), baselineJson,
                    decodeCounts(e.getValue()));
            live.put(w.id, w);
            index(w.id);
        }
    }

    @Override
    public void process(Record<byte[], ScoredEvent> record) {
        ScoredEvent e = record.value();
        LogisticModel model = e.model();
        DriftBaseline b = model.driftBaseline();
        if (b == null) {
            noBaseline(model);
            return;
        }
        long t = record.timestamp();
        if (t > clock) {
            clock = t;
        }
        int[] slots = null; // the event's bins, computed once for all its windows
        for (Size size : sizes) {
            WindowId id = new WindowId(model.modelId(), model.version(), size.ms(), Math.floorDiv(t, size.ms()) * size.ms());
            Window w = live.get(id);
            if (w == null) {
                if (id.end() + size.retentionMs() <= clock) {
                    tooLate(model, size, id);
                    continue;
                }
                w = open(id, b);
            } else if (w.baseline != b) {
                if (!w.baseline.equals(b)) {
                    baselineChanged(model, size);
                    continue;
                }
                w.baseline = b; // the same baseline decoded from the store: compare once
            }
            if (slots == null) {
                slots = new int[b.featureNames().size() + 1];
                b.slotsOf(e.x(), e.score().probability(), slots);
            }
            w.add(slots);
            store.put(w.countsKey, w.stored);
            if (!w.dirty) {
                w.dirty = true;
                dirty.add(w);
            }
            metrics.event(size.name(), EventReason.COUNTED);
        }
        if (!dropping.isEmpty() && dropping.firstKey() <= clock) {
            drop();
        }
    }

    private Window open(WindowId id, DriftBaseline b) {
        byte[] json = DriftBaselineJson.toBytes(b);
        Window w = new Window(id, b, json, new long[b.slots()]);
        store.put(id.key(BASELINE, 0), ByteBuffer.allocate(1 + json.length).put(FORMAT).put(json).array());
        live.put(id, w);
        index(id);
        return w;
    }

    private void index(WindowId id) {
        dropping.computeIfAbsent(id.end() + sizeByMs.get(id.sizeMs()).retentionMs(), t -> new ArrayList<>()).add(id);
    }

    /** Drops the windows the clock has left behind, forwarding the last total of those that changed. */
    private void drop() {
        storeClock(); // a restart must not take an event for a dropped window as the first of a new one
        while (!dropping.isEmpty() && dropping.firstKey() <= clock) {
            for (WindowId id : dropping.pollFirstEntry().getValue()) {
                Window w = live.remove(id);
                if (w == null) {
                    continue;
                }
                if (dirty.remove(w)) {
                    forward(w);
                }
                store.delete(w.countsKey);
                store.delete(id.key(BASELINE, 0));
            }
        }
    }

    /** Forwards the total of every window that changed since the last forward (every window after a start). */
    private void forwardChanged() {
        if (resendAll) {
            resendAll = false;
            dirty.addAll(live.values());
        }
        storeClock();
        for (Window w : dirty) {
            forward(w);
        }
        dirty.clear();
    }

    private void forward(Window w) {
        w.dirty = false;
        DriftPartial p = new DriftPartial(source, clock, w.id.sizeMs(), w.id.start(), w.id.version(), w.id.modelId(),
                w.counts, w.baselineJson);
        context.forward(new Record<>(DriftPartial.modelKey(w.id.modelId(), w.id.version()), p.toBytes(),
                Math.max(0, clock), new RecordHeaders()));
    }

    private void storeClock() {
        if (clock != storedClock) {
            store.put(CLOCK, ByteBuffer.allocate(8).putLong(clock).array());
            storedClock = clock;
        }
    }

    private void noBaseline(LogisticModel model) {
        for (Size size : sizes) {
            metrics.event(size.name(), EventReason.NO_BASELINE);
        }
        if (warnedNoBaseline.add(model.modelId() + "@v" + model.version())) {
            log.warn("Model id={} version={} has no drift baseline (trained before drift existed, or written without "
                            + "one): its scores are not counted for drift and it gets no drift record (counted in "
                            + "streamscore_drift_events_total{reason=\"NO_BASELINE\"}; not logged again by this task for "
                            + "this version). Retrain it to get one.", model.modelId(), model.version());
        }
    }

    private void tooLate(LogisticModel model, Size size, WindowId id) {
        metrics.event(size.name(), EventReason.TOO_LATE);
        if (!warnedTooLate) {
            warnedTooLate = true;
            log.warn("A score came after its drift window was dropped; not counted in it: model id={}, version={}, "
                            + "window={} starting {}, drift clock={} (counted in streamscore_drift_events_total"
                            + "{reason=\"TOO_LATE\"}, not logged again by this task)", model.modelId(), model.version(),
                    size.name(), java.time.Instant.ofEpochMilli(id.start()), clock);
        }
    }

    private void baselineChanged(LogisticModel model, Size size) {
        metrics.event(size.name(), EventReason.BASELINE_CHANGED);
        if (!warnedChanged) {
            warnedChanged = true;
            log.warn("Model id={} version={} now has another drift baseline than when its open drift windows started "
                            + "(its version key was rewritten); its scores are not counted in those windows (counted in "
                            + "streamscore_drift_events_total{reason=\"BASELINE_CHANGED\"}, not logged again by this "
                            + "task)", model.modelId(), model.version());
        }
    }

    static byte[] encodeCounts(long[] counts) {
        ByteBuffer b = ByteBuffer.allocate(1 + 8 * counts.length).put(FORMAT);
        b.asLongBuffer().put(counts);
        return b.array();
    }

    static long[] decodeCounts(byte[] bytes) {
        if (bytes[0] != FORMAT) {
            throw new IllegalStateException("drift counts of format " + bytes[0] + "; this version reads " + FORMAT);
        }
        long[] counts = new long[(bytes.length - 1) / 8];
        ByteBuffer.wrap(bytes, 1, bytes.length - 1).asLongBuffer().get(counts);
        return counts;
    }
}
