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
 * <p>The windows are in a RocksDB store with a changelog and caching. A window is stored in parts: its sums (counts, the
 * compensated sums, whether and how often it was written) and the {@value QualityAccumulator#CHUNKS} chunks of its
 * histogram, each under its own key, so one outcome rewrites the sums and one chunk (a few hundred bytes) rather than
 * the whole histogram; the cache turns the rewrites of one commit into one changelog record per part. Under
 * exactly-once the store, the clock and the records written commit together.
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
        /** The window's keys (the sums, then each chunk), computed once. */
        Bytes[] keys;
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

        /** The key of the sums part, then of each histogram chunk. */
        Bytes[] keys() {
            if (keys == null) {
                byte[] id = modelId.getBytes(StandardCharsets.UTF_8);
                keys = new Bytes[1 + QualityAccumulator.CHUNKS];
                for (int part = 0; part < keys.length; part++) {
                    keys[part] = partKey(size.ms(), start, version, part, id);
                }
            }
            return keys;
        }

        /** The sums part: the window's flags and revision, then the accumulator's sums. */
        byte[] sumsPart() {
            byte[] a = sums.sumsToBytes();
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
    /** Decoded windows: every unwritten one, and written ones with a correction to write. Keyed by their sums key. */
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
        Map<Bytes, Window> windows = new HashMap<>();
        Map<Bytes, byte[][]> chunks = new HashMap<>();
        Map<Bytes, byte[]> sumsParts = new HashMap<>();
        List<Bytes> unconfigured = new ArrayList<>();
        try (KeyValueIterator<Bytes, byte[]> it = store.all()) {
            while (it.hasNext()) {
                KeyValue<Bytes, byte[]> kv = it.next();
                if (kv.key.equals(CLOCK)) {
                    clock = ByteBuffer.wrap(kv.value).getLong();
                    continue;
                }
                byte[] k = kv.key.get();
                Size size = sizeByMs.get(ByteBuffer.wrap(k).getLong());
                if (size == null) {
                    unconfigured.add(kv.key); // a window size no longer configured
                    continue;
                }
                int part = k[24];
                Bytes id = sumsKeyOf(k);
                if (part == 0) {
                    Window w = identity(k, size);
                    ByteBuffer v = ByteBuffer.wrap(kv.value);
                    if (v.get() != FORMAT) {
                        throw new IllegalStateException("quality window of format " + kv.value[0] + "; this version reads "
                                + FORMAT);
                    }
                    w.emitted = v.get() == 1;
                    w.dirty = v.get() == 1;
                    w.revision = v.getInt();
                    windows.put(id, w);
                    sumsParts.put(id, Arrays.copyOfRange(kv.value, 7, kv.value.length));
                } else {
                    chunks.computeIfAbsent(id, x -> new byte[QualityAccumulator.CHUNKS][])[part - 1] = kv.value;
                }
            }
        }
        unconfigured.forEach(store::delete);
        Map<QualityKey, Window> newest = new HashMap<>();
        for (Map.Entry<Bytes, Window> e : windows.entrySet()) {
            Window w = e.getValue();
            w.sums = QualityAccumulator.fromParts(sumsParts.get(e.getKey()),
                    chunks.getOrDefault(e.getKey(), new byte[QualityAccumulator.CHUNKS][]));
            if (!w.emitted) {
                live.put(e.getKey(), w);
                index(closing, w.start + w.size.ms() + graceMs, e.getKey());
                continue;
            }
            index(dropping, w.start + w.size.ms() + retentionMs, e.getKey());
            if (w.dirty) {
                live.put(e.getKey(), w);
                dirty.add(e.getKey());
            }
            newest.merge(new QualityKey(w.modelId, w.version, w.size.name()), w, (a, b) -> a.start >= b.start ? a : b);
        }
        for (Window w : newest.values()) {
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
        int chunk = QualityAccumulator.chunkOf(o.probability());
        byte[] modelId = o.modelId().getBytes(StandardCharsets.UTF_8);
        for (Size size : sizes) {
            long start = QualityWindow.windowStart(o.labelledAt(), size.ms());
            Bytes key = partKey(size.ms(), start, o.modelVersion(), 0, modelId);
            Window w = live.get(key);
            if (w == null) { // not an open window decoded in memory (the usual case): stored, new, or too late
                w = new Window(o.modelId(), o.modelVersion(), size, start);
                if (!load(key, w)) {
                    if (start + size.ms() + retentionMs <= clock) {
                        tooLate(o, size, start);
                        continue;
                    }
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
            store.put(key, w.sumsPart());
            store.put(w.keys()[1 + chunk], w.sums.chunkToBytes(chunk));
            metrics.quality(size.name(), QualityReason.AGGREGATED);
        }
        closeAndDrop();
    }

    /** Reads a stored window into {@code w}; false when the store has none under its keys. */
    private boolean load(Bytes key, Window w) {
        byte[] sumsPart = store.get(key);
        if (sumsPart == null) {
            return false;
        }
        ByteBuffer v = ByteBuffer.wrap(sumsPart);
        if (v.get() != FORMAT) {
            throw new IllegalStateException("quality window of format " + sumsPart[0] + "; this version reads " + FORMAT);
        }
        w.emitted = v.get() == 1;
        w.dirty = v.get() == 1;
        w.revision = v.getInt();
        byte[][] chunks = new byte[QualityAccumulator.CHUNKS][];
        for (int c = 0; c < chunks.length; c++) {
            chunks[c] = store.get(w.keys()[1 + c]);
        }
        w.sums = QualityAccumulator.fromParts(Arrays.copyOfRange(sumsPart, 7, sumsPart.length), chunks);
        return true;
    }

    private void tooLate(QualityObservation o, Size size, long start) {
        metrics.quality(size.name(), QualityReason.TOO_LATE);
        if (!warnedTooLate) {
            warnedTooLate = true;
            log.warn("An outcome came after its quality window was dropped; not counted in it: model id={}, version={}, "
                            + "window={} starting {}, labelledAt={}, quality clock={} (counted in "
                            + "streamscore_quality_outcomes_total{{reason=\"TOO_LATE\"}}, not logged again by this task)",
                    o.modelId(), o.modelVersion(), size.name(), java.time.Instant.ofEpochMilli(start), o.labelledAt(),
                    clock);
        }
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
                Window w = live.remove(key);
                if (dirty.remove(key)) {
                    emit(key, w);
                }
                if (w == null) {
                    w = identity(key.get(), sizeByMs.get(ByteBuffer.wrap(key.get()).getLong()));
                }
                for (Bytes k : w.keys()) {
                    store.delete(k);
                }
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
        store.put(key, w.sumsPart());
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

    // ---- store layout: key = size(8) start(8, sign flipped) version(8) part(1) modelId; part 0 = the sums part
    //      (format, emitted, dirty, revision, the accumulator's sums), part 1 + c = histogram chunk c.

    private static Bytes partKey(long sizeMs, long start, long version, int part, byte[] modelId) {
        return Bytes.wrap(ByteBuffer.allocate(25 + modelId.length).putLong(sizeMs).putLong(start ^ Long.MIN_VALUE)
                .putLong(version).put((byte) part).put(modelId).array());
    }

    /** The sums key of the window a part key belongs to. */
    private static Bytes sumsKeyOf(byte[] partKey) {
        byte[] k = partKey.clone();
        k[24] = 0;
        return Bytes.wrap(k);
    }

    /** The window a key names, without its state. */
    private static Window identity(byte[] key, Size size) {
        ByteBuffer k = ByteBuffer.wrap(key);
        k.getLong();
        long start = k.getLong() ^ Long.MIN_VALUE;
        long version = k.getLong();
        return new Window(new String(key, 25, key.length - 25, StandardCharsets.UTF_8), version, size, start);
    }

    private static void index(TreeMap<Long, Set<Bytes>> by, long at, Bytes key) {
        by.computeIfAbsent(at, t -> new LinkedHashSet<>()).add(key);
    }
}
