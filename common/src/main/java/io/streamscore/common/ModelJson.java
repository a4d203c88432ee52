package io.streamscore.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamscore.common.drift.DriftBaseline;
import io.streamscore.common.drift.DriftBaselineJson;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model's JSON form, read by this project and by other tools (Python, kcat users):
 *
 * <pre>{@code
 * {"schemaVersion": 1, "modelId": "fraud", "version": 3,
 *  "featureNames": ["amount", "age"], "weights": [0.8, -1.2], "intercept": 0.1, "threshold": 0.5,
 *  "standardization": {"mean": [120.5, 41.0], "std": [80.2, 12.9]},
 *  "metadata": {"trainedAt": "2026-11-23T10:00:00Z", "trainingParameters": {...}, "metrics": {"train": {...}}},
 *  "driftBaseline": {"bins": 10, "features": {"amount": {"edges": [...], "proportions": [...]}, ...},
 *                    "score": {"edges": [...], "proportions": [...]}}}
 * }</pre>
 *
 * Required: schemaVersion, modelId, version, featureNames, weights, intercept. Optional: threshold (default 0.5),
 * standardization (null or absent: raw features), metadata, driftBaseline (null or absent: no drift;
 * {@link DriftBaselineJson}; written only when the model has one). Unknown fields are ignored so newer writers can add
 * fields; a schemaVersion above {@link #SCHEMA_VERSION} is refused because its meaning may have changed.
 */
public final class ModelJson {
    /** The newest model schema this code reads and the one it writes. */
    public static final int SCHEMA_VERSION = 1;

    private ModelJson() {
    }

    public static byte[] toBytes(LogisticModel model) {
        try {
            return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(toTree(model));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write model JSON", e);
        }
    }

    public static String toJson(LogisticModel model) {
        return new String(toBytes(model), StandardCharsets.UTF_8);
    }

    /** The model as a compact single-line JSON string (for a Kafka record or kcat). */
    public static String toCompactJson(LogisticModel model) {
        try {
            return Json.MAPPER.writeValueAsString(toTree(model));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write model JSON", e);
        }
    }

    public static ObjectNode toTree(LogisticModel model) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("modelId", model.modelId());
        root.put("version", model.version());
        ArrayNode names = root.putArray("featureNames");
        model.featureNames().forEach(names::add);
        putDoubles(root.putArray("weights"), model.weights());
        root.put("intercept", model.intercept());
        root.put("threshold", model.threshold());
        Standardization s = model.standardization();
        if (s == null) {
            root.putNull("standardization");
        } else {
            ObjectNode sn = root.putObject("standardization");
            putDoubles(sn.putArray("mean"), s.mean());
            putDoubles(sn.putArray("std"), s.std());
        }
        ModelMetadata md = model.metadata();
        ObjectNode mdn = root.putObject("metadata");
        if (md.trainedAt() != null) {
            mdn.put("trainedAt", md.trainedAt().toString());
        }
        ObjectNode params = mdn.putObject("trainingParameters");
        md.trainingParameters().forEach(params::put);
        ObjectNode metrics = mdn.putObject("metrics");
        md.metrics().forEach((split, values) -> {
            ObjectNode m = metrics.putObject(split);
            values.forEach(m::put);
        });
        if (model.driftBaseline() != null) {
            root.set("driftBaseline", DriftBaselineJson.toTree(model.driftBaseline()));
        }
        return root;
    }

    private static void putDoubles(ArrayNode array, double[] values) {
        for (double v : values) {
            array.add(v);
        }
    }

    /**
     * Parses and validates a model.
     *
     * @throws ModelFormatException  for bytes that are not a model document (the message names the field)
     * @throws InvalidModelException for a well-formed document with unusable parameters
     */
    public static LogisticModel fromBytes(byte[] json) {
        if (json == null || json.length == 0) {
            throw new ModelFormatException("model JSON is empty");
        }
        int bad = Utf8.firstInvalidInJson(json);
        if (bad >= 0) {
            throw new ModelFormatException("model JSON is malformed: " + (json[bad] == 0 ? "a NUL byte" : "invalid UTF-8")
                    + " at byte " + bad);
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new ModelFormatException("model JSON is malformed: " + firstLine(e.getMessage()));
        }
        return fromTree(root);
    }

    public static LogisticModel fromJson(String json) {
        return fromBytes(json == null ? null : json.getBytes(StandardCharsets.UTF_8));
    }

    public static LogisticModel fromTree(JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new ModelFormatException("model JSON must be an object");
        }
        long schema = requiredLong(root, "schemaVersion");
        if (schema > SCHEMA_VERSION) {
            throw new ModelFormatException("model has schemaVersion " + schema + "; this version supports at most "
                    + SCHEMA_VERSION);
        }
        if (schema < 1) {
            throw new ModelFormatException("schemaVersion is " + schema + "; must be >= 1");
        }
        String modelId = requiredText(root, "modelId");
        long version = requiredLong(root, "version");
        List<String> names = new ArrayList<>();
        for (JsonNode n : requiredArray(root, "featureNames")) {
            if (!n.isTextual()) {
                throw new ModelFormatException("featureNames must hold strings, found " + n.getNodeType());
            }
            names.add(n.asText());
        }
        double[] weights = doubles(requiredArray(root, "weights"), "weights");
        double intercept = requiredDouble(root, "intercept");
        double threshold = LogisticModel.DEFAULT_THRESHOLD;
        JsonNode t = root.get("threshold");
        if (t != null && !t.isNull()) {
            threshold = number(t, "threshold");
        }
        Standardization standardization = null;
        JsonNode s = root.get("standardization");
        if (s != null && !s.isNull()) {
            if (!s.isObject()) {
                throw new ModelFormatException("standardization must be null or an object with mean and std");
            }
            standardization = new Standardization(doubles(requiredArray(s, "mean", "standardization.mean"), "standardization.mean"),
                    doubles(requiredArray(s, "std", "standardization.std"), "standardization.std"));
        }
        DriftBaseline baseline = null;
        JsonNode b = root.get("driftBaseline");
        if (b != null && !b.isNull()) {
            baseline = DriftBaselineJson.fromTree(b, names);
        }
        return new LogisticModel(modelId, version, names, weights, intercept, standardization, threshold,
                metadata(root.get("metadata")), baseline);
    }

    private static ModelMetadata metadata(JsonNode node) {
        if (node == null || !node.isObject()) {
            return ModelMetadata.EMPTY;
        }
        Instant trainedAt = null;
        JsonNode at = node.get("trainedAt");
        if (at != null && at.isTextual()) {
            try {
                trainedAt = Instant.parse(at.asText());
            } catch (DateTimeParseException e) {
                throw new ModelFormatException("metadata.trainedAt is not an ISO-8601 instant: " + at.asText());
            }
        }
        Map<String, String> params = new LinkedHashMap<>();
        JsonNode p = node.get("trainingParameters");
        if (p != null && p.isObject()) {
            p.properties().forEach(e -> params.put(e.getKey(), e.getValue().asText()));
        }
        Map<String, Map<String, Double>> metrics = new LinkedHashMap<>();
        JsonNode m = node.get("metrics");
        if (m != null && m.isObject()) {
            for (Map.Entry<String, JsonNode> split : m.properties()) {
                Map<String, Double> values = new LinkedHashMap<>();
                split.getValue().properties().forEach(e -> {
                    if (e.getValue().isNumber()) {
                        values.put(e.getKey(), e.getValue().asDouble());
                    }
                });
                metrics.put(split.getKey(), values);
            }
        }
        return new ModelMetadata(trainedAt, params, metrics);
    }

    private static JsonNode required(JsonNode parent, String field, String path) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            throw new ModelFormatException("model JSON is missing required field '" + path + "'");
        }
        return n;
    }

    private static String requiredText(JsonNode root, String field) {
        JsonNode n = required(root, field, field);
        if (!n.isTextual()) {
            throw new ModelFormatException(field + " must be a string, found " + n.getNodeType());
        }
        return n.asText();
    }

    private static long requiredLong(JsonNode root, String field) {
        JsonNode n = required(root, field, field);
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new ModelFormatException(field + " must be an integer, found " + n);
        }
        return n.asLong();
    }

    private static double requiredDouble(JsonNode root, String field) {
        return number(required(root, field, field), field);
    }

    private static JsonNode requiredArray(JsonNode root, String field) {
        return requiredArray(root, field, field);
    }

    private static JsonNode requiredArray(JsonNode parent, String field, String path) {
        JsonNode n = required(parent, field, path);
        if (!n.isArray()) {
            throw new ModelFormatException(path + " must be an array, found " + n.getNodeType());
        }
        return n;
    }

    private static double number(JsonNode n, String path) {
        if (!n.isNumber()) {
            throw new ModelFormatException(path + " must be a number, found " + n);
        }
        return n.doubleValue();
    }

    private static double[] doubles(JsonNode array, String path) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = number(array.get(i), path + "[" + i + "]");
        }
        return values;
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }
}
