package io.streamscore.trainer.retrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamscore.common.Json;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * A {@link Decision} as its JSON record on the decisions topic (docs/schemas/decision.schema.json; key: the model id,
 * timestamp: {@code decidedAt}):
 *
 * <pre>{@code
 * {"schemaVersion":1,"modelId":"fraud","decidedAt":"2026-12-03T16:00:00.125Z","trigger":"drift",
 *  "decision":"PUBLISHED","reason":"candidate log-loss 0.31 vs champion v3 0.44 (lower is better): better by 0.13",
 *  "metric":"log-loss","candidateValue":0.31,"championValue":0.44,"margin":0.0,"championVersion":3,
 *  "candidateVersion":4,"trainRows":3200,"holdoutRows":800,"from":"2026-12-02T16:00:00Z",
 *  "to":"2026-12-03T16:00:00Z","holdoutFrom":"2026-12-03T11:12:00Z","dataTopic":"outcomes",
 *  "driftWindowEndMs":1796310000000}
 * }</pre>
 *
 * Every field is always written; one that does not apply is null. Doubles are written as {@link Double#toString}
 * does, so they read back bit for bit.
 */
public final class DecisionJson {

    private DecisionJson() {
    }

    public static byte[] toBytes(Decision d) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        o.put("schemaVersion", Decision.SCHEMA_VERSION);
        o.put("modelId", d.modelId());
        o.put("decidedAt", d.decidedAt().toString());
        o.put("trigger", d.trigger().wireName());
        o.put("decision", d.kind().name());
        o.put("reason", d.reason());
        o.put("metric", d.metric().wireName());
        putNumber(o, "candidateValue", d.candidateValue());
        putNumber(o, "championValue", d.championValue());
        o.put("margin", d.margin());
        o.put("championVersion", d.championVersion());
        o.put("candidateVersion", d.candidateVersion());
        o.put("trainRows", d.trainRows());
        o.put("holdoutRows", d.holdoutRows());
        o.put("from", d.from().toString());
        o.put("to", d.to().toString());
        o.put("holdoutFrom", d.holdoutFrom() == null ? null : d.holdoutFrom().toString());
        o.put("dataTopic", d.dataTopic());
        o.put("driftWindowEndMs", d.driftWindowEndMs());
        try {
            return Json.MAPPER.writeValueAsBytes(o);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write a decision", e);
        }
    }

    /** A figure JSON can hold: null for none, and for NaN or infinity (which JSON has no number for). */
    private static void putNumber(ObjectNode o, String field, Double v) {
        if (v == null || !Double.isFinite(v)) {
            o.putNull(field);
        } else {
            o.put(field, v);
        }
    }

    /**
     * Reads a decision record.
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong
     */
    public static Decision fromBytes(byte[] json) {
        if (json == null) {
            throw new IllegalArgumentException("decision is null (a tombstone)");
        }
        JsonNode o;
        try {
            o = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("decision JSON is malformed: " + e.getMessage(), e);
        }
        if (o == null || !o.isObject()) {
            throw new IllegalArgumentException("decision JSON must be an object");
        }
        long schema = integer(o, "schemaVersion", false);
        if (schema > Decision.SCHEMA_VERSION) {
            throw new IllegalArgumentException("decision has schemaVersion " + schema + "; this version reads at most "
                    + Decision.SCHEMA_VERSION);
        }
        String kindName = text(o, "decision", false);
        String triggerName = text(o, "trigger", false);
        Decision.Kind kind;
        Decision.Trigger trigger;
        try {
            kind = Decision.Kind.valueOf(kindName);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("decision field 'decision' is '" + kindName + "'; must be PUBLISHED,"
                    + " PUBLISHED_AS_CHALLENGER, REJECTED or SKIPPED", e);
        }
        try {
            trigger = Decision.Trigger.parse(triggerName);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("decision field 'trigger' is '" + triggerName + "'; must be manual,"
                    + " schedule or drift", e);
        }
        return new Decision(text(o, "modelId", false), instant(o, "decidedAt", false), trigger, kind,
                text(o, "reason", false), GateMetric.parse(text(o, "metric", false)), number(o, "candidateValue"),
                number(o, "championValue"), requiredNumber(o, "margin"), optionalInteger(o, "championVersion"),
                optionalInteger(o, "candidateVersion"), (int) integer(o, "trainRows", false),
                (int) integer(o, "holdoutRows", false), instant(o, "from", false), instant(o, "to", false),
                instant(o, "holdoutFrom", true), text(o, "dataTopic", false),
                optionalInteger(o, "driftWindowEndMs"));
    }

    private static JsonNode field(JsonNode o, String name, boolean optional) {
        JsonNode v = o.get(name);
        if (v == null || v.isNull()) {
            if (optional) {
                return null;
            }
            throw new IllegalArgumentException("decision JSON is missing required field '" + name + "'");
        }
        return v;
    }

    private static String text(JsonNode o, String name, boolean optional) {
        JsonNode v = field(o, name, optional);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException("decision field '" + name + "' must be a string");
        }
        return v.asText();
    }

    private static Instant instant(JsonNode o, String name, boolean optional) {
        String s = text(o, name, optional);
        try {
            return s == null ? null : Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("decision field '" + name + "' is '" + s + "'; must be an ISO-8601"
                    + " instant", e);
        }
    }

    private static long integer(JsonNode o, String name, boolean optional) {
        JsonNode v = field(o, name, optional);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new IllegalArgumentException("decision field '" + name + "' must be an integer");
        }
        return v.asLong();
    }

    private static Long optionalInteger(JsonNode o, String name) {
        JsonNode v = field(o, name, true);
        return v == null ? null : integer(o, name, false);
    }

    private static double requiredNumber(JsonNode o, String name) {
        field(o, name, false);
        return number(o, name);
    }

    private static Double number(JsonNode o, String name) {
        JsonNode v = field(o, name, true);
        if (v == null) {
            return null;
        }
        if (!v.isNumber()) {
            throw new IllegalArgumentException("decision field '" + name + "' must be a number");
        }
        return v.asDouble();
    }
}
