package io.streamscore.scorer.hostile;

import io.streamscore.common.FeatureSchema;
import io.streamscore.common.InvalidModelException;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.modellog.ModelLog;
import io.streamscore.common.Standardization;
import io.streamscore.common.event.FeatureEvent;
import io.streamscore.common.event.FeatureEventException;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.common.event.ReasonCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random mutations (fixed seed) of valid feature events and model records, through the real topology. For every
 * feature record: exactly one output, a documented reason (never INTERNAL_ERROR, which would be a bug), bytes
 * untouched, and a score equal to the serving model's prediction. Model records are interleaved; after each one the
 * serving model is the one an independent replay of the gate's rules predicts — the newest valid, published record —
 * which a probe event proves bit for bit.
 */
class FuzzTest {
    private static final long SEED = 20261123L;
    private static final int FEATURE_RECORDS = 12_000;
    private static final int MODEL_EVERY = 20;

    private static final List<String> FRAUD_FEATURES = List.of("amount", "age", "night");
    private static final List<String> CHURN_FEATURES = List.of("tenure", "calls");
    private static final String[] VALID_EVENTS = {
            "{\"eventId\":\"e-1\",\"modelId\":\"fraud\",\"features\":{\"amount\":1.5,\"age\":-2.25,\"night\":1}}",
            "{\"modelId\":\"fraud\",\"featureSchema\":\"" + FeatureSchema.fingerprint(FRAUD_FEATURES) + "\",\"features\":[12.5,41,0]}",
            "{\"features\":{\"night\":0,\"amount\":3e2,\"age\":4.0E-1},\"modelId\":\"fraud\",\"label\":1}",
            "{\"schemaVersion\":1,\"eventId\":\"x\",\"modelId\":\"fraud\",\"features\":{\"amount\":0,\"age\":0,\"night\":0,\"extra\":7}}",
            "{\"modelId\":\"churn\",\"features\":{\"tenure\":24,\"calls\":3}}",
            "{\"modelId\":\"churn\",\"features\":[-1.5,0.25],\"label\":false,\"featureSchema\":\""
                    + FeatureSchema.fingerprint(CHURN_FEATURES) + "\"}",
    };
    private static final String[] SWAPS = {"\"x\"", "true", "null", "{}", "[]", "1e999", "NaN", "-0", "\"\"", "[1,2,3]",
            "{\"a\":1}", "99999999999999999999999"};

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void randomMutationsOfValidRecordsNeverBreakTheOneOutputPerInputInvariant() {
        SplittableRandom random = new SplittableRandom(SEED);
        Map<ReasonCode, Integer> byReason = new EnumMap<>(ReasonCode.class);
        Map<String, LogisticModel> oracle = new HashMap<>();
        ModelLog modelLog = new ModelLog();
        long start = System.nanoTime();
        int modelRecords = 0;
        int modelsApplied = 0;
        long nextVersion = 2;
        try (Harness h = new Harness()) {
            LogisticModel churn = new LogisticModel("churn", 1, CHURN_FEATURES, new double[]{-0.05, 0.9}, -0.3,
                    new Standardization(new double[]{24, 3}, new double[]{12, 1.5}), 0.3, null);
            h.publish(Harness.fraud(1));
            h.publish(churn);
            modelLog.apply("fraud@v1".getBytes(StandardCharsets.UTF_8),
                    ModelJson.toCompactJson(Harness.fraud(1)).getBytes(StandardCharsets.UTF_8), 0);
            oracle.put("fraud", Harness.fraud(1));
            oracle.put("churn", churn);
            for (int i = 0; i < FEATURE_RECORDS; i++) {
                if (i % MODEL_EVERY == 0) {
                    // A model record: a clean next version now and then, otherwise a mutation of one.
                    LogisticModel clean = fraudModel(nextVersion++, random);
                    byte[] value = ModelJson.toCompactJson(clean).getBytes(StandardCharsets.UTF_8);
                    byte[] key = ("fraud@v" + clean.version()).getBytes(StandardCharsets.UTF_8);
                    if (random.nextInt(4) != 0) {
                        value = mutate(value, random, ModelJson.toCompactJson(Harness.fraud(1)).getBytes(StandardCharsets.UTF_8));
                    }
                    if (random.nextInt(25) == 0) {
                        key = random.nextBoolean() ? null : mutate(key, random, key);
                    }
                    h.pipeModel(key, value);
                    modelRecords++;
                    if (applyGateRules(oracle, modelLog, key, value)) {
                        modelsApplied++;
                    }
                    assertProbe(h, oracle.get("fraud"), "after model record #" + modelRecords);
                }
                byte[] base = VALID_EVENTS[random.nextInt(VALID_EVENTS.length)].getBytes(StandardCharsets.UTF_8);
                byte[] other = VALID_EVENTS[random.nextInt(VALID_EVENTS.length)].getBytes(StandardCharsets.UTF_8);
                byte[] value = random.nextInt(20) == 0 ? base : mutate(base, random, other);
                byte[] key = random.nextInt(50) == 0 ? null : ("k" + i).getBytes(StandardCharsets.UTF_8);
                Harness.Outcome o = h.pipe(key, value);
                if (o.isScore()) {
                    assertEqualsPrediction(oracle, value, o);
                } else {
                    ReasonCode reason = ReasonCode.valueOf(o.reason());
                    assertNotEquals(ReasonCode.INTERNAL_ERROR, reason, () -> "a bug on " + show(value) + ": " + o.message());
                    byReason.merge(reason, 1, Integer::sum);
                }
            }
            h.assertCountersMatch();
            assertTrue(h.scored > FEATURE_RECORDS / 20, "some mutations still score: " + h.scored);
            assertTrue(modelsApplied > 10 && modelsApplied < modelRecords, "the model fuzz mixes good and bad: "
                    + modelsApplied + " of " + modelRecords);
            System.out.printf("fuzz: %d feature records (%d scored, dead letters %s), %d model records (%d applied), %.1f s%n",
                    h.inputs, h.scored, byReason, modelRecords, modelsApplied, (System.nanoTime() - start) / 1e9);
        }
    }

    /** A valid fraud model of this version with random (finite) weights and, sometimes, standardization. */
    private static LogisticModel fraudModel(long version, SplittableRandom r) {
        double[] w = {r.nextGaussian(), r.nextGaussian(), r.nextGaussian()};
        Standardization s = r.nextBoolean() ? null
                : new Standardization(new double[]{r.nextGaussian(), 0, 1}, new double[]{0.5 + r.nextDouble(), 1, 2});
        return new LogisticModel("fraud", version, FRAUD_FEATURES, w, r.nextGaussian(), s,
                0.05 + 0.9 * r.nextDouble(), null);
    }

    /**
     * Which fraud model must be served after this record: the model topic's rule (the highest valid, unretired
     * version, from the last record per key), as {@link ModelLog} computes it — itself checked against the rule's text
     * in ModelLogTest. Returns whether the served fraud model changed.
     */
    private static boolean applyGateRules(Map<String, LogisticModel> oracle, ModelLog modelLog, byte[] key, byte[] value) {
        modelLog.apply(key, value, 0);
        LogisticModel served = modelLog.served("fraud");
        LogisticModel before = served == null ? oracle.remove("fraud") : oracle.put("fraud", served);
        return served != null && !served.equals(before);
    }

    /** A positional probe for the oracle's fraud model: scored by exactly that model, or MODEL_NOT_FOUND without one. */
    private static void assertProbe(Harness h, LogisticModel expected, String when) {
        int n = expected == null ? 3 : expected.featureCount();
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = 0.25 * (i + 1);
        }
        StringBuilder json = new StringBuilder("{\"modelId\":\"fraud\",\"featureSchema\":\""
                + (expected == null ? FeatureSchema.fingerprint(FRAUD_FEATURES) : expected.featureSchema()) + "\",\"features\":[");
        for (int i = 0; i < n; i++) {
            json.append(i == 0 ? "" : ",").append(x[i]);
        }
        Harness.Outcome o = h.pipe("probe", json.append("]}").toString());
        if (expected == null) {
            assertEquals(ReasonCode.MODEL_NOT_FOUND.name(), o.reason(), when);
            return;
        }
        assertTrue(o.isScore(), () -> when + ": probe not scored: " + o);
        assertEquals(expected.version(), o.score().modelVersion(), when);
        assertEquals(Double.doubleToRawLongBits(expected.predictProbability(x)),
                Double.doubleToRawLongBits(o.score().probability()), when);
    }

    private static void assertEqualsPrediction(Map<String, LogisticModel> oracle, byte[] value, Harness.Outcome o) {
        FeatureEvent event;
        double[] x;
        LogisticModel model = oracle.get(o.score().modelId());
        try {
            event = FeatureEventJson.parse(value);
            x = event.vectorFor(model);
        } catch (FeatureEventException e) {
            throw new AssertionError("scored, but the parser refuses " + show(value) + ": " + e.getMessage());
        }
        assertEquals(model.version(), o.score().modelVersion());
        assertEquals(Double.doubleToRawLongBits(model.predictProbability(x)), Double.doubleToRawLongBits(o.score().probability()),
                () -> show(value));
    }

    /** One to three random mutations: byte flip, insertion, deletion, truncation, splice with another record, type swap. */
    static byte[] mutate(byte[] in, SplittableRandom r, byte[] other) {
        byte[] b = in;
        int rounds = 1 + r.nextInt(3);
        for (int k = 0; k < rounds && b.length > 0; k++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(7)) {
                case 0 -> {                                  // flip one bit or one whole byte
                    b = b.clone();
                    b[at] = r.nextBoolean() ? (byte) (b[at] ^ (1 << r.nextInt(8))) : (byte) r.nextInt(256);
                }
                case 1 -> {                                  // insert a byte, often a JSON-significant one
                    byte ins = r.nextBoolean() ? (byte) "{}[]\",:0-.eE \\nu".charAt(r.nextInt(16)) : (byte) r.nextInt(256);
                    b = FeatureCorpus.concat(Arrays.copyOf(b, at), new byte[]{ins}, Arrays.copyOfRange(b, at, b.length));
                }
                case 2 -> {                                  // delete a run
                    int len = 1 + r.nextInt(Math.min(8, b.length - at));
                    b = FeatureCorpus.concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + len, b.length));
                }
                case 3 -> b = Arrays.copyOf(b, at);          // truncate
                case 4 -> {                                  // splice: a prefix of this, a suffix of the other
                    int from = r.nextInt(other.length);
                    b = FeatureCorpus.concat(Arrays.copyOf(b, at), Arrays.copyOfRange(other, from, other.length));
                }
                case 5 -> b = swapValue(b, r);               // replace one scalar value with another type
                default -> {                                 // duplicate a run (duplicate keys, repeated values)
                    int len = 1 + r.nextInt(Math.min(24, b.length - at));
                    b = FeatureCorpus.concat(Arrays.copyOf(b, at + len), Arrays.copyOfRange(b, at, b.length));
                }
            }
        }
        return b;
    }

    /** Replaces the scalar after a random ':' or '[' or ',' with one of {@link #SWAPS}. */
    private static byte[] swapValue(byte[] b, SplittableRandom r) {
        String s = new String(b, StandardCharsets.ISO_8859_1);
        int from = r.nextInt(s.length());
        int start = -1;
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ':' || c == '[' || c == ',') {
                start = i + 1;
                break;
            }
        }
        if (start < 0) {
            return b;
        }
        int end = start;
        boolean quoted = end < s.length() && s.charAt(end) == '"';
        if (quoted) {
            end = s.indexOf('"', end + 1);
            end = end < 0 ? s.length() : end + 1;
        } else {
            while (end < s.length() && "{}[],:\"".indexOf(s.charAt(end)) < 0) {
                end++;
            }
        }
        String swapped = s.substring(0, start) + SWAPS[r.nextInt(SWAPS.length)] + s.substring(end);
        return swapped.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String show(byte[] b) {
        return new String(b, StandardCharsets.ISO_8859_1);
    }
}
