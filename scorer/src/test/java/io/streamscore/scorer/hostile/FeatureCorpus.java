package io.streamscore.scorer.hostile;

import io.streamscore.common.event.ReasonCode;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static io.streamscore.common.event.ReasonCode.FEATURE_SCHEMA_MISMATCH;
import static io.streamscore.common.event.ReasonCode.INVALID_LABEL;
import static io.streamscore.common.event.ReasonCode.MALFORMED_JSON;
import static io.streamscore.common.event.ReasonCode.MISSING_FEATURE;
import static io.streamscore.common.event.ReasonCode.MISSING_MODEL_ID;
import static io.streamscore.common.event.ReasonCode.MODEL_NOT_FOUND;
import static io.streamscore.common.event.ReasonCode.NON_FINITE_FEATURE;
import static io.streamscore.common.event.ReasonCode.NON_FINITE_SCORE;
import static io.streamscore.common.event.ReasonCode.NULL_VALUE;
import static io.streamscore.common.event.ReasonCode.UNSUPPORTED_SCHEMA_VERSION;
import static io.streamscore.common.event.ReasonCode.WRONG_FEATURE_COUNT;
import static io.streamscore.common.event.ReasonCode.WRONG_TYPE;

/**
 * A generated corpus of hostile feature records, each kind named, with the outcome the documented contract
 * (docs/scorer.md, "Dead letters") demands: a reason code, or a score with the exact features the scorer must have
 * read. Generated in code from a fixed seed; nothing is stored on disk.
 */
final class FeatureCorpus {
    /** One kind of hostile record; a kind may hold many records (truncation at every position). */
    record Kind(String name, List<Rec> records) {
    }

    /**
     * @param expected null when the record must be scored
     * @param x        for a scored record, the features in the model's order the score must be computed from (null:
     *                 only check that it was scored)
     */
    record Rec(byte[] key, byte[] value, ReasonCode expected, double[] x) {
    }

    static final String VALID = "{\"eventId\":\"e-1\",\"modelId\":\"fraud\",\"features\":{\"amount\":1.5,\"age\":2,\"night\":0}}";
    static final double[] VALID_X = {1.5, 2, 0};
    /** The served fraud model's feature schema as an event field, as a producer of positional events sends it. */
    static final String FRAUD_SCHEMA = "\"featureSchema\":\"" + Harness.fraud(1).featureSchema() + "\"";
    /** VALID's features, positional and bound to the fraud model's feature schema. */
    static final String POSITIONAL = FRAUD_SCHEMA + ",\"features\":[1.5,2,0]";
    static final int MB = 1 << 20;

    private final List<Kind> kinds = new ArrayList<>();

    static List<Kind> all() {
        FeatureCorpus c = new FeatureCorpus();
        c.build();
        return c.kinds;
    }

    private void bad(String name, ReasonCode reason, byte[] value) {
        kinds.add(new Kind(name, List.of(new Rec(utf8("k-" + name), value, reason, null))));
    }

    private void bad(String name, ReasonCode reason, String value) {
        bad(name, reason, value == null ? null : utf8(value));
    }

    private void ok(String name, byte[] key, byte[] value, double[] x) {
        kinds.add(new Kind(name, List.of(new Rec(key, value, null, x))));
    }

    private void ok(String name, String value, double[] x) {
        ok(name, utf8(value), x);
    }

    private void ok(String name, byte[] value, double[] x) {
        ok(name, utf8("k-" + name), value, x);
    }

    /** An event for model fraud whose "features" field is the given JSON text. */
    private static String withFeatures(String features) {
        return "{\"modelId\":\"fraud\",\"features\":" + features + "}";
    }

    private static String withAmount(String amount) {
        return withFeatures("{\"amount\":" + amount + ",\"age\":2,\"night\":0}");
    }

    private static String withModelId(String modelIdJson) {
        return "{\"modelId\":" + modelIdJson + "," + POSITIONAL + "}";
    }

    private static String withEventId(String eventIdJson) {
        return "{\"eventId\":" + eventIdJson + ",\"modelId\":\"fraud\"," + POSITIONAL + "}";
    }

    /** An event for model fraud with VALID's features in an array, and the given featureSchema field value. */
    private static String withFeatureSchema(String featureSchemaJson) {
        return "{\"modelId\":\"fraud\",\"featureSchema\":" + featureSchemaJson + ",\"features\":[1.5,2,0]}";
    }

    /** The valid event with raw bytes spliced in place of the 'a' of "fraud" in modelId. */
    private static byte[] modelIdBytes(int... bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(utf8("{\"modelId\":\"fr"));
        for (int b : bytes) {
            out.write(b);
        }
        out.writeBytes(utf8("ud\"," + POSITIONAL + "}"));
        return out.toByteArray();
    }

    private static String repeat(String s, int n) {
        return s.repeat(n);
    }

    private void build() {
        // ---- empty, null, whitespace, garbage ----
        bad("empty value", MALFORMED_JSON, new byte[0]);
        bad("whitespace only", MALFORMED_JSON, " \t\r\n  \n");
        bad("null value (tombstone)", NULL_VALUE, (byte[]) null);
        kinds.add(new Kind("null key and null value", List.of(new Rec(null, null, NULL_VALUE, null))));
        ok("null key", null, utf8(VALID), VALID_X);
        ok("1 MB binary key", random(1, MB), utf8(VALID), VALID_X);
        bad("binary garbage", MALFORMED_JSON, withPrefix((byte) 0x00, random(2, 4096)));
        bad("NUL bytes", MALFORMED_JSON, new byte[64]);
        bad("raw NUL inside a string", MALFORMED_JSON, "{\"modelId\":\"fr\u0000aud\",\"features\":[1.5,2,0]}");
        bad("raw newline inside a string", MALFORMED_JSON, "{\"modelId\":\"fr\naud\",\"features\":[1.5,2,0]}");

        // ---- bad UTF-8 ----
        bad("invalid UTF-8 byte 0xFF", MALFORMED_JSON, modelIdBytes(0xff));
        bad("lone UTF-8 continuation byte", MALFORMED_JSON, modelIdBytes(0x80));
        bad("truncated 2-byte UTF-8 sequence", MALFORMED_JSON, modelIdBytes(0xc3));
        bad("truncated 3-byte UTF-8 sequence", MALFORMED_JSON, modelIdBytes(0xe2, 0x82));
        bad("overlong UTF-8 'a' (C1 A1)", MALFORMED_JSON, modelIdBytes(0xc1, 0xa1));
        bad("overlong UTF-8 'a' (E0 81 A1)", MALFORMED_JSON, modelIdBytes(0xe0, 0x81, 0xa1));
        bad("overlong UTF-8 NUL (C0 80)", MALFORMED_JSON, modelIdBytes(0xc0, 0x80));
        bad("UTF-8-encoded surrogate (ED A0 80)", MALFORMED_JSON, modelIdBytes(0xed, 0xa0, 0x80));
        bad("UTF-8 beyond U+10FFFF (F4 90 80 80)", MALFORMED_JSON, modelIdBytes(0xf4, 0x90, 0x80, 0x80));
        bad("invalid UTF-8 in an ignored field", MALFORMED_JSON, concat(utf8("{\"x\":\""), new byte[]{(byte) 0xfe},
                utf8("\",\"modelId\":\"fraud\",\"features\":[1.5,2,0]}")));
        bad("invalid UTF-8 in a feature name", MALFORMED_JSON, concat(utf8("{\"modelId\":\"fraud\",\"features\":{\"am"),
                new byte[]{(byte) 0xc3, 0x28}, utf8("\":1,\"amount\":1.5,\"age\":2,\"night\":0}}")));
        // The value is UTF-8 JSON; Jackson alone would detect and read UTF-16/32 (RFC 4627 section 3).
        bad("UTF-16LE encoded event", MALFORMED_JSON, VALID.getBytes(StandardCharsets.UTF_16LE));
        bad("UTF-16 with BOM encoded event", MALFORMED_JSON, VALID.getBytes(StandardCharsets.UTF_16));
        bad("UTF-32BE encoded event", MALFORMED_JSON, VALID.getBytes(java.nio.charset.Charset.forName("UTF-32BE")));
        ok("UTF-8 BOM before the event", concat(new byte[]{(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, utf8(VALID)), VALID_X);
        // An escaped lone surrogate is well-formed JSON (RFC 8259 section 8.2: the behaviour is unpredictable): it is a
        // string that names no model, and as an eventId it must still come out as valid UTF-8.
        bad("lone high surrogate escape in modelId", MODEL_NOT_FOUND, withModelId("\"fr\\ud800aud\""));
        ok("lone low surrogate escape in eventId", withEventId("\"e\\udc00\""), VALID_X);
        ok("reversed surrogate pair escape in eventId", withEventId("\"\\udc00\\ud800\""), VALID_X);
        ok("valid surrogate pair escape in eventId", withEventId("\"\\ud83d\\ude00\""), VALID_X);

        // ---- structure ----
        // The first problem in reading order wins: the first element is an array, not a number.
        bad("10,000 nested arrays as features", WRONG_TYPE, withFeatures(repeat("[", 10_000) + repeat("]", 10_000)));
        bad("10,000 nested objects in an ignored field", MALFORMED_JSON,
                "{\"x\":" + repeat("{\"a\":", 10_000) + "1" + repeat("}", 10_000) + ",\"modelId\":\"fraud\",\"features\":[1.5,2,0]}");
        bad("10 MB of '['", MALFORMED_JSON, repeat("[", 10 * MB));
        bad("truncated inside nesting of 65", MALFORMED_JSON, "{\"x\":" + repeat("[", 65));
        kinds.add(truncations());
        bad("trailing garbage", MALFORMED_JSON, VALID + " garbage");
        bad("trailing second object", MALFORMED_JSON, VALID + VALID);
        bad("trailing closing brace", MALFORMED_JSON, VALID + "}");
        bad("trailing NUL byte", MALFORMED_JSON, concat(utf8(VALID), new byte[1]));
        ok("trailing whitespace", VALID + " \r\n\t ", VALID_X);
        bad("top-level array", WRONG_TYPE, "[1.5,2,0]");
        bad("top-level string", WRONG_TYPE, "\"fraud\"");
        bad("top-level number", WRONG_TYPE, "42");
        bad("top-level true", WRONG_TYPE, "true");
        bad("top-level null literal", WRONG_TYPE, "null");
        bad("top-level NaN", WRONG_TYPE, "NaN");
        bad("top-level number then garbage", MALFORMED_JSON, "42 43");
        bad("comment", MALFORMED_JSON, "/* c */" + VALID);
        bad("single quotes", MALFORMED_JSON, "{'modelId':'fraud','features':[1.5,2,0]}");
        bad("unquoted field names", MALFORMED_JSON, "{modelId:\"fraud\",features:[1.5,2,0]}");
        bad("trailing comma in object", MALFORMED_JSON, "{\"modelId\":\"fraud\",\"features\":[1.5,2,0],}");
        bad("trailing comma in array", MALFORMED_JSON, withFeatures("[1.5,2,0,]"));
        bad("missing comma", MALFORMED_JSON, withFeatures("[1.5 2,0]"));
        bad("duplicate key modelId", MALFORMED_JSON, "{\"modelId\":\"fraud\",\"modelId\":\"other\",\"features\":[1.5,2,0]}");
        bad("duplicate key features", MALFORMED_JSON, "{\"modelId\":\"fraud\",\"features\":[1.5,2,0],\"features\":[0,0,0]}");
        bad("duplicate feature name", MALFORMED_JSON, withFeatures("{\"amount\":1.5,\"age\":2,\"night\":0,\"amount\":9}"));
        bad("duplicate key in an ignored object", MALFORMED_JSON,
                "{\"x\":{\"a\":1,\"a\":2},\"modelId\":\"fraud\",\"features\":[1.5,2,0]}");

        // ---- numbers ----
        bad("1e400", NON_FINITE_FEATURE, withAmount("1e400"));
        bad("-1e400", NON_FINITE_FEATURE, withAmount("-1e400"));
        bad("400-digit integer", NON_FINITE_FEATURE, withAmount("9" + repeat("0", 399)));
        bad("1e99999999999999999999", NON_FINITE_FEATURE, withAmount("1e99999999999999999999"));
        bad("1001-digit number", MALFORMED_JSON, withAmount("1" + repeat("0", 1000)));
        bad("NaN literal", NON_FINITE_FEATURE, withAmount("NaN"));
        bad("Infinity literal", NON_FINITE_FEATURE, withAmount("Infinity"));
        bad("-Infinity literal (positional)", NON_FINITE_FEATURE, withFeatures("[1.5,-Infinity,0]"));
        bad("lower-case nan", MALFORMED_JSON, withAmount("nan"));
        bad("leading zeros", MALFORMED_JSON, withAmount("007"));
        bad("hex number", MALFORMED_JSON, withAmount("0x10"));
        bad("leading decimal point", MALFORMED_JSON, withAmount(".5"));
        bad("trailing decimal point", MALFORMED_JSON, withAmount("1."));
        bad("leading plus", MALFORMED_JSON, withAmount("+1"));
        bad("number as a string", WRONG_TYPE, withAmount("\"1.5\""));
        ok("-0", withAmount("-0"), new double[]{-0.0, 2, 0});
        ok("smallest subnormal 4.9e-324", withAmount("4.9e-324"), new double[]{Double.MIN_VALUE, 2, 0});
        ok("underflow 1e-400 reads as 0", withAmount("1e-400"), new double[]{0.0, 2, 0});
        ok("largest double", withAmount("1.7976931348623157e308"), new double[]{Double.MAX_VALUE, 2, 0});
        ok("1000-digit decimal", withAmount("0." + repeat("3", 998)), new double[]{Double.parseDouble("0." + repeat("3", 998)), 2, 0});
        bad("1e308 terms overflow to +Inf and -Inf", NON_FINITE_SCORE, "{\"modelId\":\"wide\",\"featureSchema\":\""
                + Harness.wide().featureSchema() + "\",\"features\":[1e308,1e308]}");

        // ---- wrong types at every field ----
        for (String[] t : new String[][]{{"number", "42"}, {"object", "{\"id\":\"fraud\"}"}, {"array", "[\"fraud\"]"},
                {"boolean", "true"}}) {
            bad("modelId as " + t[0], WRONG_TYPE, withModelId(t[1]));
            bad("eventId as " + t[0], WRONG_TYPE, withEventId(t[1]));
            bad("schemaVersion as " + t[0], t[0].equals("number") ? UNSUPPORTED_SCHEMA_VERSION : WRONG_TYPE,
                    "{\"schemaVersion\":" + t[1] + ",\"modelId\":\"fraud\",\"features\":[1.5,2,0]}");
        }
        bad("schemaVersion as string", WRONG_TYPE, "{\"schemaVersion\":\"1\",\"modelId\":\"fraud\",\"features\":[1.5,2,0]}");
        bad("schemaVersion 2", UNSUPPORTED_SCHEMA_VERSION, "{\"schemaVersion\":2,\"modelId\":\"fraud\",\"features\":[1.5,2,0]}");
        bad("schemaVersion 1.0", WRONG_TYPE, "{\"schemaVersion\":1.0,\"modelId\":\"fraud\",\"features\":[1.5,2,0]}");
        bad("schemaVersion 400 digits", UNSUPPORTED_SCHEMA_VERSION,
                "{\"schemaVersion\":" + "9" + repeat("9", 399) + ",\"modelId\":\"fraud\",\"features\":[1.5,2,0]}");
        ok("eventId null counts as absent", "{\"eventId\":null,\"modelId\":\"fraud\"," + POSITIONAL + "}", VALID_X);
        bad("modelId null", MISSING_MODEL_ID, withModelId("null"));
        bad("modelId empty", MISSING_MODEL_ID, withModelId("\"\""));
        bad("modelId absent", MISSING_MODEL_ID, "{\"features\":[1.5,2,0]}");
        bad("modelId of 1 MB", MODEL_NOT_FOUND, withModelId("\"" + repeat("m", MB) + "\""));
        bad("modelId with a space", MODEL_NOT_FOUND, withModelId("\" fraud\""));
        bad("modelId in upper case", MODEL_NOT_FOUND, withModelId("\"FRAUD\""));
        bad("modelId with escaped NUL", MODEL_NOT_FOUND, withModelId("\"fraud\\u0000\""));
        bad("modelId in full-width letters", MODEL_NOT_FOUND, withModelId("\"ｆｒａｕｄ\""));
        bad("features as string", WRONG_TYPE, withFeatures("\"1.5,2,0\""));
        bad("features as number", WRONG_TYPE, withFeatures("1.5"));
        bad("features as boolean", WRONG_TYPE, withFeatures("false"));
        bad("features null", MISSING_FEATURE, withFeatures("null"));
        bad("features absent", MISSING_FEATURE, "{\"modelId\":\"fraud\"}");
        bad("features empty object", MISSING_FEATURE, withFeatures("{}"));
        bad("features empty array", WRONG_FEATURE_COUNT, "{\"modelId\":\"fraud\"," + FRAUD_SCHEMA + ",\"features\":[]}");
        bad("features one short", WRONG_FEATURE_COUNT, "{\"modelId\":\"fraud\"," + FRAUD_SCHEMA + ",\"features\":[1.5,2]}");
        bad("feature value string", WRONG_TYPE, withAmount("\"x\""));
        bad("feature value boolean", WRONG_TYPE, withAmount("true"));
        bad("feature value null", WRONG_TYPE, withAmount("null"));
        bad("feature value array", WRONG_TYPE, withAmount("[1.5]"));
        bad("features as object of objects", WRONG_TYPE,
                withFeatures("{\"amount\":{\"value\":1.5},\"age\":{\"value\":2},\"night\":{\"value\":0}}"));
        bad("features as array of arrays", WRONG_TYPE, withFeatures("[[1.5],[2],[0]]"));
        bad("features as array of objects", WRONG_TYPE, withFeatures("[{\"amount\":1.5},{\"age\":2},{\"night\":0}]"));
        bad("extra feature of wrong type", WRONG_TYPE, withFeatures("{\"amount\":1.5,\"age\":2,\"night\":0,\"x\":\"y\"}"));
        bad("label yes", INVALID_LABEL, "{\"modelId\":\"fraud\",\"features\":[1.5,2,0],\"label\":\"yes\"}");
        bad("label 2", INVALID_LABEL, "{\"modelId\":\"fraud\",\"features\":[1.5,2,0],\"label\":2}");
        bad("label -1", INVALID_LABEL, "{\"modelId\":\"fraud\",\"features\":[1.5,2,0],\"label\":-1}");
        bad("label 1.0", INVALID_LABEL, "{\"modelId\":\"fraud\",\"features\":[1.5,2,0],\"label\":1.0}");
        bad("label 400 digits", INVALID_LABEL, "{\"modelId\":\"fraud\",\"features\":[1.5,2,0],\"label\":1" + repeat("0", 399) + "}");
        bad("label object", INVALID_LABEL, "{\"modelId\":\"fraud\",\"features\":[1.5,2,0],\"label\":{}}");

        // ---- size ----
        ok("10 MB eventId", withEventId("\"" + repeat("e", 10 * MB) + "\""), VALID_X);
        ok("10 MB ignored field", "{\"blob\":\"" + repeat("b", 10 * MB) + "\",\"modelId\":\"fraud\"," + POSITIONAL + "}", VALID_X);
        ok("10 MB of whitespace between fields", "{\"modelId\":\"fraud\"," + repeat(" ", 10 * MB) + POSITIONAL + "}", VALID_X);
        bad("10 MB feature value string", WRONG_TYPE, withAmount("\"" + repeat("9", 10 * MB) + "\""));
        ok("100,000 named features", manyFeatures(100_000), VALID_X);
        bad("100,000 positional features", WRONG_FEATURE_COUNT,
                "{\"modelId\":\"fraud\"," + FRAUD_SCHEMA + ",\"features\":[" + "1,".repeat(99_999) + "1]}");
        ok("feature name of 40,000 characters", withFeatures("{\"" + repeat("n", 40_000) + "\":1,\"amount\":1.5,\"age\":2,\"night\":0}"), VALID_X);
        bad("feature name of 1 MB", MALFORMED_JSON, withFeatures("{\"" + repeat("n", MB) + "\":1,\"amount\":1.5,\"age\":2,\"night\":0}"));
        ok("unicode feature names", withFeatures("{\"amount\":1.5,\"Größe\":3,\"年齢\":4,\"\uD83D\uDE00\":5,\"e\u0301\":6,\"age\":2,\"night\":0}"), VALID_X);
        bad("needed feature named in NFD-lookalike", MISSING_FEATURE, withFeatures("{\"amount\":1.5,\"ag\u0435\":2,\"night\":0}"));
        bad("model id unknown", MODEL_NOT_FOUND, "{\"modelId\":\"nope\"," + POSITIONAL + "}");

        // ---- feature schema (positional features must name the order they were built for) ----
        bad("positional features without featureSchema", FEATURE_SCHEMA_MISMATCH, withFeatures("[1.5,2,0]"));
        bad("positional featureSchema null", FEATURE_SCHEMA_MISMATCH, withFeatureSchema("null"));
        bad("positional featureSchema of a reordered model", FEATURE_SCHEMA_MISMATCH, withFeatureSchema(
                "\"" + io.streamscore.common.FeatureSchema.fingerprint(List.of("age", "amount", "night")) + "\""));
        bad("positional featureSchema empty", FEATURE_SCHEMA_MISMATCH, withFeatureSchema("\"\""));
        bad("positional featureSchema one digit short", FEATURE_SCHEMA_MISMATCH,
                withFeatureSchema("\"" + Harness.fraud(1).featureSchema().substring(1) + "\""));
        bad("positional featureSchema of 1 MB", FEATURE_SCHEMA_MISMATCH, withFeatureSchema("\"" + repeat("f", MB) + "\""));
        bad("positional featureSchema with escaped NUL", FEATURE_SCHEMA_MISMATCH,
                withFeatureSchema("\"" + Harness.fraud(1).featureSchema() + "\\u0000\""));
        ok("positional featureSchema in upper case", withFeatureSchema(
                "\"" + Harness.fraud(1).featureSchema().toUpperCase(java.util.Locale.ROOT) + "\""), VALID_X);
        ok("positional featureSchema after the features", "{\"modelId\":\"fraud\",\"features\":[1.5,2,0]," + FRAUD_SCHEMA + "}", VALID_X);
        ok("stale featureSchema on named features is ignored", "{\"modelId\":\"fraud\",\"featureSchema\":\"0000000000000000\","
                + "\"features\":{\"amount\":1.5,\"age\":2,\"night\":0}}", VALID_X);
        for (String[] t : new String[][]{{"number", "42"}, {"object", "{}"}, {"array", "[\"amount\",\"age\",\"night\"]"},
                {"boolean", "true"}}) {
            bad("featureSchema as " + t[0], WRONG_TYPE, withFeatureSchema(t[1]));
        }
        bad("featureSchema as number on named features", WRONG_TYPE,
                "{\"modelId\":\"fraud\",\"featureSchema\":1,\"features\":{\"amount\":1.5,\"age\":2,\"night\":0}}");
    }

    private static String manyFeatures(int n) {
        StringBuilder b = new StringBuilder(n * 16).append("{\"modelId\":\"fraud\",\"features\":{");
        for (int i = 0; i < n; i++) {
            b.append("\"f").append(i).append("\":").append(i % 7).append(',');
        }
        return b.append("\"amount\":1.5,\"age\":2,\"night\":0}}").toString();
    }

    /** The valid event cut after every byte: each prefix is malformed. */
    private static Kind truncations() {
        byte[] full = utf8(VALID);
        List<Rec> recs = new ArrayList<>();
        for (int n = 1; n < full.length; n++) {
            recs.add(new Rec(utf8("k-trunc-" + n), Arrays.copyOf(full, n), MALFORMED_JSON, null));
        }
        return new Kind("truncated at every position", recs);
    }

    static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static byte[] withPrefix(byte first, byte[] rest) {
        return concat(new byte[]{first}, rest);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
