package io.streamscore.common;

import io.streamscore.common.event.ModelSelection;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Random models (with and without standardization, weights and features over many magnitudes) and random events:
 * the contributions add up to the logit, and the probability is {@code predictProbability}'s bit for bit.
 */
class ContributionsPropertyTest {
    private static final int MODELS = 600;
    private static final int EVENTS_PER_MODEL = 12;
    private static final double TOLERANCE = 1e-12;

    @Test
    void contributionsSumToTheLogitAndLeaveTheProbabilityBitForBit() {
        SplittableRandom random = new SplittableRandom(20261203L);
        int standardized = 0;
        for (int m = 0; m < MODELS; m++) {
            LogisticModel model = randomModel(random, m);
            standardized += model.standardization() == null ? 0 : 1;
            for (int e = 0; e < EVENTS_PER_MODEL; e++) {
                double[] x = randomFeatures(random, model.featureCount());
                String where = model + " #" + m + ", event " + Arrays.toString(x);
                Contributions c = model.contributions(x);
                assertEquals(model.featureCount(), c.size(), where);

                // Each term is w_i·x̃_i, x̃ standardized as the model does, computed here independently.
                double[] w = model.weights();
                Standardization s = model.standardization();
                for (int i = 0; i < w.length; i++) {
                    double xt = s == null ? x[i] : (x[i] - s.mean()[i]) / s.std()[i];
                    assertBits(w[i] * xt, c.term(i), "term " + i + " of " + where);
                    assertEquals(model.featureNames().get(i), c.name(i), where);
                }
                assertBits(model.intercept(), c.intercept(), "intercept of " + where);

                // The probability path: the same logit, so the same probability, bit for bit.
                assertBits(model.logit(x), c.logit(), "logit of " + where);
                assertBits(model.predictProbability(x), LogisticMath.sigmoid(c.logit()), "probability of " + where);

                // A reader's check. In the written order (terms from 0, intercept last) the sum is exact; in any
                // other order (here: intercept first, then largest first) it holds to 1e-12 of the sum's scale.
                double sum = 0.0;
                double scale = Math.abs(c.intercept());
                for (int i = 0; i < c.size(); i++) {
                    sum += c.term(i);
                    scale += Math.abs(c.term(i));
                }
                assertBits(c.logit(), c.intercept() + sum, "sum in the written order, " + where);
                double other = c.intercept();
                for (double t : sortedByMagnitude(c)) {
                    other += t;
                }
                assertWithin(c.logit(), other, scale, "sum intercept first, " + where);

                // Through the score JSON: every number reads back exactly, so the reader's sum is the same.
                Score back = ScoreJson.fromBytes(ScoreJson.toBytes(new Score("e", model.modelId(), model.version(),
                        model.predictProbability(x), model.label(model.predictProbability(x)), model.threshold(), 1, 2, null, ModelSelection.LATEST, c)));
                assertEquals(c, back.contributions(), "JSON round trip of " + where);

                // Top K: the K largest magnitudes, then the rest counted and summed.
                int k = 1 + random.nextInt(model.featureCount() + 2);
                Contributions top = c.top(k);
                checkTop(c, top, k, where);
                assertEquals(top, ScoreJson.fromBytes(ScoreJson.toBytes(new Score("e", model.modelId(),
                        model.version(), 0.5, 1, 0.5, 1, 2, null, ModelSelection.LATEST, top))).contributions(), "JSON round trip of top " + k);
                double kept = top.omittedSum();
                for (int i = 0; i < top.size(); i++) {
                    kept += top.term(i);
                }
                assertWithin(c.logit(), top.intercept() + kept, scale, "top " + k + " + omitted sum, " + where);
            }
        }
        assertTrue(standardized > MODELS / 4 && standardized < 3 * MODELS / 4, "both kinds covered: " + standardized);
    }

    @Test
    void topBreaksTiesInTheModelsFeatureOrder() {
        LogisticModel model = new LogisticModel("m", 1, List.of("a", "b", "c", "d", "e"),
                new double[] {1.0, -2.0, 2.0, -1.0, 0.5}, 0.25, null, 0.5, null);
        Contributions c = model.contributions(new double[] {3, 3, 3, 3, 3});   // terms 3, -6, 6, -3, 1.5
        Contributions top3 = c.top(3);
        assertEquals(Map.of("b", -6.0, "c", 6.0, "a", 3.0), top3.asMap());
        assertEquals(List.of("b", "c", "a"), new ArrayList<>(top3.asMap().keySet()), "largest first, ties by order");
        assertEquals(2, top3.omitted());
        assertBits(-1.5, top3.omittedSum(), "omitted: d -3 + e 1.5");
        assertEquals(List.of("b", "c", "a", "d", "e"), new ArrayList<>(c.top(9).asMap().keySet()));
        assertEquals(0, c.top(9).omitted());
        assertThrows(IllegalArgumentException.class, () -> c.top(0));
        assertThrows(IllegalArgumentException.class, () -> top3.top(1));
    }

    @Test
    void anOverflowedTermGivesAnInfiniteLogitAndTheSameProbability() {
        LogisticModel model = new LogisticModel("m", 1, List.of("a", "b"), new double[] {1e10, 1.0}, 0.0, null, 0.5, null);
        double[] x = {1e300, 2.0};
        Contributions c = model.contributions(x);
        assertEquals(Double.POSITIVE_INFINITY, c.term(0));
        assertEquals(Double.POSITIVE_INFINITY, c.logit());
        assertBits(model.predictProbability(x), LogisticMath.sigmoid(c.logit()), "probability");
        Score back = ScoreJson.fromBytes(ScoreJson.toBytes(new Score(null, "m", 1, 1.0, 1, 0.5, 1, 2, null, ModelSelection.LATEST, c)));
        assertEquals(c, back.contributions());
    }

    private static LogisticModel randomModel(SplittableRandom r, int id) {
        int n = 1 + r.nextInt(r.nextInt(8) == 0 ? 200 : 30);
        List<String> names = new ArrayList<>();
        double[] w = new double[n];
        double[] mean = new double[n];
        double[] std = new double[n];
        double scale = Math.pow(10, r.nextInt(-3, 4));
        for (int i = 0; i < n; i++) {
            names.add("f" + i + (r.nextInt(10) == 0 ? "-é\"x" : ""));
            w[i] = r.nextInt(20) == 0 ? 0.0 : r.nextGaussian() * scale;
            mean[i] = r.nextGaussian() * Math.pow(10, r.nextInt(-2, 4));
            std[i] = Math.pow(10, r.nextDouble(-2, 3));
        }
        Standardization s = r.nextBoolean() ? new Standardization(mean, std) : null;
        return new LogisticModel("model-" + id, 1 + id, names, w, r.nextGaussian() * scale, s,
                r.nextDouble(0.05, 0.95), null);
    }

    private static double[] randomFeatures(SplittableRandom r, int n) {
        double[] x = new double[n];
        double scale = Math.pow(10, r.nextInt(-3, 5));
        for (int i = 0; i < n; i++) {
            x[i] = switch (r.nextInt(10)) {
                case 0 -> 0.0;
                case 1 -> r.nextInt(-5, 6);
                default -> r.nextGaussian() * scale;
            };
        }
        return x;
    }

    private static void checkTop(Contributions all, Contributions top, int k, String where) {
        int keep = Math.min(k, all.size());
        assertEquals(keep, top.size(), where);
        assertTrue(top.isSelection(), where);
        assertEquals(all.size() - keep, top.omitted(), where);
        assertBits(all.logit(), top.logit(), where);
        assertBits(all.intercept(), top.intercept(), where);
        // Expected: indices sorted by magnitude descending, ties by index ascending.
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            order.add(i);
        }
        order.sort(Comparator.<Integer>comparingDouble(i -> -Math.abs(all.term(i))).thenComparing(i -> i));
        double rest = 0.0;
        List<Integer> omitted = new ArrayList<>(order.subList(keep, order.size()));
        omitted.sort(null);
        for (int i : omitted) {
            rest += all.term(i);
        }
        for (int j = 0; j < keep; j++) {
            int i = order.get(j);
            if (!all.name(i).equals(top.name(j))) {
                fail("top " + k + " position " + j + ": expected " + all.name(i) + " (" + all.term(i) + "), got "
                        + top.name(j) + " (" + top.term(j) + "); " + where);
            }
            assertBits(all.term(i), top.term(j), where);
        }
        assertBits(rest, top.omittedSum(), "omitted sum, in the model's order, " + where);
    }

    private static double[] sortedByMagnitude(Contributions c) {
        Double[] t = new Double[c.size()];
        for (int i = 0; i < t.length; i++) {
            t[i] = c.term(i);
        }
        Arrays.sort(t, Comparator.comparingDouble(v -> -Math.abs(v)));
        return Arrays.stream(t).mapToDouble(Double::doubleValue).toArray();
    }

    private static void assertBits(double expected, double actual, String what) {
        if (Double.doubleToRawLongBits(expected) != Double.doubleToRawLongBits(actual)) {
            fail(what + ": expected " + expected + " (" + Long.toHexString(Double.doubleToRawLongBits(expected))
                    + "), got " + actual + " (" + Long.toHexString(Double.doubleToRawLongBits(actual)) + ")");
        }
    }

    /** |expected − actual| ≤ 1e-12 · max(1, scale): the rounding of a sum whose terms add up to {@code scale}. */
    private static void assertWithin(double expected, double actual, double scale, String what) {
        if (Double.isInfinite(expected) || Double.isInfinite(actual)) {
            assertBits(expected, actual, what);
            return;
        }
        double bound = TOLERANCE * Math.max(1.0, scale);
        if (!(Math.abs(expected - actual) <= bound)) {
            fail(what + ": " + actual + " differs from the logit " + expected + " by " + Math.abs(expected - actual)
                    + " > " + bound);
        }
    }
}
