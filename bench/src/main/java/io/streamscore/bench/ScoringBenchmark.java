package io.streamscore.bench;

import io.streamscore.common.Contributions;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.Standardization;
import io.streamscore.common.event.FeatureEvent;
import io.streamscore.common.event.FeatureEventException;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.common.event.ModelSelection;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import io.streamscore.common.modellog.Challenge;
import io.streamscore.common.modellog.ModelLog;
import io.streamscore.common.modellog.ModelLogKey;
import io.streamscore.common.modellog.ServingHistory;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The scorer's per-record path (scorer's {@code ScoringProcessor}: parse → model lookup → dot product and sigmoid →
 * serialize) in records/s, next to a bare parse+serialize baseline and each stage alone, all in one run.
 *
 * <p>Inputs: 1024 pre-generated events over a 20-feature standardized model (the size of the end-to-end figures),
 * ~480 bytes named / ~440 bytes positional (with its {@code featureSchema}), cycled so the JIT cannot specialise on
 * one record. The lookup is the same structure as the scorer's {@code ModelStore}: a {@link ConcurrentHashMap} of
 * per-id {@link ServingHistory} snapshots of decoded models, here holding 10 ids with one version each; the full path
 * runs with {@code latest} selection (the default) and, in {@code fullPathNamedEventTime}, with {@code event-time}.
 * No Kafka: this isolates the CPU cost per record that the stream thread pays on top of consuming and producing.
 *
 * <p>The {@code ...Contributions} and {@code ...Top5} methods are the same path with the scorer's
 * {@code --contributions} (every term of the 20 in the score) and {@code --contributions-top 5}, as
 * {@code ScoringProcessor} does it: the probability from {@code predictProbability}, then the terms.
 *
 * <p>{@code fullPathNamedChallenger} is the path of a model id with one challenger (a v2 with other weights and the
 * same feature order, as a retrain gives): the champion's score, then the challenger's on the same vector, written as
 * the shadow record ({@code ScoreJson.toChallengerBytes}); two serialized scores per event, as the processor forwards.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ScoringBenchmark {
    private static final int FEATURES = 20;
    private static final int EVENTS = 1024;
    /** The models' publish time (their model records' timestamp); every event is later. */
    private static final long PUBLISHED_AT = 1_763_800_000_000L;

    private final Map<String, ServingHistory> histories = new ConcurrentHashMap<>();
    /** The same ids with a challenger each (v2, other weights, the same features). */
    private final Map<String, ServingHistory> historiesWithChallenger = new ConcurrentHashMap<>();
    private final Map<String, LogisticModel> models = new java.util.HashMap<>();   // setup only
    private byte[][] named;
    private byte[][] positional;
    private FeatureEvent[] parsed;
    private double[][] vectors;
    private String[] modelIds;
    private LogisticModel[] modelFor;
    private Score[] scores;
    private Score[] scoresWithContributions;
    private int i;

    @Setup(Level.Trial)
    public void setUp() throws FeatureEventException {
        SplittableRandom random = new SplittableRandom(42);
        List<String> names = new ArrayList<>();
        for (int f = 0; f < FEATURES; f++) {
            names.add("feature_" + f);
        }
        for (int m = 0; m < 10; m++) {
            double[] w = new double[FEATURES];
            double[] mean = new double[FEATURES];
            double[] std = new double[FEATURES];
            for (int f = 0; f < FEATURES; f++) {
                w[f] = random.nextGaussian();
                mean[f] = random.nextGaussian();
                std[f] = 0.5 + random.nextDouble();
            }
            models.put("model-" + m, new LogisticModel("model-" + m, 1, names, w, 0.1,
                    new Standardization(mean, std), 0.5, null));
        }
        ModelLog log = new ModelLog();
        for (LogisticModel m : models.values()) {
            log.apply(ModelLogKey.version(m.modelId(), m.version()).toBytes(),
                    ModelJson.toCompactJson(m).getBytes(StandardCharsets.UTF_8), PUBLISHED_AT);
            histories.put(m.modelId(), log.history(m.modelId()));
        }
        ModelLog withChallenger = new ModelLog();
        SplittableRandom challengerWeights = new SplittableRandom(7); // apart: the events stay those of earlier runs
        for (LogisticModel m : models.values()) {
            double[] w = new double[FEATURES];
            for (int f = 0; f < FEATURES; f++) {
                w[f] = challengerWeights.nextGaussian();
            }
            LogisticModel challenger = new LogisticModel(m.modelId(), 2, m.featureNames(), w, -0.1, m.standardization(),
                    0.5, null);
            withChallenger.apply(ModelLogKey.version(m.modelId(), 1).toBytes(),
                    ModelJson.toCompactJson(m).getBytes(StandardCharsets.UTF_8), PUBLISHED_AT);
            withChallenger.apply(ModelLogKey.challenge(m.modelId(), 2).toBytes(),
                    new Challenge(m.modelId(), 2, Instant.ofEpochMilli(PUBLISHED_AT)).toBytes(), PUBLISHED_AT);
            withChallenger.apply(ModelLogKey.version(m.modelId(), 2).toBytes(),
                    ModelJson.toCompactJson(challenger).getBytes(StandardCharsets.UTF_8), PUBLISHED_AT);
            ServingHistory h = withChallenger.history(m.modelId());
            if (h.challengers().size() != 1 || h.served().model().version() != 1) {
                throw new IllegalStateException("model " + m.modelId() + " should serve v1 with v2 as challenger: " + h);
            }
            historiesWithChallenger.put(m.modelId(), h);
        }
        named = new byte[EVENTS][];
        positional = new byte[EVENTS][];
        parsed = new FeatureEvent[EVENTS];
        vectors = new double[EVENTS][];
        modelIds = new String[EVENTS];
        modelFor = new LogisticModel[EVENTS];
        scores = new Score[EVENTS];
        scoresWithContributions = new Score[EVENTS];
        for (int e = 0; e < EVENTS; e++) {
            String modelId = "model-" + random.nextInt(10);
            StringBuilder n = new StringBuilder("{\"eventId\":\"evt-" + e + "\",\"modelId\":\"" + modelId + "\",\"features\":{");
            // A positional producer names the feature schema its array follows (the scorer compares it with the model's).
            StringBuilder p = new StringBuilder("{\"eventId\":\"evt-" + e + "\",\"modelId\":\"" + modelId
                    + "\",\"featureSchema\":\"" + models.get(modelId).featureSchema() + "\",\"features\":[");
            for (int f = 0; f < FEATURES; f++) {
                double v = Math.round(random.nextGaussian() * 1e6) / 1e4;
                n.append(f == 0 ? "" : ",").append('"').append(names.get(f)).append("\":").append(v);
                p.append(f == 0 ? "" : ",").append(v);
            }
            named[e] = n.append("}}").toString().getBytes(StandardCharsets.UTF_8);
            positional[e] = p.append("]}").toString().getBytes(StandardCharsets.UTF_8);
            parsed[e] = FeatureEventJson.parse(named[e]);
            modelIds[e] = modelId;
            LogisticModel model = models.get(modelId);
            modelFor[e] = model;
            vectors[e] = parsed[e].vectorFor(model);
            if (!Arrays.equals(vectors[e], FeatureEventJson.parse(positional[e]).vectorFor(model))) {
                throw new IllegalStateException("the positional event " + e + " does not score like the named one");
            }
            double prob = model.predictProbability(vectors[e]);
            scores[e] = new Score("evt-" + e, modelId, 1, prob, model.label(prob), 0.5, 1_763_892_000_000L + e,
                    1_763_892_000_000L, Instant.ofEpochMilli(PUBLISHED_AT), ModelSelection.LATEST);
            scoresWithContributions[e] = new Score("evt-" + e, modelId, 1, prob, model.label(prob), 0.5,
                    1_763_892_000_000L + e, 1_763_892_000_000L, Instant.ofEpochMilli(PUBLISHED_AT), ModelSelection.LATEST,
                    model.contributions(vectors[e]));
        }
    }

    private int next() {
        i = (i + 1) & (EVENTS - 1);
        return i;
    }

    private byte[] score(byte[] value, ModelSelection selection) throws FeatureEventException {
        FeatureEvent event = FeatureEventJson.parse(value);
        ServingHistory.ServedVersion version = histories.get(event.modelId()).select(selection, 1_763_892_000_000L);
        LogisticModel model = version.model();
        double p = model.predictProbability(event.vectorFor(model));
        return ScoreJson.toBytes(new Score(event.eventId(), model.modelId(), model.version(), p, model.label(p),
                model.threshold(), 1_763_892_000_000L, 1_763_892_000_001L, version.publishedAt(), selection));
    }

    /** The whole path with contributions: 0 = off, −1 = every term, K = the K largest (as ScoringProcessor). */
    private byte[] score(byte[] value, int top) throws FeatureEventException {
        FeatureEvent event = FeatureEventJson.parse(value);
        ServingHistory.ServedVersion version = histories.get(event.modelId()).select(ModelSelection.LATEST,
                1_763_892_000_000L);
        LogisticModel model = version.model();
        double[] x = event.vectorFor(model);
        double p = model.predictProbability(x);
        Contributions c = model.contributions(x);
        if (top > 0) {
            c = c.top(top);
        }
        return ScoreJson.toBytes(new Score(event.eventId(), model.modelId(), model.version(), p, model.label(p),
                model.threshold(), 1_763_892_000_000L, 1_763_892_000_001L, version.publishedAt(), ModelSelection.LATEST,
                c));
    }

    /**
     * The whole path of a model id with one challenger, as {@code ScoringProcessor}: the champion's score, then the
     * challenger's (same feature order: the champion's vector) as a shadow record. Two outputs for one event.
     */
    @Benchmark
    public byte[][] fullPathNamedChallenger() throws FeatureEventException {
        FeatureEvent event = FeatureEventJson.parse(named[next()]);
        ServingHistory history = historiesWithChallenger.get(event.modelId());
        ServingHistory.ServedVersion version = history.select(ModelSelection.LATEST, 1_763_892_000_000L);
        LogisticModel model = version.model();
        double[] x = event.vectorFor(model);
        double p = model.predictProbability(x);
        byte[] score = ScoreJson.toBytes(new Score(event.eventId(), model.modelId(), model.version(), p, model.label(p),
                model.threshold(), 1_763_892_000_000L, 1_763_892_000_001L, version.publishedAt(), ModelSelection.LATEST));
        List<ServingHistory.ServedVersion> challengers = history.challengers();
        byte[][] out = new byte[1 + challengers.size()][];
        out[0] = score;
        for (int c = 0; c < challengers.size(); c++) {
            LogisticModel m = challengers.get(c).model();
            double[] v = m.featureSchema().equals(model.featureSchema()) ? x : event.vectorFor(m);
            double q = m.predictProbability(v);
            out[1 + c] = ScoreJson.toChallengerBytes(new Score(event.eventId(), m.modelId(), m.version(), q, m.label(q),
                    m.threshold(), 1_763_892_000_000L, 1_763_892_000_001L, challengers.get(c).publishedAt(),
                    ModelSelection.LATEST));
        }
        return out;
    }

    /** The whole path, features by name, with every one of the 20 terms in the score ({@code --contributions}). */
    @Benchmark
    public byte[] fullPathNamedContributions() throws FeatureEventException {
        return score(named[next()], -1);
    }

    /** The whole path, features by name, with the 5 largest terms ({@code --contributions-top 5}). */
    @Benchmark
    public byte[] fullPathNamedTop5() throws FeatureEventException {
        return score(named[next()], 5);
    }

    /** Stage: the 20 terms and their sum on a ready vector. */
    @Benchmark
    public Contributions stageContributions() {
        int k = next();
        return modelFor[k].contributions(vectors[k]);
    }

    /** Stage: serialize a score carrying 20 contributions. */
    @Benchmark
    public byte[] stageSerializeContributions() {
        return ScoreJson.toBytes(scoresWithContributions[next()]);
    }

    /** The whole path, features by name (the scorer's common case). */
    @Benchmark
    public byte[] fullPathNamed() throws FeatureEventException {
        return score(named[next()], ModelSelection.LATEST);
    }

    /** The whole path, features by name, with event-time selection (a binary search over the id's versions). */
    @Benchmark
    public byte[] fullPathNamedEventTime() throws FeatureEventException {
        return score(named[next()], ModelSelection.EVENT_TIME);
    }

    /** The whole path, positional features. */
    @Benchmark
    public byte[] fullPathPositional() throws FeatureEventException {
        return score(positional[next()], ModelSelection.LATEST);
    }

    /** Baseline: parse the named event and write a score of the same shape, with no lookup and no arithmetic. */
    @Benchmark
    public byte[] baselineParseAndSerialize() throws FeatureEventException {
        FeatureEvent event = FeatureEventJson.parse(named[next()]);
        return ScoreJson.toBytes(new Score(event.eventId(), event.modelId(), 1, 0.5, 1, 0.5, 1_763_892_000_000L,
                1_763_892_000_001L, Instant.ofEpochMilli(PUBLISHED_AT), ModelSelection.LATEST));
    }

    /** Stage: parse only (named). */
    @Benchmark
    public FeatureEvent stageParse() throws FeatureEventException {
        return FeatureEventJson.parse(named[next()]);
    }

    /** Stage: model lookup only. */
    @Benchmark
    public ServingHistory stageLookup() {
        return histories.get(modelIds[next()]);
    }

    /** Stage: arrange named features in model order, dot product with standardization, sigmoid. */
    @Benchmark
    public double stageVectorAndDot() throws FeatureEventException {
        int k = next();
        LogisticModel model = modelFor[k];
        return model.predictProbability(parsed[k].vectorFor(model));
    }

    /** Stage: dot product with standardization and sigmoid on a ready vector. */
    @Benchmark
    public double stageDotOnly() {
        int k = next();
        return modelFor[k].predictProbability(vectors[k]);
    }

    /** Stage: serialize the score. */
    @Benchmark
    public byte[] stageSerialize() {
        return ScoreJson.toBytes(scores[next()]);
    }
}
