package io.streamscore.common.event;

import io.streamscore.common.LogisticModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureEventJsonTest {
    private static final LogisticModel MODEL = new LogisticModel("m", 1, List.of("a", "b", "c"),
            new double[]{1, 2, 3}, 0, null, 0.5, null);
    /** MODEL's feature schema, as a producer sends it. */
    private static final String SCHEMA = "\"featureSchema\":\"" + MODEL.featureSchema() + "\"";

    private static FeatureEvent parse(String json) throws FeatureEventException {
        return FeatureEventJson.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private static ReasonCode reasonOf(String json) {
        return assertThrows(FeatureEventException.class, () -> parse(json)).reason();
    }

    @Test
    void shouldReadNamedFeaturesWithEventIdAndLabel() throws Exception {
        FeatureEvent e = parse("{\"eventId\":\"e1\",\"modelId\":\"m\",\"features\":{\"c\":3.5,\"a\":-1,\"b\":2e-3},\"label\":true,\"extra\":{\"x\":[1]}}");
        assertEquals("e1", e.eventId());
        assertEquals("m", e.modelId());
        assertEquals(1, e.label());
        assertFalse(e.isPositional());
        assertArrayEquals(new double[]{-1, 2e-3, 3.5}, e.vectorFor(MODEL));
    }

    @Test
    void shouldReadPositionalFeaturesWithoutOptionalFields() throws Exception {
        FeatureEvent e = parse("{\"modelId\":\"m\",\"features\":[1,2.5,-3],\"eventId\":null,\"label\":null," + SCHEMA + "}");
        assertNull(e.eventId());
        assertNull(e.label());
        assertTrue(e.isPositional());
        assertEquals(MODEL.featureSchema(), e.featureSchema());
        assertArrayEquals(new double[]{1, 2.5, -3}, e.vectorFor(MODEL));
    }

    @Test
    void shouldKeepTheFeatureSchemaOfPositionalFeaturesInAnyFieldOrder() throws Exception {
        FeatureEvent first = parse("{" + SCHEMA + ",\"modelId\":\"m\",\"features\":[1,2,3]}");
        FeatureEvent last = parse("{\"modelId\":\"m\",\"features\":[1,2,3]," + SCHEMA + "}");
        assertEquals(MODEL.featureSchema(), first.featureSchema());
        assertEquals(first, last);
        assertNull(parse("{\"modelId\":\"m\",\"features\":[1,2,3],\"featureSchema\":null}").featureSchema(),
                "null counts as absent");
    }

    @Test
    void shouldParsePositionalFeaturesWithoutAFeatureSchemaButNotScoreThem() throws Exception {
        // Parsing accepts the old form (the trainer's topic loader reads it with --features); vectorFor refuses it.
        FeatureEvent e = parse("{\"modelId\":\"m\",\"features\":[1,2,3]}");
        assertNull(e.featureSchema());
        FeatureEventException x = assertThrows(FeatureEventException.class, () -> e.vectorFor(MODEL));
        assertEquals(ReasonCode.FEATURE_SCHEMA_MISMATCH, x.reason());
        assertEquals("positional features must name their feature schema: add \"featureSchema\":\""
                + MODEL.featureSchema() + "\" for model 'm' v1 (features in order: a, b, c), or send the features by name",
                x.getMessage());
    }

    @Test
    void shouldRefusePositionalFeaturesBuiltForAnotherOrderNamingBothSchemasAndTheOrder() throws Exception {
        String other = io.streamscore.common.FeatureSchema.fingerprint(List.of("b", "a", "c"));
        FeatureEvent e = parse("{\"modelId\":\"m\",\"featureSchema\":\"" + other + "\",\"features\":[1,2,3]}");
        FeatureEventException x = assertThrows(FeatureEventException.class, () -> e.vectorFor(MODEL));
        assertEquals(ReasonCode.FEATURE_SCHEMA_MISMATCH, x.reason());
        assertEquals("positional features built for feature schema '" + other + "', but model 'm' v1 has feature schema '"
                + MODEL.featureSchema() + "' (features in order: a, b, c)", x.getMessage());
    }

    @Test
    void shouldCompareTheFeatureSchemaIgnoringCaseOnly() throws Exception {
        String upper = MODEL.featureSchema().toUpperCase(java.util.Locale.ROOT);
        assertArrayEquals(new double[]{1, 2, 3},
                parse("{\"modelId\":\"m\",\"featureSchema\":\"" + upper + "\",\"features\":[1,2,3]}").vectorFor(MODEL));
        for (String near : new String[]{"", " " + MODEL.featureSchema(), MODEL.featureSchema().substring(1),
                MODEL.featureSchema() + "0", "x".repeat(100_000)}) {
            FeatureEvent e = parse("{\"modelId\":\"m\",\"featureSchema\":\"" + near + "\",\"features\":[1,2,3]}");
            FeatureEventException x = assertThrows(FeatureEventException.class, () -> e.vectorFor(MODEL));
            assertEquals(ReasonCode.FEATURE_SCHEMA_MISMATCH, x.reason(), near);
            assertTrue(x.getMessage().length() < 300, "a hostile value is abbreviated: " + x.getMessage().length());
        }
    }

    @Test
    void shouldIgnoreTheFeatureSchemaOfNamedFeatures() throws Exception {
        // By name the order is irrelevant, so a stale or foreign schema must not matter.
        FeatureEvent e = parse("{\"modelId\":\"m\",\"featureSchema\":\"0000000000000000\",\"features\":{\"c\":3,\"b\":2,\"a\":1}}");
        assertNull(e.featureSchema());
        assertArrayEquals(new double[]{1, 2, 3}, e.vectorFor(MODEL));
    }

    @Test
    void shouldCheckTheFeatureSchemaBeforeTheFeatureCount() throws Exception {
        String other = io.streamscore.common.FeatureSchema.fingerprint(List.of("a", "b"));
        assertEquals(ReasonCode.FEATURE_SCHEMA_MISMATCH, assertThrows(FeatureEventException.class,
                () -> parse("{\"modelId\":\"m\",\"featureSchema\":\"" + other + "\",\"features\":[1,2]}").vectorFor(MODEL)).reason());
        assertEquals(ReasonCode.FEATURE_SCHEMA_MISMATCH, assertThrows(FeatureEventException.class,
                () -> parse("{\"modelId\":\"m\",\"features\":[1,2]}").vectorFor(MODEL)).reason());
    }

    @Test
    void shouldBoundTheFeatureOrderInTheMessage() throws Exception {
        List<String> names = java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "feature" + i).toList();
        LogisticModel wide = new LogisticModel("w", 3, names, new double[1000], 0, null, 0.5, null);
        FeatureEventException x = assertThrows(FeatureEventException.class,
                () -> parse("{\"modelId\":\"w\",\"features\":[1]}").vectorFor(wide));
        assertTrue(x.getMessage().contains("(features in order: feature0, feature1, "), x.getMessage());
        assertTrue(x.getMessage().contains("feature49, … (1000 in all))"), x.getMessage());
        assertFalse(x.getMessage().contains("feature50"), x.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"0|0", "1|1", "false|0", "true|1"})
    void shouldReadLabels(String label, int expected) throws Exception {
        assertEquals(expected, parse("{\"modelId\":\"m\",\"features\":[1,2,3],\"label\":" + label + "}").label());
    }

    @Test
    void shouldReadManyFeaturesBeyondTheInitialCapacity() throws Exception {
        StringBuilder named = new StringBuilder("{\"modelId\":\"m\",\"features\":{");
        StringBuilder positional = new StringBuilder("{\"modelId\":\"m\",\"features\":[");
        for (int i = 0; i < 100; i++) {
            named.append(i == 0 ? "" : ",").append("\"f").append(i).append("\":").append(i);
            positional.append(i == 0 ? "" : ",").append(i);
        }
        FeatureEvent n = parse(named.append("}}").toString());
        FeatureEvent p = parse(positional.append("]}").toString());
        assertEquals(100, n.namedFeatures().size());
        assertEquals(99.0, n.namedFeatures().get("f99"));
        assertEquals(100, p.values().length);
        assertEquals(99.0, p.values()[99]);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"modelId\":\"m\",\"features\":[1,2,3]|MALFORMED_JSON",
            "|MALFORMED_JSON",
            "{\"modelId\":\"m\",\"features\":{\"a\":1,\"a\":2}}|MALFORMED_JSON",
            "{\"modelId\":\"m\",\"features\":[1,2,3]}{}|MALFORMED_JSON",
            "{\"modelId\":\"m\",\"features\":[1,2,3]} x|MALFORMED_JSON",
            "{\"modelId\":\"m\",\"features\":[1,NaN,3],\"oops\"}|NON_FINITE_FEATURE",
            "{\"features\":[1]}|MISSING_MODEL_ID",
            "{\"modelId\":null,\"features\":[1]}|MISSING_MODEL_ID",
            "{\"modelId\":\"m\"}|MISSING_FEATURE",
            "{\"modelId\":\"m\",\"features\":null}|MISSING_FEATURE",
            "{\"modelId\":\"m\",\"features\":[1e999]}|NON_FINITE_FEATURE",
            "{\"modelId\":\"m\",\"features\":[-1e999]}|NON_FINITE_FEATURE",
            "{\"modelId\":\"m\",\"features\":{\"a\":Infinity}}|NON_FINITE_FEATURE",
            "{\"modelId\":\"m\",\"features\":[NaN]}|NON_FINITE_FEATURE",
            "{\"modelId\":\"m\",\"features\":[\"1\"]}|WRONG_TYPE",
            "{\"modelId\":\"m\",\"features\":[true]}|WRONG_TYPE",
            "{\"modelId\":\"m\",\"features\":[[1]]}|WRONG_TYPE",
            "{\"modelId\":\"m\",\"features\":\"1,2\"}|WRONG_TYPE",
            "{\"modelId\":7,\"features\":[1]}|WRONG_TYPE",
            "{\"eventId\":{},\"modelId\":\"m\",\"features\":[1]}|WRONG_TYPE",
            "\"just a string\"|WRONG_TYPE",
            "{\"modelId\":\"m\",\"features\":[1],\"label\":\"1\"}|INVALID_LABEL",
            "{\"modelId\":\"m\",\"features\":[1],\"label\":-1}|INVALID_LABEL",
            "{\"modelId\":\"m\",\"features\":[1],\"label\":1.0}|INVALID_LABEL",
            "{\"schemaVersion\":2,\"modelId\":\"m\",\"features\":[1]}|UNSUPPORTED_SCHEMA_VERSION",
            "{\"schemaVersion\":\"1\",\"modelId\":\"m\",\"features\":[1]}|WRONG_TYPE",
            "{\"featureSchema\":7,\"modelId\":\"m\",\"features\":[1]}|WRONG_TYPE",
            "{\"featureSchema\":[\"a\",\"b\"],\"modelId\":\"m\",\"features\":[1]}|WRONG_TYPE",
            "{\"modelId\":\"m\",\"features\":[1],\"featureSchema\":{}}|WRONG_TYPE",
            "{\"modelId\":\"m\",\"features\":{\"a\":1},\"featureSchema\":true}|WRONG_TYPE"})
    void shouldClassifyBadEvents(String json, ReasonCode expected) {
        assertEquals(expected, reasonOf(json == null ? "" : json));
    }

    @Test
    void shouldClassifyNullAsNullValue() {
        FeatureEventException e = assertThrows(FeatureEventException.class, () -> FeatureEventJson.parse(null));
        assertEquals(ReasonCode.NULL_VALUE, e.reason());
    }

    @Test
    void shouldRefuseDeepNestingAsMalformed() {
        String deep = "{\"modelId\":\"m\",\"features\":[1],\"x\":" + "[".repeat(200) + "]".repeat(200) + "}";
        assertEquals(ReasonCode.MALFORMED_JSON, reasonOf(deep));
    }

    @Test
    void shouldNameMissingFeaturesAndCountMismatch() throws Exception {
        FeatureEventException missing = assertThrows(FeatureEventException.class,
                () -> parse("{\"modelId\":\"m\",\"features\":{\"b\":1,\"zzz\":2}}").vectorFor(MODEL));
        assertEquals(ReasonCode.MISSING_FEATURE, missing.reason());
        assertEquals("model 'm' v1 needs a, c", missing.getMessage());
        FeatureEventException count = assertThrows(FeatureEventException.class,
                () -> parse("{\"modelId\":\"m\"," + SCHEMA + ",\"features\":[1,2]}").vectorFor(MODEL));
        assertEquals(ReasonCode.WRONG_FEATURE_COUNT, count.reason());
        assertEquals("model 'm' v1 expects 3 features, the event has 2", count.getMessage());
    }

    @Test
    void shouldRoundTripThroughItsOwnWriter() throws Exception {
        Map<String, Double> f = new LinkedHashMap<>();
        f.put("b", 0.1);
        f.put("a", -7.25e-300);
        FeatureEvent named = FeatureEvent.named("e", "m", f, 0);
        FeatureEvent positional = FeatureEvent.positional(null, "m", MODEL.featureSchema(),
                new double[]{Math.PI, -0.0, 1e300}, null);
        FeatureEvent unbound = FeatureEvent.positional("u", "m", null, new double[]{1}, 1);
        assertEquals(named, FeatureEventJson.parse(FeatureEventJson.toBytes(named)));
        assertEquals(positional, FeatureEventJson.parse(FeatureEventJson.toBytes(positional)));
        assertEquals(unbound, FeatureEventJson.parse(FeatureEventJson.toBytes(unbound)));
        assertTrue(new String(FeatureEventJson.toBytes(positional), StandardCharsets.UTF_8)
                .contains(SCHEMA), "the writer names the feature schema");
    }

    @Test
    void shouldReadEveryNumberToTheSameDoubleAsDoubleParseDouble() throws Exception {
        // The parser uses Jackson's fast double parser; the scorer's bit-for-bit promise rests on it being exact.
        java.util.SplittableRandom random = new java.util.SplittableRandom(99);
        for (int i = 0; i < 5000; i++) {
            String text = switch (i % 3) {
                case 0 -> Double.toString(Double.longBitsToDouble(random.nextLong()));
                case 1 -> (random.nextBoolean() ? "-" : "") + random.nextInt(1_000_000) + "." + random.nextLong(1L << 53)
                        + "e" + (random.nextInt(600) - 300);
                default -> Double.toString(random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20));
            };
            double expected = Double.parseDouble(text);
            if (!Double.isFinite(expected)) {
                continue;
            }
            double got = parse("{\"modelId\":\"m\",\"features\":[" + text + "]}").values()[0];
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(got), text);
        }
    }

    @Test
    void shouldNotExposeInternalArrays() throws Exception {
        FeatureEvent e = parse("{\"modelId\":\"m\",\"features\":[1,2,3]," + SCHEMA + "}");
        e.values()[0] = 99;
        e.vectorFor(MODEL)[1] = 99;
        assertArrayEquals(new double[]{1, 2, 3}, e.values());
    }
}
