package io.streamscore.common;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogisticModelTest {

    private static LogisticModel model(double[] weights, double intercept, Standardization s, double threshold) {
        return new LogisticModel("m", 1, List.of("a", "b"), weights, intercept, s, threshold, null);
    }

    @Test
    void predictsSigmoidOfTheLogit() {
        LogisticModel m = model(new double[] {2.0, -1.0}, 0.5, null, 0.5);
        double z = 0.5 + 2.0 * 3.0 + (-1.0) * 4.0;
        assertEquals(LogisticMath.sigmoid(z), m.predictProbability(new double[] {3, 4}));
        assertEquals(1, m.predictLabel(new double[] {3, 4}));
        assertEquals(0, m.predictLabel(new double[] {0, 4}));
    }

    @Test
    void standardizationIsAppliedToRawFeatures() {
        Standardization s = new Standardization(new double[] {10, 20}, new double[] {2, 4});
        LogisticModel m = model(new double[] {2.0, -1.0}, 0.5, s, 0.5);
        double z = 0.5 + (2.0 * ((14 - 10) / 2.0) + (-1.0) * ((12 - 20) / 4.0));
        assertEquals(LogisticMath.sigmoid(z), m.predictProbability(new double[] {14, 12}));
    }

    @Test
    void predictionByNameIgnoresOrderAndExtras() {
        LogisticModel m = model(new double[] {2.0, -1.0}, 0.5, null, 0.5);
        double byArray = m.predictProbability(new double[] {3, 4});
        assertEquals(byArray, m.predictProbability(Map.of("b", 4, "a", 3, "unused", 99)));
    }

    @Test
    void missingFeaturesAreNamed() {
        LogisticModel m = model(new double[] {2.0, -1.0}, 0.5, null, 0.5);
        MissingFeatureException e = assertThrows(MissingFeatureException.class, () -> m.predictProbability(Map.of("x", 1)));
        assertEquals(List.of("a", "b"), e.missing());
        assertTrue(e.getMessage().contains("a, b"), e.getMessage());
    }

    @Test
    void thresholdDecidesTheLabel() {
        LogisticModel m = model(new double[] {1.0, 0.0}, 0.0, null, 0.8);
        assertEquals(0, m.label(0.79));
        assertEquals(1, m.label(0.8));
    }

    @Test
    void invalidModelsCannotBeConstructed() {
        assertMessage("weights[1] (feature 'b') is NaN", () -> model(new double[] {1, Double.NaN}, 0, null, 0.5));
        assertMessage("weights[0] (feature 'a') is Infinity", () -> model(new double[] {Double.POSITIVE_INFINITY, 1}, 0, null, 0.5));
        assertMessage("intercept is -Infinity", () -> model(new double[] {1, 1}, Double.NEGATIVE_INFINITY, null, 0.5));
        assertMessage("featureNames has 2 entries but weights has 3", () -> model(new double[] {1, 1, 1}, 0, null, 0.5));
        assertMessage("threshold is 1.0; must be in (0, 1)", () -> model(new double[] {1, 1}, 0, null, 1.0));
        assertMessage("threshold is 0.0", () -> model(new double[] {1, 1}, 0, null, 0.0));
        assertMessage("threshold is NaN", () -> model(new double[] {1, 1}, 0, null, Double.NaN));
        assertMessage("standardization.std[1] is 0.0; must be positive and finite",
                () -> new Standardization(new double[] {0, 0}, new double[] {1, 0}));
        assertMessage("standardization.std[0] is -1.0", () -> new Standardization(new double[] {0}, new double[] {-1}));
        assertMessage("standardization.std[0] is Infinity", () -> new Standardization(new double[] {0}, new double[] {Double.POSITIVE_INFINITY}));
        assertMessage("standardization.mean[0] is NaN", () -> new Standardization(new double[] {Double.NaN}, new double[] {1}));
        assertMessage("standardization has 1 entries but weights has 2",
                () -> model(new double[] {1, 1}, 0, new Standardization(new double[] {0}, new double[] {1}), 0.5));
        assertMessage("featureNames has 'a' twice",
                () -> new LogisticModel("m", 1, List.of("a", "a"), new double[] {1, 1}, 0, null, 0.5, null));
        assertMessage("modelId must be a non-empty string",
                () -> new LogisticModel(" ", 1, List.of("a"), new double[] {1}, 0, null, 0.5, null));
        assertMessage("featureNames[1] has an unpaired surrogate",
                () -> new LogisticModel("m", 1, List.of("a", "b\uD800"), new double[] {1, 1}, 0, null, 0.5, null));
    }

    @Test
    void featureSchemaIsTheFingerprintOfTheNamesInOrder() {
        LogisticModel ab = model(new double[] {2.0, -1.0}, 0.5, null, 0.5);
        LogisticModel ba = new LogisticModel("m", 2, List.of("b", "a"), new double[] {-1.0, 2.0}, 0.5, null, 0.5, null);
        assertEquals(FeatureSchema.fingerprint(List.of("a", "b")), ab.featureSchema());
        assertEquals(FeatureSchema.fingerprint(List.of("b", "a")), ba.featureSchema());
        assertTrue(!ab.featureSchema().equals(ba.featureSchema()), "same names, another order");
        // Only the names count: not the id, the version or the parameters.
        assertEquals(ab.featureSchema(), ab.withVersion(9).withModelId("other").featureSchema());
        assertEquals(ab.featureSchema(), model(new double[] {7, 7}, 0, null, 0.9).featureSchema());
    }

    @Test
    void arraysAreCopiedInAndOut() {
        double[] w = {1, 2};
        LogisticModel m = model(w, 0, null, 0.5);
        w[0] = 99;
        assertArrayEquals(new double[] {1, 2}, m.weights());
        m.weights()[1] = 99;
        assertArrayEquals(new double[] {1, 2}, m.weights());
    }

    @Test
    void wrongLengthVectorIsRejected() {
        LogisticModel m = model(new double[] {1, 2}, 0, null, 0.5);
        assertMessage("model 'm' expects 2 features, got 3", () -> m.predictProbability(new double[] {1, 2, 3}));
    }

    private static void assertMessage(String expectedPart, org.junit.jupiter.api.function.Executable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action);
        assertTrue(e.getMessage().contains(expectedPart), () -> "expected '" + expectedPart + "' in: " + e.getMessage());
    }
}
