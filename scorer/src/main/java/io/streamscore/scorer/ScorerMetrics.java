package io.streamscore.scorer;

import io.streamscore.common.modellog.ModelRejection;
import io.streamscore.common.event.ReasonCode;
import io.streamscore.scorer.drift.DriftMetrics;
import io.streamscore.scorer.outcomes.OutcomeMetrics;

import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
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

    /** Which output a model's score went to: the champion's to the scores topic, a challenger's to the shadow topic. */
    public enum Role {
        CHAMPION, CHALLENGER;

        /** The {@code role} label value. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** One series of the per-model counter. */
    public record ModelRole(String modelId, long version, Role role) {
    }

    /** One series of the challengers' unscored counter: a challenger and why it could not score an event. */
    public record ChallengerMiss(String modelId, long version, ReasonCode reason) {
    }

    private static final Comparator<ModelRole> MODEL_ROLE_ORDER = Comparator.comparing(ModelRole::modelId)
            .thenComparingLong(ModelRole::version).thenComparing(ModelRole::role);
    private static final Comparator<ChallengerMiss> MISS_ORDER = Comparator.comparing(ChallengerMiss::modelId)
            .thenComparingLong(ChallengerMiss::version).thenComparing(ChallengerMiss::reason);

    private final LongAdder scored = new LongAdder();
    private final Map<ModelRole, LongAdder> scoredByModel = new ConcurrentHashMap<>();
    private final Map<ChallengerMiss, LongAdder> challengerUnscored = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> challengerVersions = new ConcurrentHashMap<>();
    private final Map<ReasonCode, LongAdder> deadLettered = new EnumMap<>(ReasonCode.class);
    private final LongAdder modelsApplied = new LongAdder();
    private final LongAdder modelsRetired = new LongAdder();
    private final Map<ModelRejection, LongAdder> modelsRejected = new EnumMap<>(ModelRejection.class);
    private final Map<String, Long> servingVersions = new ConcurrentHashMap<>();
    private final LongAdder[] latencyBuckets = new LongAdder[LATENCY_BUCKETS.length + 1];
    private final LongAdder latencyNanosSum = new LongAdder();
    private final LongAdder threadsReplaced = new LongAdder();
    private final InFlightRecords inFlight = new InFlightRecords();
    private final OutcomeMetrics outcomes = new OutcomeMetrics();
    private final DriftMetrics drift = new DriftMetrics();

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

    /** One score by {@code modelId} v{@code version} in {@code role}, forwarded to its topic. */
    public void scoredBy(String modelId, long version, Role role) {
        ModelRole key = new ModelRole(modelId, version, role);
        LongAdder counter = scoredByModel.get(key);
        if (counter == null) {
            counter = scoredByModel.computeIfAbsent(key, k -> new LongAdder());
        }
        counter.increment();
    }

    /**
     * A challenger could not score an event that the champion scored (so no shadow record for it).
     *
     * @return true the first time for this challenger and reason, so the caller logs it once
     */
    public boolean challengerUnscored(String modelId, long version, ReasonCode reason) {
        ChallengerMiss key = new ChallengerMiss(modelId, version, reason);
        LongAdder counter = challengerUnscored.get(key);
        boolean first = false;
        if (counter == null) {
            LongAdder fresh = new LongAdder();
            counter = challengerUnscored.putIfAbsent(key, fresh);
            if (counter == null) {
                counter = fresh;
                first = true;
            }
        }
        counter.increment();
        return first;
    }

    /** The challengers of {@code modelId} now, ascending; empty when it has none. */
    public void challengersChanged(String modelId, List<Long> versions) {
        if (versions.isEmpty()) {
            challengerVersions.remove(modelId);
        } else {
            challengerVersions.put(modelId, List.copyOf(versions));
        }
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

    /** The labels, outcomes and live quality figures (empty, and not rendered, unless labels are on). */
    public OutcomeMetrics outcomes() {
        return outcomes;
    }

    /** The drift counters and PSI gauges (empty, and not rendered, unless drift is on). */
    public DriftMetrics drift() {
        return drift;
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

    /** Scores by model id, version and role, sorted. */
    public Map<ModelRole, Long> scoredByModel() {
        Map<ModelRole, Long> out = new TreeMap<>(MODEL_ROLE_ORDER);
        scoredByModel.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Events a challenger could not score, by challenger and reason, sorted. */
    public Map<ChallengerMiss, Long> challengerUnscored() {
        Map<ChallengerMiss, Long> out = new TreeMap<>(MISS_ORDER);
        challengerUnscored.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }

    /** Model id → its challengers' versions, sorted by id; ids without challengers are absent. */
    public Map<String, List<Long>> challengerVersions() {
        return Collections.unmodifiableMap(new TreeMap<>(challengerVersions));
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
