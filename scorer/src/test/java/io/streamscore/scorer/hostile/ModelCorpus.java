package io.streamscore.scorer.hostile;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamscore.common.Json;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.Standardization;
import io.streamscore.common.modellog.ModelRejection;
import io.streamscore.common.modellog.Retirement;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static io.streamscore.common.modellog.ModelRejection.INVALID;
import static io.streamscore.common.modellog.ModelRejection.KEY_MISMATCH;
import static io.streamscore.common.modellog.ModelRejection.MALFORMED;
import static io.streamscore.common.modellog.ModelRejection.MISSING_KEY;
import static io.streamscore.common.modellog.ModelRejection.BAD_KEY;

/**
 * A generated corpus of bad model records for id {@code fraud}, each kind named with the rejection the model gate must
 * count. Every one of them arrives while {@code fraud} v1 is served, and v1 must still serve afterwards.
 */
final class ModelCorpus {
    /** @param key null for a record without key; expected null for a record the gate must ignore without rejecting */
    record Kind(String name, byte[] key, byte[] value, ModelRejection expected) {
    }

    static final int MB = 1 << 20;

    /** A valid v2 of fraud with standardization, as a mutable tree, for field-level surgery. */
    private static ObjectNode good() {
        LogisticModel m = new LogisticModel("fraud", 2, List.of("amount", "age", "night"), new double[]{0.9, -1.2, 0.37}, 0.1,
                new Standardization(new double[]{1, 2, 3}, new double[]{1, 1, 1}), 0.5, null);
        return ModelJson.toTree(m);
    }

    private final List<Kind> kinds = new ArrayList<>();

    static List<Kind> all() {
        ModelCorpus c = new ModelCorpus();
        c.build();
        return c.kinds;
    }

    private void raw(String name, ModelRejection expected, String json) {
        raw(name, expected, json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    private void raw(String name, ModelRejection expected, byte[] json) {
        // Under the key of the next version, v2: a bad record empties only its own key, never v1's.
        kinds.add(new Kind(name, Harness.utf8("fraud@v2"), json, expected));
    }

    private void edit(String name, ModelRejection expected, Consumer<ObjectNode> surgery) {
        ObjectNode tree = good();
        surgery.accept(tree);
        raw(name, expected, tree.toString());
    }

    /** The good model's JSON with one literal replaced (for values the tree cannot hold, like 1e999). */
    private void text(String name, ModelRejection expected, String from, String to) {
        String json = good().toString();
        if (!json.contains(from)) {
            throw new IllegalStateException("fixture: '" + from + "' not in " + json);
        }
        raw(name, expected, json.replace(from, to));
    }

    private void build() {
        String good = good().toString();
        // ---- not a model document ----
        raw("malformed JSON", MALFORMED, "{not json");
        raw("empty value", MALFORMED, "");
        raw("whitespace only", MALFORMED, "  \n ");
        raw("binary garbage", MALFORMED, FeatureCorpus.random(3, 4096));
        raw("invalid UTF-8", MALFORMED, FeatureCorpus.concat(Harness.utf8("{\"modelId\":\"fr"), new byte[]{(byte) 0xc1, (byte) 0xa1},
                Harness.utf8(good.substring(good.indexOf("ud\"") + 2).replaceFirst("^", "ud\""))));
        raw("truncated in the middle", MALFORMED, good.substring(0, good.length() / 2));
        raw("truncated by one byte", MALFORMED, good.substring(0, good.length() - 1));
        raw("trailing garbage", MALFORMED, good + " garbage");
        raw("two models concatenated", MALFORMED, good + good.replace("\"version\":2", "\"version\":3"));
        raw("top-level array", MALFORMED, "[" + good + "]");
        raw("top-level string", MALFORMED, "\"fraud\"");
        raw("10,000 levels of nesting", MALFORMED, "[".repeat(10_000) + "]".repeat(10_000));
        raw("deep nesting inside metadata", MALFORMED, good.replace("\"metadata\":{", "\"metadata\":{\"x\":" + "[".repeat(10_000)
                + "]".repeat(10_000) + ","));
        raw("duplicate key version", MALFORMED, good.replace("\"version\":2", "\"version\":2,\"version\":5"));
        raw("NaN literal weight", MALFORMED, good.replace("0.9", "NaN"));
        raw("UTF-16 encoded", MALFORMED, good.getBytes(StandardCharsets.UTF_16));
        // ---- schema ----
        edit("schemaVersion 2", MALFORMED, t -> t.put("schemaVersion", 2));
        edit("schemaVersion 0", MALFORMED, t -> t.put("schemaVersion", 0));
        edit("schemaVersion as string", MALFORMED, t -> t.put("schemaVersion", "1"));
        for (String field : new String[]{"schemaVersion", "modelId", "version", "featureNames", "weights", "intercept"}) {
            edit("missing " + field, MALFORMED, t -> t.remove(field));
            edit(field + " null", MALFORMED, t -> t.putNull(field));
        }
        edit("standardization without std", MALFORMED, t -> ((ObjectNode) t.get("standardization")).remove("std"));
        edit("modelId as number", MALFORMED, t -> t.put("modelId", 7));
        edit("version as string", MALFORMED, t -> t.put("version", "3"));
        edit("version 2.5", MALFORMED, t -> t.put("version", 2.5));
        text("version of 400 digits", MALFORMED, "\"version\":2", "\"version\":1" + "0".repeat(399));
        edit("weights as object", MALFORMED, t -> t.putObject("weights").put("amount", 1));
        edit("weight as string", MALFORMED, t -> ((ArrayNode) t.get("weights")).set(0, "0.9"));
        edit("featureNames holding a number", MALFORMED, t -> ((ArrayNode) t.get("featureNames")).set(0, 1));
        edit("threshold as string", MALFORMED, t -> t.put("threshold", "0.5"));
        edit("standardization as array", MALFORMED, t -> t.putArray("standardization"));
        edit("trainedAt not a date", MALFORMED, t -> ((ObjectNode) t.get("metadata")).put("trainedAt", "yesterday"));
        // ---- unusable parameters ----
        text("weight 1e999", INVALID, "0.9", "1e999");
        text("weight of 400 digits", INVALID, "0.9", "9" + "0".repeat(399));
        text("intercept -1e999", INVALID, "\"intercept\":0.1", "\"intercept\":-1e999");
        text("mean 1e999", INVALID, "\"mean\":[1.0", "\"mean\":[1e999");
        text("std 1e999", INVALID, "\"std\":[1.0", "\"std\":[1e999");
        text("negative std", INVALID, "\"std\":[1.0", "\"std\":[-1.0");
        text("zero std", INVALID, "\"std\":[1.0", "\"std\":[0");
        text("negative zero std", INVALID, "\"std\":[1.0", "\"std\":[-0.0");
        text("std underflowing to 0 (1e-400)", INVALID, "\"std\":[1.0", "\"std\":[1e-400");
        edit("threshold 0", INVALID, t -> t.put("threshold", 0.0));
        edit("threshold 1", INVALID, t -> t.put("threshold", 1.0));
        edit("threshold -0.0", INVALID, t -> t.put("threshold", -0.0));
        edit("threshold 1.5", INVALID, t -> t.put("threshold", 1.5));
        text("threshold 1e999", INVALID, "\"threshold\":0.5", "\"threshold\":1e999");
        text("threshold 1e-400 (underflows to 0)", INVALID, "\"threshold\":0.5", "\"threshold\":1e-400");
        edit("more names than weights", INVALID, t -> ((ArrayNode) t.get("featureNames")).add("extra"));
        edit("more weights than names", INVALID, t -> ((ArrayNode) t.get("weights")).add(1.0));
        edit("std shorter than weights", INVALID, t -> ((ArrayNode) t.get("standardization").get("std")).remove(0));
        edit("mean longer than std", INVALID, t -> ((ArrayNode) t.get("standardization").get("mean")).add(0.0));
        edit("duplicate feature names", INVALID, t -> ((ArrayNode) t.get("featureNames")).set(2, "amount"));
        edit("empty feature name", INVALID, t -> ((ArrayNode) t.get("featureNames")).set(1, ""));
        edit("empty featureNames and weights", INVALID, t -> {
            t.putArray("featureNames");
            t.putArray("weights");
            t.putNull("standardization");
        });
        edit("negative version", INVALID, t -> t.put("version", -1));
        raw("blank modelId", null, good.replace("\"modelId\":\"fraud\"", "\"modelId\":\"  \""));
        kinds.set(kinds.size() - 1, new Kind("blank modelId", Harness.utf8("  "), kinds.get(kinds.size() - 1).value(), BAD_KEY));
        raw("10 MB model: 500,000 names for 499,999 weights", INVALID, huge());
        // ---- the record around it ----
        edit("a copy of version 1 under version 2's key", KEY_MISMATCH, t -> t.put("version", 1));
        edit("version 0 under version 2's key", KEY_MISMATCH, t -> t.put("version", 0));
        kinds.add(new Kind("v1's record again, byte for byte, under its own key", Harness.utf8("fraud@v1"),
                Harness.utf8(ModelJson.toCompactJson(Harness.fraud(1))), null));
        kinds.add(new Kind("version key with a leading zero", Harness.utf8("fraud@v02"),
                good.getBytes(StandardCharsets.UTF_8), BAD_KEY));
        kinds.add(new Kind("version key without a number", Harness.utf8("fraud@v"), good.getBytes(StandardCharsets.UTF_8),
                BAD_KEY));
        kinds.add(new Kind("garbage under a retirement key", Harness.utf8("fraud@v2@retired"), Harness.utf8("{x"), MALFORMED));
        kinds.add(new Kind("a model under a retirement key", Harness.utf8("fraud@v1@retired"),
                good.getBytes(StandardCharsets.UTF_8), MALFORMED));
        kinds.add(new Kind("a retirement of v3 under v1's retirement key", Harness.utf8("fraud@v1@retired"),
                new Retirement("fraud", 3, java.time.Instant.EPOCH, "").toBytes(), KEY_MISMATCH));
        kinds.add(new Kind("key other than modelId", Harness.utf8("other"), good.getBytes(StandardCharsets.UTF_8), KEY_MISMATCH));
        kinds.add(new Kind("key 'Fraud' (case differs)", Harness.utf8("Fraud"), good.getBytes(StandardCharsets.UTF_8), KEY_MISMATCH));
        kinds.add(new Kind("key with overlong UTF-8", new byte[]{'f', 'r', (byte) 0xc1, (byte) 0xa1, 'u', 'd'},
                good.getBytes(StandardCharsets.UTF_8), BAD_KEY));
        kinds.add(new Kind("null key", null, good.getBytes(StandardCharsets.UTF_8), MISSING_KEY));
        kinds.add(new Kind("null key and null value", null, null, MISSING_KEY));
        // A tombstone for an id that is not served changes nothing and is not a rejection.
        kinds.add(new Kind("tombstone for an unknown id", Harness.utf8("unknown"), null, null));
    }

    /** About 10 MB: 500,000 feature names but one weight fewer. */
    private static String huge() {
        ObjectNode t = Json.MAPPER.createObjectNode();
        t.put("schemaVersion", 1).put("modelId", "fraud").put("version", 9);
        ArrayNode names = t.putArray("featureNames");
        ArrayNode weights = t.putArray("weights");
        for (int i = 0; i < 500_000; i++) {
            names.add("feature_number_" + i);
            if (i > 0) {
                weights.add(0.001 * i);
            }
        }
        t.put("intercept", 0.0);
        String json = t.toString();
        if (json.length() < 10 * 1_000_000) {
            throw new IllegalStateException("fixture: only " + json.length() + " bytes");
        }
        return json;
    }
}
