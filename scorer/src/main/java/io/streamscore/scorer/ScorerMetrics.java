package io.streamscore.scorer;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.streamscore.common.event.ReasonCode;
import io.streamscore.scorer.drift.DriftMetrics;
import io.streamscore.common.modellog.ModelRejection;
import io.streamscore.scorer.outcomes.OutcomeMetrics;

import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The scorer's own counters, gauges and scoring-latency timer, shared by the stream threads, the global thread and
 * the HTTP endpoint, registered in the scorer instance's one {@link PrometheusMeterRegistry} ({@link #registry()}),
 * which {@code /metrics} renders ({@link #scrape(String)}) together with the JVM, process and Kafka Streams meters
 * that {@link PlatformMetrics} binds to the same registry. Names, labels and meanings: docs/metrics.md.
 *
 * <p>A counter costs what it did before Micrometer: it is a {@link LongAdder} (lock-free, because every stream thread
 * records on every event) that the registry reads at scrape time through a {@link FunctionCounter}; a gauge reads
 * state the scorer keeps anyway. A series whose label values appear at run time (a model id, a version) is registered
 * the first time its key is seen, which is off the per-record path after that. Only the latency goes through a
 * Micrometer {@link Timer}, for its Prometheus buckets, max and p50/p99 sliding window; that is most of what recording
 * costs per event now (docs/metrics.md, "What recording costs").
 *
 * <p>The same pattern for a new metrics class: keep the recording methods and accessors on plain adders and maps, and
 * register function counters and gauges over them in the registry (see {@link OutcomeMetrics#bindTo}).
 *
 * <p>Not final on purpose: tests subclass it to inject a failure inside the scoring path.
 */
public class ScorerMetrics {
    /**
     * Upper bounds of the latency histogram's Prometheus buckets ({@code le}): parse → lookup → dot → serialize takes
     * microseconds, so the default timer buckets (milliseconds to seconds) would put every record in the first one.
     */
    static final Duration[] LATENCY_BUCKETS = {Duration.ofNanos(1_000), Duration.ofNanos(2_500), Duration.ofNanos(5_000),
        Duration.ofNanos(10_000), Duration.ofNanos(25_000), Duration.ofNanos(50_000), Duration.ofNanos(100_000),
        Duration.ofNanos(250_000), Duration.ofMillis(1), Duration.ofMillis(10), Duration.ofMillis(100)};

    /** The quantiles of the latency computed on the instance, besides the buckets: p50 and p99. */
    static final double[] LATENCY_QUANTILES = {0.5, 0.99};

    /**
     * At most this many model ids get a latency series of their own; the events of any further model id are timed
     * under {@link #OTHER_MODELS}. Label values come from models being served (the model topic), never from an
     * event's text: an event naming an unknown model is a dead letter and is not timed. So a scorer's latency series
     * are bounded by this number whatever the traffic, and versions are not a label (each retraining would add one).
     */
    public static final int MAX_LATENCY_MODEL_IDS = 50;
    /** The {@code model_id} of the latency series that times the models beyond {@link #MAX_LATENCY_MODEL_IDS}. */
    public static final String OTHER_MODELS = "_other";

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

    private final PrometheusMeterRegistry registry;
    private final LongAdder scored = new LongAdder();
    private final Map<ModelRole, LongAdder> scoredByModel = new ConcurrentHashMap<>();
    private final Map<ChallengerMiss, LongAdder> challengerUnscored = new ConcurrentHashMap<>();
    private final Map<String, List<Long>> challengerVersions = new ConcurrentHashMap<>();
    private final Map<String, List<Meter>> challengerGauges = new HashMap<>(); // guarded by this
    private final Map<ReasonCode, LongAdder> deadLettered = new EnumMap<>(ReasonCode.class);
    private final LongAdder modelsApplied = new LongAdder();
    private final LongAdder modelsRetired = new LongAdder();
    private final Map<ModelRejection, LongAdder> modelsRejected = new EnumMap<>(ModelRejection.class);
    private final Map<String, Long> servingVersions = new ConcurrentHashMap<>();
    private final Map<String, Meter> servingGauges = new HashMap<>(); // guarded by this
    private final Map<String, Timer> latencyByModel = new ConcurrentHashMap<>();
    private int latencyModelIds; // guarded by latencyByModel
    private Timer otherModelsLatency; // guarded by latencyByModel
    private final LongAdder threadsReplaced = new LongAdder();
    private final InFlightRecords inFlight = new InFlightRecords();
    private final OutcomeMetrics outcomes = new OutcomeMetrics();
    private final DriftMetrics drift = new DriftMetrics();
    private final MultiGauge streamsState;
    private final Object scrapeLock = new Object();

    /** With a registry of its own (tests, tools; a scorer instance gets one per {@link ScorerApp#start()}). */
    public ScorerMetrics() {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    /** Registers every meter of the scorer and of {@link #outcomes()} in {@code registry}. */
    public ScorerMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
        FunctionCounter.builder("streamscore.records.scored", scored, LongAdder::sum)
                .description("Feature records scored (by the champion).").register(registry);
        // Every series with a fixed label set exists from the start at 0, so a rate over a counter never misses its
        // first increment.
        for (ReasonCode r : ReasonCode.values()) {
            LongAdder a = new LongAdder();
            deadLettered.put(r, a);
            FunctionCounter.builder("streamscore.records.dead.lettered", a, LongAdder::sum)
                    .description("Records sent to the dead-letter topic, by reason: feature records, and with labels "
                            + "on label records (the LABEL_* reasons).")
                    .tag("reason", r.name()).register(registry);
        }
        FunctionCounter.builder("streamscore.models.applied", modelsApplied, LongAdder::sum)
                .description("Model records applied (new model or newer version).").register(registry);
        FunctionCounter.builder("streamscore.models.retired", modelsRetired, LongAdder::sum)
                .description("Models retired by a tombstone.").register(registry);
        for (ModelRejection r : ModelRejection.values()) {
            LongAdder a = new LongAdder();
            modelsRejected.put(r, a);
            FunctionCounter.builder("streamscore.models.rejected", a, LongAdder::sum)
                    .description("Model records not applied, by reason.").tag("reason", r.name()).register(registry);
        }
        Gauge.builder("streamscore.oldest.in.flight.record.seconds", inFlight,
                        f -> f.oldestAgeNanos(System.nanoTime()) / 1e9)
                .description("How long the record a stream thread has been working on longest has been in flight; 0 "
                        + "when none is.")
                .strongReference(true).register(registry);
        FunctionCounter.builder("streamscore.stream.threads.replaced", threadsReplaced, LongAdder::sum)
                .description("Stream threads that died of an exception and were replaced.").register(registry);
        streamsState = MultiGauge.builder("streamscore.streams.state")
                .description("1 for the Kafka Streams client's current state.").register(registry);
        outcomes.bindTo(registry);
        drift.bindTo(registry);
    }

    /**
     * Counts one event scored; {@link #scored(String, long)}, which the scoring processor calls, calls this and then
     * times the event. A caller without a model id counts here and times nothing.
     */
    public void scored(long nanos) {
        scored.increment();
    }

    /**
     * One event scored by {@code modelId}'s champion, taking {@code nanos} from reading the value to the serialized
     * score (and its challengers' shadow scores): counted ({@link #scored(long)}) and timed under that model id.
     */
    public void scored(String modelId, long nanos) {
        scored(nanos);
        latencyTimer(modelId).record(nanos, TimeUnit.NANOSECONDS);
    }

    private Timer latencyTimer(String modelId) {
        Timer t = latencyByModel.get(modelId);
        return t != null ? t : newLatencyTimer(modelId);
    }

    private static double quantileSeconds(Timer timer, double q) {
        for (ValueAtPercentile v : timer.takeSnapshot().percentileValues()) {
            if (v.percentile() == q) {
                return v.value(TimeUnit.SECONDS);
            }
        }
        return Double.NaN;
    }

    /** The first event of a model id: its own series while fewer than the cap exist, else the shared one. */
    private Timer newLatencyTimer(String modelId) {
        synchronized (latencyByModel) {
            Timer t = latencyByModel.get(modelId);
            if (t == null) {
                if (latencyModelIds < MAX_LATENCY_MODEL_IDS) {
                    latencyModelIds++;
                    t = registerLatencyTimer(modelId);
                } else {
                    if (otherModelsLatency == null) {
                        otherModelsLatency = registerLatencyTimer(OTHER_MODELS);
                    }
                    t = otherModelsLatency;
                }
                latencyByModel.put(modelId, t);
            }
            return t;
        }
    }

    /** The latency timer of one {@code model_id} label value, and its quantile gauges. */
    private Timer registerLatencyTimer(String label) {
        Timer t = Timer.builder("streamscore.scoring.latency")
                .description("Time from reading a feature record to its serialized score (and its challengers' shadow "
                        + "scores), per scored record, by the champion's model id.")
                .tag("model_id", label)
                .serviceLevelObjectives(LATENCY_BUCKETS)
                .publishPercentiles(LATENCY_QUANTILES)
                .register(registry);
        // The Prometheus registry renders a timer with buckets as a histogram and leaves its percentiles out (one
        // family cannot be both a histogram and a summary): they are gauges of their own, read from the timer's
        // sliding window at scrape time.
        for (double q : LATENCY_QUANTILES) {
            Gauge.builder("streamscore.scoring.latency.quantile.seconds", t, timer -> quantileSeconds(timer, q))
                    .description("Scoring latency at a quantile over the last minute on this instance (Micrometer's "
                            + "sliding window; not aggregatable across instances: use the histogram's buckets for "
                            + "that), by the champion's model id.")
                    .tags("model_id", label, "quantile", Double.toString(q))
                    .register(registry);
        }
        return t;
    }

    /** One score by {@code modelId} v{@code version} in {@code role}, forwarded to its topic. */
    public void scoredBy(String modelId, long version, Role role) {
        ModelRole key = new ModelRole(modelId, version, role);
        LongAdder counter = scoredByModel.get(key);
        if (counter == null) {
            counter = scoredByModel.computeIfAbsent(key, k -> {
                LongAdder a = new LongAdder();
                FunctionCounter.builder("streamscore.records.scored.by.model", a, LongAdder::sum)
                        .description("Scores written, by model id, version and role: champion (to the scores topic) "
                                + "or challenger (to the shadow topic).")
                        .tags("model_id", k.modelId(), "version", Long.toString(k.version()), "role", k.role().label())
                        .register(registry);
                return a;
            });
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
                FunctionCounter.builder("streamscore.challenger.unscored", fresh, LongAdder::sum)
                        .description("Events the champion scored but a challenger could not (no shadow record), by "
                                + "challenger and reason.")
                        .tags("model_id", modelId, "version", Long.toString(version), "reason", reason.name())
                        .register(registry);
            }
        }
        counter.increment();
        return first;
    }

    /** The challengers of {@code modelId} now, ascending; empty when it has none. */
    public void challengersChanged(String modelId, List<Long> versions) {
        synchronized (this) {
            if (versions.isEmpty()) {
                challengerVersions.remove(modelId);
            } else {
                challengerVersions.put(modelId, List.copyOf(versions));
            }
            List<Meter> before = challengerGauges.remove(modelId);
            if (before != null) {
                before.forEach(registry::remove);
            }
            if (!versions.isEmpty()) {
                List<Meter> now = new java.util.ArrayList<>(versions.size());
                for (long v : versions) {
                    now.add(Gauge.builder("streamscore.model.challenger", () -> 1)
                            .description("1 for each version under challenge (shadow-scored), per model id.")
                            .tags("model_id", modelId, "version", Long.toString(v)).register(registry));
                }
                challengerGauges.put(modelId, now);
            }
        }
    }

    public void deadLettered(ReasonCode reason) {
        deadLettered.get(reason).increment();
    }

    public void modelApplied(String modelId, long version) {
        modelsApplied.increment();
        servingVersions.put(modelId, version);
        synchronized (this) {
            servingGauges.computeIfAbsent(modelId, id -> Gauge.builder("streamscore.model.serving.version",
                            servingVersions, m -> {
                                Long v = m.get(id);
                                return v == null ? Double.NaN : v;
                            })
                    .description("Version of the model being served, per model id.")
                    .tag("model_id", id).register(registry));
        }
    }

    public void modelRetired(String modelId) {
        modelsRetired.increment();
        servingVersions.remove(modelId);
        synchronized (this) {
            Meter gauge = servingGauges.remove(modelId);
            if (gauge != null) {
                registry.remove(gauge);
            }
        }
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

    /** The labels, outcomes and live quality figures (registered, and so rendered, only once labels are on). */
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

    /**
     * The scorer instance's registry: its own meters, and whatever else is bound to it (the JVM, process and Kafka
     * Streams meters of {@link PlatformMetrics}).
     */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * Everything in {@link #registry()} in the Prometheus text exposition format 0.0.4, the body of {@code /metrics}.
     *
     * @param streamsState the Kafka Streams client's state, shown as {@code streamscore_streams_state{state=…} 1};
     *                     null to show none
     */
    public String scrape(String streamsState) {
        synchronized (scrapeLock) {
            // One series whose label is the value: set here, as the old series is dropped, rather than read by a gauge.
            this.streamsState.register(streamsState == null ? List.of()
                    : List.of(MultiGauge.Row.of(Tags.of("state", streamsState), 1)), true);
            return registry.scrape();
        }
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

    /** The latency timer of {@code modelId}'s events (the shared one beyond the cap); null before its first event. */
    Timer latency(String modelId) {
        return latencyByModel.get(modelId);
    }
}
