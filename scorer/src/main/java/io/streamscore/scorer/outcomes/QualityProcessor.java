package io.streamscore.scorer.outcomes;

import io.streamscore.common.outcome.DurationText;
import io.streamscore.common.outcome.QualityAccumulator;
import io.streamscore.common.outcome.QualityJson;
import io.streamscore.common.outcome.QualityObservation;
import io.streamscore.common.outcome.QualityWindow;
import io.streamscore.scorer.outcomes.OutcomeMetrics.QualityKey;
import io.streamscore.scorer.outcomes.OutcomeMetrics.QualityReason;
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
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Aggregates outcomes into tumbling quality windows per model version and window size, after the repartition by
 * {@code MODEL@vVERSION} (so one task sees every outcome of a model version, from every partition and instance), and
 * writes one record per window to the quality topic.
 *
 * <p>Time is label time. A window holds the outcomes whose {@code labelledAt} falls in it (epoch-aligned,
 * {@link QualityWindow#windowStart}). The task's quality clock is the highest {@code labelledAt} it has read (kept in
 * the store, so it survives restarts). A window's first record (revision 1) is written once the clock reaches its end
 * plus the grace. An outcome that comes later for a written window updates it, and the corrected figures are written
 * as the next revision within a second (wall clock), several late outcomes in one revision. A written window is kept
 * until the clock passes its end plus {@link OutcomesConfig#qualityRetention}; an outcome for a window older than that
 * is counted {@code TOO_LATE} and not added anywhere. So the highest revision of each window equals what the outcomes
 * topic gives offline, whatever the order the outcomes were read in, unless TOO_LATE says otherwise.
 *
 * <p>The windows are in a RocksDB store with a changelog and caching (the figures of one window are rewritten for every
 * outcome; the cache turns that into one changelog record per window and commit). Under exactly-once the store, the
 * clock and the records written commit together.
 */
final class QualityProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger log = LoggerFactory.getLogger(QualityProcessor.class);
    private static final Bytes CLOCK = Bytes.wrap(new byte[]{0});
    private static final byte FORMAT = 1;
    /** How often (wall clock) corrections of written windows are written. */
    static final Duration CORRECTION_INTERVAL = Duration.ofSeconds(1);

    /** A configured window size and its name. */
    record Size(String name, long ms) {
        static Size of(Duration d) {
            return new Size(DurationText.format(d), d.toMillis());
        }
    }

    /** One window's state: its identity, whether (and how often) it was written, whether it changed since. */
    private static final class Window {
        final String modelId;
        final long version;
        final Size size;
        final long start;
        boolean emitted;
        boolean dirty;
        int revision;
        QualityAccumulator sums;

        Window(String modelId, long version, Size size, long start) {
            this.modelId = modelId;
            this.version = version;
            this.size = size;
            this.start = start;
        }

        byte[] toBytes() {
            byte[] a = sums.toBytes();
            return ByteBuffer.allocate(1 + 1 + 1 + 4 + a.length).put(FORMAT).put((byte) (emitted ? 1 : 0))
                    .put((byte) (dirty ? 1 : 0)).putInt(revision).put(a).array();
        }
    }

    private final String storeName;
    private final List<Size> sizes;
    private final Map<Long, Size> sizeByMs = new HashMap<>();
    private final long graceMs;
    private final long retentionMs;
    private final OutcomeMetrics metrics;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Bytes, byte[]> store;
    private long clock;
    /** Decoded windows: every unwritten one, and written ones with a correction to write. */
    private final Map<Bytes, Window> live = new HashMap<>();
    /** Unwritten windows by when the clock closes them (end + grace). */
    private final TreeMap<Long, Set<Bytes>> closing = new TreeMap<>();
    /** Written windows by when the clock drops them (end + retention). */
    private final TreeMap<Long, Set<Bytes>> dropping = new TreeMap<>();
    private final Set<Bytes> dirty = new LinkedHashSet<>();
    /** The gauge series this task has shown, forgotten when it closes (its model versions move with it). */
    private final Set<QualityKey> shown = new HashSet<>();
    private boolean warnedTooLate;

    QualityProcessor(String storeName, OutcomesConfig config, OutcomeMetrics metrics) {
        this.storeName = storeName;
        this.sizes = config.qualityWindows().stream().map(Size::of).toList();
        sizes.forEach(s -> sizeByMs.put(s.ms(), s));
        this.graceMs = config.qualityGrace().toMillis();
        this.retentionMs = config.qualityRetention().toMillis();
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        live.clear();
        closing.clear();
        dropping.clear();
        dirty.clear();
        clock = Long.MIN_VALUE;
        restore();
        context.schedule(CORRECTION_INTERVAL, PunctuationType.WALL_CLOCK_TIME, now -> writeCorrections());
    }

    /** Rebuilds the in-memory indexes from the store, and shows the newest written window of each series. */
    private void restore() {
        Map<QualityKey, KeyValue<Bytes, byte[]>> newest = new HashMap<>();
        List<Bytes> unconfigured = new java.util.ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                if (kv.key.equals(CLOCK)) {
                    clock = ByteBuffer.wrap(kv.value).getLong();
                    continue;
                }
                Window w = header(kv.key, kv.value);
                if (w == null) {
                    unconfigured.add(kv.key); // a window size no longer configured
                    continue;
                }
                if (!w.emitted) {
                    w.sums = sums(kv.value);
                    live.put(kv.key, w);
                    index(closing, w.start + w.size.ms() + graceMs, kv.key);
                    continue;
                }
                index(dropping, w.start + w.size.ms() + retentionMs, kv.key);
                if (w.dirty) {
                    w.sums = sums(kv.value);
                    live.put(kv.key, w);
                    dirty.add(kv.key);
                }
                QualityKey series = new QualityKey(w.modelId, w.version, w.size.name());
                KeyValue<Bytes, byte[]> other = newest.get(series);
                if (other == null || header(other.key, other.value).start < w.start) {
                    newest.put(series, kv);
                }
            }
        }
        unconfigured.forEach(store::delete);
        for (KeyValue<Bytes, byte[]> kv : newest.values()) {
            Window w = header(kv.key, kv.value);
            w.sums = sums(kv.value);
            metrics.show(record(w, w.revision, 0L));
            shown.add(new QualityKey(w.modelId, w.version, w.size.name()));
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        QualityObservation o = OutcomeReader.decode(record.value());
        if (o.labelledAt() > clock) {
            clock = o.labelledAt();
            store.put(CLOCK, ByteBuffer.allocate(8).putLong(clock).array());
        }
        for (Size size : sizes) {
            long start = QualityWindow.windowStart(o.labelledAt(), size.ms());
            Bytes key = key(size, start, o.modelId(), o.modelVersion());
            Window w = live.get(key);
            if (w == null) {
                byte[] stored = store.get(key);
                if (stored != null) {
                    w = header(key, stored);
                    w.sums = sums(stored);
                } else if (start + size.ms() + retentionMs <= clock) {
                    metrics.quality(size.name(), QualityReason.TOO_LATE);
                    if (!warnedTooLate) {
                        warnedTooLate = true;
                        log.warn("An outcome came after its quality window was dropped; not counted in it: model id={},"
                                        + " version={}, window={} starting {}, labelledAt={}, quality clock={} (counted "
                                        + "in streamscore_quality_outcomes_total{{reason=\"TOO_LATE\"}}, not logged "
                                        + "again by this task)", o.modelId(), o.modelVersion(), size.name(),
                                java.time.Instant.ofEpochMilli(start), o.labelledAt(), clock);
                    }
                    continue;
                } else {
                    w = new Window(o.modelId(), o.modelVersion(), size, start);
                    w.sums = new QualityAccumulator();
                    index(closing, start + size.ms() + graceMs, key);
                }
                live.put(key, w);
            }
            w.sums.add(o);
            if (w.emitted && !w.dirty) {
                w.dirty = true;
                dirty.add(key);
            }
            store.put(key, w.toBytes());
            metrics.quality(size.name(), QualityReason.AGGREGATED);
        }
        closeAndDrop();
    }

    /** Writes the windows the clock has closed (revision 1) and drops those it has left behind. */
    private void closeAndDrop() {
        while (!closing.isEmpty() && closing.firstKey() <= clock) {
            for (Bytes key : closing.pollFirstEntry().getValue()) {
                Window w = live.remove(key);
                emit(key, w);
                index(dropping, w.start + w.size.ms() + retentionMs, key);
            }
        }
        while (!dropping.isEmpty() && dropping.firstKey() <= clock) {
            for (Bytes key : dropping.pollFirstEntry().getValue()) {
                if (dirty.remove(key)) {
                    emit(key, live.get(key));
                }
                live.remove(key);
                store.delete(key);
            }
        }
    }

    /** Writes the next revision of every written window that changed since its last one. */
    private void writeCorrections() {
        for (Bytes key : dirty) {
            emit(key, live.remove(key));
        }
        dirty.clear();
    }

    private void emit(Bytes key, Window w) {
        w.revision++;
        w.emitted = true;
        w.dirty = false;
        store.put(key, w.toBytes());
        QualityWindow q = record(w, w.revision, context.currentSystemTimeMs());
        context.forward(new Record<>(q.key().getBytes(StandardCharsets.UTF_8), QualityJson.toBytes(q), q.windowEndMs(),
                new RecordHeaders()));
        metrics.qualityWritten(q);
        shown.add(new QualityKey(w.modelId, w.version, w.size.name()));
    }

    private static QualityWindow record(Window w, int revision, long emittedAt) {
        return new QualityWindow(w.modelId, w.version, w.size.name(), w.size.ms(), w.start, revision, emittedAt,
                w.sums.figures());
    }

    @Override
    public void close() {
        metrics.forgetQuality(shown);
        shown.clear();
    }

    // ---- store layout: key = size(8) start(8, sign flipped) version(8) modelId; value = format emitted dirty revision sums

    private static Bytes key(Size size, long start, String modelId, long version) {
        byte[] id = modelId.getBytes(StandardCharsets.UTF_8);
        return Bytes.wrap(ByteBuffer.allocate(24 + id.length).putLong(size.ms()).putLong(start ^ Long.MIN_VALUE)
                .putLong(version).put(id).array());
    }

    /** The window of a stored entry without its sums; null for a size no longer configured. */
    private Window header(Bytes key, byte[] value) {
        ByteBuffer k = ByteBuffer.wrap(key.get());
        Size size = sizeByMs.get(k.getLong());
        if (size == null) {
            return null;
        }
        long start = k.getLong() ^ Long.MIN_VALUE;
        long version = k.getLong();
        String modelId = new String(key.get(), 24, key.get().length - 24, StandardCharsets.UTF_8);
        Window w = new Window(modelId, version, size, start);
        ByteBuffer v = ByteBuffer.wrap(value);
        if (v.get() != FORMAT) {
            throw new IllegalStateException("quality window of format " + value[0] + "; this version reads " + FORMAT);
        }
        w.emitted = v.get() == 1;
        w.dirty = v.get() == 1;
        w.revision = v.getInt();
        return w;
    }

    private static QualityAccumulator sums(byte[] value) {
        return QualityAccumulator.fromBytes(Arrays.copyOfRange(value, 7, value.length));
    }

    private static void index(TreeMap<Long, Set<Bytes>> by, long at, Bytes key) {
        by.computeIfAbsent(at, t -> new LinkedHashSet<>()).add(key);
    }
}
