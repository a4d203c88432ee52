package io.streamscore.common.drift;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamscore.common.InvalidModelException;
import io.streamscore.common.Json;
import io.streamscore.common.ModelFormatException;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of a {@link DriftBaseline}, the model JSON's optional {@code driftBaseline} field:
 *
 * <pre>{@code
 * "driftBaseline": {"bins": 10,
 *   "features": {"amount": {"edges": [3.5, 8.0, …], "proportions": [0.1, 0.1, …]}, "age": {…}},
 *   "score": {"edges": [0.08, 0.15, …], "proportions": [0.1, 0.1, …]}}
 * }</pre>
 *
 * {@code features} names every feature of the model, each once (in any order; the model's order is kept).
 */
public final class DriftBaselineJson {
    private DriftBaselineJson() {
    }

    public static ObjectNode toTree(DriftBaseline b) {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("bins", b.bins());
        ObjectNode features = root.putObject("features");
        b.features().forEach((name, bins) -> put(features.putObject(name), bins));
        put(root.putObject("score"), b.score());
        return root;
    }

    /** The baseline as compact JSON bytes, its features in the model's order. */
    public static byte[] toBytes(DriftBaseline b) {
        try {
            return Json.MAPPER.writeValueAsBytes(toTree(b));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot write a drift baseline", e);
        }
    }

    /**
     * Reads what {@link #toBytes} wrote: the features in the order the JSON lists them.
     *
     * @throws ModelFormatException  for bytes that are not a baseline
     * @throws InvalidModelException for bins that are not valid
     */
    public static DriftBaseline fromBytes(byte[] json) {
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new ModelFormatException("drift baseline JSON is malformed: " + e.getMessage());
        }
        JsonNode features = node == null ? null : node.get("features");
        if (features == null || !features.isObject()) {
            throw new ModelFormatException("driftBaseline.features must be an object: feature name -> {edges, proportions}");
        }
        List<String> names = new java.util.ArrayList<>();
        features.fieldNames().forEachRemaining(names::add);
        return fromTree(node, names);
    }

    private static void put(ObjectNode node, Bins bins) {
        ArrayNode edges = node.putArray("edges");
        for (double e : bins.edges()) {
            edges.add(e);
        }
        ArrayNode proportions = node.putArray("proportions");
        for (double p : bins.proportions()) {
            proportions.add(p);
        }
    }

    /**
     * Reads a baseline for a model with {@code featureNames}.
     *
     * @throws ModelFormatException  for a document of the wrong shape (the message names the field)
     * @throws InvalidModelException for bins that are not valid or features that are not the model's
     */
    public static DriftBaseline fromTree(JsonNode node, List<String> featureNames) {
        if (!node.isObject()) {
            throw new ModelFormatException("driftBaseline must be null or an object with bins, features and score");
        }
        JsonNode binsNode = node.get("bins");
        if (binsNode == null || !binsNode.isIntegralNumber() || !binsNode.canConvertToInt()) {
            throw new ModelFormatException("driftBaseline.bins must be an integer, found " + binsNode);
        }
        JsonNode features = node.get("features");
        if (features == null || !features.isObject()) {
            throw new ModelFormatException("driftBaseline.features must be an object: feature name -> {edges, proportions}");
        }
        for (Iterator<String> it = features.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!featureNames.contains(name)) {
                throw new InvalidModelException("driftBaseline.features." + name + ": '" + name
                        + "' is not a feature of the model");
            }
        }
        Map<String, Bins> byName = new LinkedHashMap<>();
        for (String name : featureNames) {
            JsonNode f = features.get(name);
            if (f == null || f.isNull()) {
                throw new InvalidModelException("driftBaseline.features has no bins for feature '" + name
                        + "'; it must hold every feature of the model");
            }
            byName.put(name, bins(f, "driftBaseline.features." + name));
        }
        JsonNode score = node.get("score");
        if (score == null || score.isNull()) {
            throw new ModelFormatException("driftBaseline.score is missing");
        }
        return new DriftBaseline(binsNode.intValue(), byName, bins(score, "driftBaseline.score"));
    }

    private static Bins bins(JsonNode node, String path) {
        if (!node.isObject()) {
            throw new ModelFormatException(path + " must be an object with edges and proportions");
        }
        double[] edges = doubles(node.get("edges"), path + ".edges");
        double[] proportions = doubles(node.get("proportions"), path + ".proportions");
        try {
            return new Bins(edges, proportions);
        } catch (InvalidModelException e) {
            throw new InvalidModelException(path + ": " + e.getMessage());
        }
    }

    private static double[] doubles(JsonNode array, String path) {
        if (array == null || !array.isArray()) {
            throw new ModelFormatException(path + " must be an array of numbers");
        }
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode v = array.get(i);
            if (!v.isNumber()) {
                throw new ModelFormatException(path + "[" + i + "] must be a number, found " + v);
            }
            values[i] = v.doubleValue();
        }
        return values;
    }
}
