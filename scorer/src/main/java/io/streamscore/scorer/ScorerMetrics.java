package io.streamscore.scorer;

import io.streamscore.common.modellog.ModelRejection;
import io.streamscore.common.event.ReasonCode;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The scorer's counters, gauges and scoring-latency histogram, shared by the stream threads, the global thread and
 * the HTTP endpoint. Lock-free ({@link LongAdder}) because every stream thread records on every event.
 *
 * <p>Not final on purpose: tests subclass it to inject a failure inside the scoring path.
 */
public class ScorerMetrics {
    /** Upper bounds (seconds) of the latency buckets: parse → lookup → dot → serialize takes microseconds. */
    static final double[] LATENCY_BUCKETS = {1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 1e-3, 1e-2, 1e-1};

    private final LongAdder scored = new LongAdder();
    private final Map<ReasonCode, LongAdder> deadLettered = new EnumMap<>(ReasonCode.class);
    private final LongAdder modelsApplied = new LongAdder();
    private final LongAdder modelsRetired = new LongAdder();
    private final Map<ModelRejection, LongAdder> modelsRejected = new EnumMap<>(ModelRejection.class);
    private final Map<String, Long> servingVersions = new ConcurrentHashMap<>();
    private final LongAdder[] latencyBuckets = new LongAdder[LATENCY_BUCKETS.length + 1];
    private final LongAdder latencyNanosSum = new LongAdder();
    private final LongAdder threadsReplaced = new LongAdder();
    private final InFlightRecords inFlight = new InFlightRecords();

    public ScorerMetrics() {
        // Every series exists from the start at 0, so a rate over a counter never misses its first increment.
        for (ReasonCode r : ReasonCode.values()) {
            deadLettered.put(r, new LongAdder());
        }
        for (ModelRejection r : ModelRejection.values()) {
            modelsRejected.put(r, new LongAdder());
        }
        for (int i = 0; i < latencyBuckets.length; i++) {
            latencyBuckets[i] = new LongAdder();
        }
    }

    /** One event scored, taking {@code nanos} from reading the value to the serialized score. */
    public void scored(long nanos) {
        scored.increment();
        double seconds = nanos / 1e9;
        int i = 0;
        while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]) {
            i++;
        }
        latencyBuckets[i].increment();
        latencyNanosSum.add(nanos);
    }

    public void deadLettered(ReasonCode reason) {
        deadLettered.get(reason).increment();
    }

    public void modelApplied(String modelId, long version) {
        modelsApplied.increment();
        servingVersions.put(modelId, version);
    }

    public void modelRetired(String modelId) {
        modelsRetired.increment();
        servingVersions.remove(modelId);
    }

    public void modelRejected(ModelRejection reason) {
        modelsRejected.get(reason).increment();
    }

    /** A dead stream thread was replaced (the uncaught-exception handler answered REPLACE_THREAD). */
    public void threadReplaced() {
        threadsReplaced.increment();
    }

    public long threadsReplacedCount() {
        return threadsReplaced.sum();
    }

    /** The records the scoring processors are working on right now: what a stuck stream thread shows in. */
    public InFlightRecords inFlightRecords() {
        return inFlight;
    }

    public long scoredCount() {
        return scored.sum();
    }

    public long deadLetteredCount(ReasonCode reason) {
        return deadLettered.get(reason).sum();
    }

    public long modelsAppliedCount() {
        return modelsApplied.sum();
    }

    public long modelsRetiredCount() {
        return modelsRetired.sum();
    }

    public long modelsRejectedCount(ModelRejection reason) {
        return modelsRejected.get(reason).sum();
    }

    /** Model id → version being served, sorted by id. */
    public Map<String, Long> servingVersions() {
        return Collections.unmodifiableMap(new TreeMap<>(servingVersions));
    }

    /** Per-bucket (not cumulative) counts; the last entry is the +Inf bucket. */
    long[] latencyBucketCounts() {
        long[] counts = new long[latencyBuckets.length];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = latencyBuckets[i].sum();
        }
        return counts;
    }

    double latencySecondsSum() {
        return latencyNanosSum.sum() / 1e9;
    }
}
