package io.streamscore.common.drift;

import io.streamscore.common.InvalidModelException;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelFormatException;
import io.streamscore.common.ModelJson;
import io.streamscore.common.Standardization;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The baseline: fitting, counting, its place in the model and the model JSON, and what is refused. */
class DriftBaselineTest {
    private static final List<String> NAMES = List.of("amount", "age", "night");

    private static LogisticModel model() {
        return new LogisticModel("fraud", 3, NAMES, new double[]{0.8, -1.2, 0.4}, 0.1,
                new Standardization(new double[]{10, 40, 0.5}, new double[]{5, 12, 0.5}), 0.5, null);
    }

    /** A baseline fitted on 2,000 random rows of the model's features. */
    private static DriftBaseline fitted(LogisticModel m) {
        SplittableRandom rnd = new SplittableRandom(2);
        int n = 2000;
        double[] x = new double[n * 3];
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            x[i * 3] = 10 + 5 * rnd.nextGaussian();
            x[i * 3 + 1] = rnd.nextInt(18, 90);
            x[i * 3 + 2] = rnd.nextInt(2);
            p[i] = m.predictProbability(new double[]{x[i * 3], x[i * 3 + 1], x[i * 3 + 2]});
        }
        return DriftBaseline.fit(NAMES, x, p, DriftBaseline.DEFAULT_BINS);
    }

    @Test
    void fitBinsEachFeatureAndTheScoreAndCountFillsTheLayout() {
        DriftBaseline b = fitted(model());
        assertEquals(NAMES, b.featureNames());
        assertEquals(10, b.feature(0).count());
        assertEquals(10, b.feature(1).count());
        assertEquals(2, b.feature(2).count(), "a 0/1 feature gets two bins");
        assertEquals(10, b.score().count());
        assertEquals(10 + 10 + 2 + 10 + 1, b.slots());
        long[] counts = new long[b.slots()];
        b.count(new double[]{10, 18, 1}, 0.99, counts);
        b.count(new double[]{-100, 1000, 0}, 0.0, counts);
        assertEquals(2, counts[counts.length - 1], "the event count");
        assertEquals(1, counts[b.offset(0)], "amount -100 in the lowest bin");
        assertEquals(1, counts[b.offset(1) + 9], "age 1000 in the highest bin");
        assertEquals(1, counts[b.offset(2)], "night 0");
        assertEquals(1, counts[b.offset(2) + 1], "night 1");
        assertEquals(1, counts[b.offset(3) + 9], "p 0.99 in the highest score bin");
        long total = 0;
        for (int i = 0; i < counts.length - 1; i++) {
            total += counts[i];
        }
        assertEquals(2 * 4, total, "each event in one bin per quantity");
        long[] viaSlots = new long[b.slots()];
        int[] slots = new int[4];
        b.slotsOf(new double[]{10, 18, 1}, 0.99, slots);
        b.add(slots, viaSlots);
        b.slotsOf(new double[]{-100, 1000, 0}, 0.0, slots);
        b.add(slots, viaSlots);
        assertArrayEquals(counts, viaSlots, "slotsOf + add count as count does");
    }

    @Test
    void theModelJsonCarriesTheBaselineAndReadsItBackBitForBit() {
        LogisticModel m = model().withDriftBaseline(fitted(model()));
        String json = ModelJson.toCompactJson(m);
        assertTrue(json.contains("\"driftBaseline\":{\"bins\":10,\"features\":{\"amount\":{\"edges\":["), json);
        LogisticModel back = ModelJson.fromJson(json);
        assertEquals(m, back);
        assertEquals(m.driftBaseline(), back.driftBaseline());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(m.driftBaseline().feature(i).edges(), back.driftBaseline().feature(i).edges(), 0.0);
        }
        // The version and id copies keep it; the published version carries it.
        assertEquals(m.driftBaseline(), m.withVersion(7).driftBaseline());
        assertEquals(m.driftBaseline(), m.withModelId("other").driftBaseline());
        assertNotEquals(m, m.withDriftBaseline(null), "the baseline is part of the model");
        assertEquals(m.driftBaseline(), DriftBaselineJson.fromBytes(DriftBaselineJson.toBytes(m.driftBaseline())));
    }

    @Test
    void aModelWithoutABaselineStaysValidAndWritesNone() {
        String json = ModelJson.toCompactJson(model());
        assertFalse(json.contains("driftBaseline"), json);
        assertNull(ModelJson.fromJson(json).driftBaseline());
        String explicitNull = json.substring(0, json.length() - 1) + ",\"driftBaseline\":null}";
        assertNull(ModelJson.fromJson(explicitNull).driftBaseline());
    }

    @Test
    void theFeaturesInTheJsonMayComeInAnyOrder() {
        LogisticModel m = model().withDriftBaseline(fitted(model()));
        var tree = ModelJson.toTree(m);
        var features = (com.fasterxml.jackson.databind.node.ObjectNode) tree.get("driftBaseline").get("features");
        var age = features.remove("age");
        features.set("age", age); // now amount, night, age
        LogisticModel back = ModelJson.fromTree(tree);
        assertEquals(NAMES, back.driftBaseline().featureNames());
        assertEquals(m, back);
    }

    @Test
    void invalidBaselinesAreRefusedNamingTheField() {
        String good = ModelJson.toCompactJson(model().withDriftBaseline(fitted(model())));
        refused(InvalidModelException.class, "driftBaseline.features has no bins for feature 'night'; it must hold "
                + "every feature of the model", good.replaceFirst(",\"night\":\\{\"edges\":\\[[^]]*],\"proportions\":\\[[^]]*]}", ""),
                true);
        refused(InvalidModelException.class, "driftBaseline.features.extra: 'extra' is not a feature of the model",
                good.replace("\"features\":{", "\"features\":{\"extra\":{\"edges\":[],\"proportions\":[1.0]},"), false);
        refused(InvalidModelException.class, "driftBaseline.score: proportions sum to",
                good.replaceFirst("(\"score\":\\{\"edges\":\\[[^]]*],\"proportions\":\\[)[^,]*", "$10.5"), true);
        refused(InvalidModelException.class, "driftBaseline.features.amount: edges[1] is",
                good.replaceFirst("(\"amount\":\\{\"edges\":\\[)([^,]*),([^,]*),", "$1$2,$2,"), true);
        refused(ModelFormatException.class, "driftBaseline.bins must be an integer",
                good.replace("\"bins\":10", "\"bins\":\"ten\""), false);
        refused(ModelFormatException.class, "driftBaseline must be null or an object",
                good.replaceFirst("\"driftBaseline\":\\{.*}$", "\"driftBaseline\":[1]}"), false);
        refused(InvalidModelException.class, "driftBaseline.features.amount has 10 bins; driftBaseline.bins allows 5",
                good.replace("\"bins\":10", "\"bins\":5"), false);
        assertThrows(InvalidModelException.class, () -> new LogisticModel("m", 1, List.of("age", "amount", "night"),
                new double[]{1, 2, 3}, 0, null, 0.5, null, fitted(model())), "names in another order");
    }

    private static void refused(Class<? extends InvalidModelException> type, String startOfMessage, String json,
                                boolean prefix) {
        InvalidModelException e = assertThrows(type, () -> ModelJson.fromJson(json), json);
        assertTrue(prefix ? e.getMessage().startsWith(startOfMessage) : e.getMessage().contains(startOfMessage),
                e.getMessage());
    }

    @Test
    void psiOfCountsUsesEachQuantitysSlice() {
        DriftBaseline b = new DriftBaseline(3, new LinkedHashMap<>(Map.of("a",
                new Bins(new double[]{0, 1}, new double[]{0.5, 0.3, 0.2}))),
                new Bins(new double[]{0.5}, new double[]{0.5, 0.5}));
        long[] counts = {40, 40, 20, 50, 50, 100};
        double[] psi = b.psi(counts);
        assertEquals(Psi.of(new double[]{0.5, 0.3, 0.2}, new long[]{40, 40, 20}), psi[0], 0.0);
        assertEquals(0.0, psi[1], 0.0);
    }
}
