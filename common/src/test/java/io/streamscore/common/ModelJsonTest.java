package io.streamscore.common;

import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelJsonTest {

    private static LogisticModel sample(double[] weights, double intercept) {
        String[] names = new String[weights.length];
        double[] mean = new double[weights.length];
        double[] std = new double[weights.length];
        for (int i = 0; i < names.length; i++) {
            names[i] = "f" + i;
            mean[i] = weights[i] * 3;
            std[i] = Math.abs(weights[i]) + Double.MIN_VALUE;
        }
        return new LogisticModel("m-1", 42, List.of(names), weights, intercept, new Standardization(mean, std), 0.3,
                new ModelMetadata(Instant.parse("2026-11-23T10:15:30.123Z"), Map.of("learningRate", "0.5"),
                        Map.of("train", Map.of("accuracy", 0.875))));
    }

    @Test
    void doublesRoundTripBitExactly() {
        SplittableRandom random = new SplittableRandom(11);
        for (int round = 0; round < 200; round++) {
            double[] w = new double[5];
            for (int i = 0; i < w.length; i++) {
                // Random bit patterns cover subnormals, huge exponents and every mantissa; skip the non-finite ones.
                double v;
                do {
                    v = Double.longBitsToDouble(random.nextLong());
                } while (!Double.isFinite(v));
                w[i] = v;
            }
            w[0] = round == 0 ? -0.0 : w[0];
            LogisticModel model = sample(w, Double.longBitsToDouble(random.nextLong() & 0x3FFFFFFFFFFFFFFFL));
            LogisticModel back = ModelJson.fromBytes(ModelJson.toBytes(model));
            assertEquals(model, back);
            for (int i = 0; i < w.length; i++) {
                assertEquals(Double.doubleToRawLongBits(w[i]), Double.doubleToRawLongBits(back.weights()[i]));
            }
            assertEquals(model, ModelJson.fromJson(ModelJson.toCompactJson(model)));
        }
    }

    @Test
    void writesTheDocumentedTopLevelNames() {
        String json = ModelJson.toCompactJson(sample(new double[] {1, 2}, 0.5));
        for (String name : List.of("\"schemaVersion\":1", "\"modelId\":\"m-1\"", "\"version\":42", "\"featureNames\":[\"f0\",\"f1\"]",
                "\"weights\":[1.0,2.0]", "\"intercept\":0.5", "\"threshold\":0.3", "\"standardization\":{\"mean\":[3.0,6.0]")) {
            assertTrue(json.contains(name), () -> name + " not in " + json);
        }
    }

    @Test
    void readsTheGoldenSchema1FileAndToleratesUnknownFields() throws Exception {
        byte[] bytes;
        try (InputStream in = getClass().getResourceAsStream("/golden/model-schema-1.json")) {
            bytes = in.readAllBytes();
        }
        LogisticModel m = ModelJson.fromBytes(bytes);
        assertEquals("golden", m.modelId());
        assertEquals(7, m.version());
        assertEquals(List.of("x1", "x2"), m.featureNames());
        // The fingerprint is derived, not stored: an old file gets it too (value from the documented Python snippet).
        assertEquals("46c955797dbdecae", m.featureSchema());
        assertArrayEquals(new double[] {1.5, -0.25}, m.weights());
        assertEquals(0.6, m.threshold());
        assertArrayEquals(new double[] {2.0, 0.5}, m.standardization().std());
        assertEquals(Instant.parse("2026-11-23T00:00:00Z"), m.metadata().trainedAt());
        // p = σ(0.125 + 1.5·(12−10)/2 − 0.25·(−1−(−2))/0.5) = σ(1.125)
        assertEquals(LogisticMath.sigmoid(1.125), m.predictProbability(new double[] {12, -1}), 1e-15);
    }

    @Test
    void optionalFieldsHaveDefaults() {
        LogisticModel m = ModelJson.fromJson("""
                {"schemaVersion":1,"modelId":"x","version":1,"featureNames":["a"],"weights":[2],"intercept":0}""");
        assertEquals(0.5, m.threshold());
        assertNull(m.standardization());
        assertEquals(ModelMetadata.EMPTY, m.metadata());
    }

    @Test
    void missingRequiredFieldsAreNamed() {
        String full = """
                {"schemaVersion":1,"modelId":"x","version":1,"featureNames":["a"],"weights":[2],"intercept":0}""";
        for (String field : List.of("schemaVersion", "modelId", "version", "featureNames", "weights", "intercept")) {
            String without = full.replaceFirst("\"" + field + "\":(\\[[^]]*]|\"[^\"]*\"|[^,}]*),?", "").replace(",}", "}");
            ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelJson.fromJson(without), without);
            assertEquals("model JSON is missing required field '" + field + "'", e.getMessage());
        }
    }

    @Test
    void newerSchemaIsRefused() {
        ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelJson.fromJson("""
                {"schemaVersion":2,"modelId":"x","version":1,"featureNames":["a"],"weights":[2],"intercept":0}"""));
        assertTrue(e.getMessage().contains("supports at most 1"), e.getMessage());
    }

    @Test
    void badValuesAreRejectedWithTheFieldName() {
        assertMessage("weights[1] must be a number", """
                {"schemaVersion":1,"modelId":"x","version":1,"featureNames":["a","b"],"weights":[2,"3"],"intercept":0}""");
        assertMessage("weights[0] (feature 'a') is Infinity", """
                {"schemaVersion":1,"modelId":"x","version":1,"featureNames":["a"],"weights":[1e999],"intercept":0}""");
        assertMessage("featureNames has 1 entries but weights has 2", """
                {"schemaVersion":1,"modelId":"x","version":1,"featureNames":["a"],"weights":[1,2],"intercept":0}""");
        assertMessage("threshold is 1.5", """
                {"schemaVersion":1,"modelId":"x","version":1,"featureNames":["a"],"weights":[1],"intercept":0,"threshold":1.5}""");
        assertMessage("standardization.std[0] is 0.0", """
                {"schemaVersion":1,"modelId":"x","version":1,"featureNames":["a"],"weights":[1],"intercept":0,
                 "standardization":{"mean":[0],"std":[0]}}""");
        assertMessage("model JSON is malformed", "{\"schemaVersion\":1,");
        assertMessage("model JSON is malformed", "{\"weights\":NaN}");
        assertMessage("model JSON must be an object", "[1,2]");
        assertMessage("featureNames[1] has an unpaired surrogate", """
                {"schemaVersion":1,"modelId":"x","version":1,"featureNames":["a","b\\ud800"],"weights":[1,2],"intercept":0}""");
        assertMessage("version must be an integer", """
                {"schemaVersion":1,"modelId":"x","version":"1","featureNames":["a"],"weights":[1],"intercept":0}""");
    }

    @Test
    void serdeKeepsTombstonesAndNamesTheTopic() {
        ModelSerde serde = new ModelSerde();
        assertNull(serde.serializer().serialize("models", null));
        assertNull(serde.deserializer().deserialize("models", null));
        LogisticModel m = sample(new double[] {0.1, 0.2}, 0.3);
        assertEquals(m, serde.deserializer().deserialize("models", serde.serializer().serialize("models", m)));
        Exception e = assertThrows(org.apache.kafka.common.errors.SerializationException.class,
                () -> serde.deserializer().deserialize("models", "{}".getBytes()));
        assertTrue(e.getMessage().contains("topic 'models'"), e.getMessage());
    }

    private static void assertMessage(String expectedPart, String json) {
        InvalidModelException e = assertThrows(InvalidModelException.class, () -> ModelJson.fromJson(json));
        assertTrue(e.getMessage().contains(expectedPart), () -> "expected '" + expectedPart + "' in: " + e.getMessage());
    }
}
