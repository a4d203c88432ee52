package io.streamscore.trainer.retrain;

import com.fasterxml.jackson.databind.JsonNode;
import io.streamscore.common.Json;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of a drift record (the scorer's drift topic) that decide whether it triggers a retraining round. A drift
 * record is JSON with at least {@code modelId} (string), {@code modelVersion} (integer), {@code windowEndMs} (integer),
 * {@code count} (integer), {@code scorePsi} (number), {@code featurePsi} (object, feature name → number) and
 * {@code alerts} (array of the names whose PSI passed the scorer's threshold, {@code "score"} for the score). A window
 * may be written several times (revisions); other fields are ignored.
 *
 * @param scorePsi   NaN when absent or null
 * @param featurePsi feature name → PSI; nulls left out
 */
public record DriftRecord(String modelId, long modelVersion, long windowEndMs, long count, double scorePsi,
                          Map<String, Double> featurePsi, List<String> alerts) {

    public DriftRecord {
        featurePsi = Collections.unmodifiableMap(new LinkedHashMap<>(featurePsi));
        alerts = List.copyOf(alerts);
    }

    /**
     * Reads a drift record. {@code modelId} and {@code windowEndMs} are required (a record without them cannot be
     * attributed); {@code modelVersion} and {@code count} default to 0, the PSIs to none, {@code alerts} to empty.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static DriftRecord parse(byte[] json) {
        if (json == null) {
            throw new IllegalArgumentException("a null value (a tombstone)");
        }
        JsonNode o;
        try {
            o = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("not a JSON object");
        }
        JsonNode id = o.get("modelId");
        if (id == null || !id.isTextual() || id.asText().isEmpty()) {
            throw new IllegalArgumentException("field 'modelId' must be a non-empty string");
        }
        long windowEnd = integer(o, "windowEndMs", null);
        Map<String, Double> features = new LinkedHashMap<>();
        JsonNode fp = o.get("featurePsi");
        if (fp != null && !fp.isNull()) {
            if (!fp.isObject()) {
                throw new IllegalArgumentException("field 'featurePsi' must be an object");
            }
            for (Map.Entry<String, JsonNode> e : fp.properties()) {
                if (e.getValue().isNumber()) {
                    features.put(e.getKey(), e.getValue().asDouble());
                } else if (!e.getValue().isNull()) {
                    throw new IllegalArgumentException("field 'featurePsi." + e.getKey() + "' must be a number");
                }
            }
        }
        List<String> alerts = new ArrayList<>();
        JsonNode a = o.get("alerts");
        if (a != null && !a.isNull()) {
            if (!a.isArray()) {
                throw new IllegalArgumentException("field 'alerts' must be an array");
            }
            for (JsonNode name : a) {
                alerts.add(name.asText());
            }
        }
        JsonNode score = o.get("scorePsi");
        double scorePsi = score != null && score.isNumber() ? score.asDouble() : Double.NaN;
        return new DriftRecord(id.asText(), integer(o, "modelVersion", 0L), windowEnd, integer(o, "count", 0L),
                scorePsi, features, alerts);
    }

    private static long integer(JsonNode o, String field, Long fallback) {
        JsonNode v = o.get(field);
        if (v == null || v.isNull()) {
            if (fallback == null) {
                throw new IllegalArgumentException("field '" + field + "' is missing");
            }
            return fallback;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IllegalArgumentException("field '" + field + "' must be an integer");
        }
        return v.asLong();
    }

    /**
     * Whether this record says the model's inputs drifted: it names alerts, or a PSI (the score's or a feature's) is
     * at least {@code threshold}.
     */
    public boolean fires(double threshold) {
        if (!alerts.isEmpty() || scorePsi >= threshold) {
            return true;
        }
        for (double psi : featurePsi.values()) {
            if (psi >= threshold) {
                return true;
            }
        }
        return false;
    }

    /** What fired, for the log: the alerts, else the PSIs at or above the threshold. */
    public String firedBy(double threshold) {
        if (!alerts.isEmpty()) {
            return "alerts " + String.join(", ", alerts);
        }
        List<String> over = new ArrayList<>();
        if (scorePsi >= threshold) {
            over.add("score PSI " + Gate.figure(scorePsi));
        }
        featurePsi.forEach((name, psi) -> {
            if (psi >= threshold) {
                over.add(name + " PSI " + Gate.figure(psi));
            }
        });
        return String.join(", ", over) + " (--drift-threshold " + Gate.figure(threshold) + ")";
    }
}
