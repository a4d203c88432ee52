package io.streamscore.common.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamscore.common.Contributions;
import io.streamscore.common.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The score's JSON form on the scores topic:
 *
 * <pre>{@code
 * {"schemaVersion":1,"eventId":"e-42","modelId":"fraud","modelVersion":3,"probability":0.7310585786300049,
 *  "label":1,"threshold":0.5,"eventTimestamp":1763856000000,"scoredAt":1763856000012}
 * }</pre>
 *
 * {@code eventId} is left out when the event had none. Doubles are written by Jackson as {@link Double#toString}
 * does, so the probability reads back bit for bit. Written with the streaming generator: this is the hot path.
 *
 * <p>A score with {@link Contributions} (the scorer's {@code --contributions}) adds, after {@code scoredAt}:
 *
 * <pre>{@code
 *  "logit":0.75,"intercept":0.1,"contributions":{"amount":1.0,"age":-0.6,"night":0.25}
 * }</pre>
 *
 * every term in the model's feature order, or, for a selection ({@code --contributions-top K}), the K largest by
 * magnitude, largest first, followed by {@code "contributionsOmitted":n,"contributionsOmittedSum":s}. These numbers are
 * written in the shortest form that reads back exactly (Jackson's Schubfach writer: one score carries one per feature,
 * and on JDK 17 it is cheaper than {@link Double#toString}; see BENCHMARKS.md). A term or logit that overflowed to ±Infinity
 * (the probability is then exactly 0 or 1) is written as the string {@code "Infinity"} or {@code "-Infinity"}, which
 * JSON numbers cannot hold. Older scores without these fields read back with null contributions.
 */
public final class ScoreJson {
    /** The score schema this code writes and the newest it reads. */
    public static final int SCHEMA_VERSION = 1;

    private ScoreJson() {
    }

    public static byte[] toBytes(Score s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(192);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", SCHEMA_VERSION);
            if (s.eventId() != null) {
                g.writeStringField("eventId", s.eventId());
            }
            g.writeStringField("modelId", s.modelId());
            g.writeNumberField("modelVersion", s.modelVersion());
            g.writeNumberField("probability", s.probability());
            g.writeNumberField("label", s.label());
            g.writeNumberField("threshold", s.threshold());
            g.writeNumberField("eventTimestamp", s.eventTimestamp());
            g.writeNumberField("scoredAt", s.scoredAt());
            if (s.contributions() != null) {
                writeContributions(g, s.contributions());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a score", e);
        }
        return out.toByteArray();
    }

    private static void writeContributions(JsonGenerator g, Contributions c) throws IOException {
        g.writeFieldName("logit");
        writeDouble(g, c.logit());
        g.writeFieldName("intercept");
        writeDouble(g, c.intercept());
        g.writeFieldName("contributions");
        g.writeStartObject();
        for (int i = 0; i < c.size(); i++) {
            g.writeFieldName(c.name(i));
            writeDouble(g, c.term(i));
        }
        g.writeEndObject();
        if (c.isSelection()) {
            g.writeNumberField("contributionsOmitted", c.omitted());
            g.writeFieldName("contributionsOmittedSum");
            writeDouble(g, c.omittedSum());
        }
    }

    /** Finite: the shortest decimal that reads back exactly. Otherwise the string Double.toString gives. */
    private static void writeDouble(JsonGenerator g, double v) throws IOException {
        if (Double.isFinite(v)) {
            g.writeNumber(NumberOutput.toString(v, true));
        } else {
            g.writeString(Double.toString(v));
        }
    }

    /**
     * Reads a score (for consumers and tests; not on the scorer's path).
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong
     */
    public static Score fromBytes(byte[] json) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("score JSON is malformed: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("score JSON must be an object");
        }
        long schema = required(n, "schemaVersion").asLong();
        if (schema > SCHEMA_VERSION) {
            throw new IllegalArgumentException("score has schemaVersion " + schema + "; this version supports at most "
                    + SCHEMA_VERSION);
        }
        JsonNode eventId = n.get("eventId");
        return new Score(eventId == null || eventId.isNull() ? null : eventId.asText(),
                required(n, "modelId").asText(), required(n, "modelVersion").asLong(),
                required(n, "probability").doubleValue(), required(n, "label").asInt(),
                required(n, "threshold").doubleValue(), required(n, "eventTimestamp").asLong(),
                required(n, "scoredAt").asLong(), contributions(n));
    }

    /** Null when the score has none (the default, and every score written before they existed). */
    private static Contributions contributions(JsonNode n) {
        JsonNode terms = n.get("contributions");
        if (terms == null || terms.isNull()) {
            return null;
        }
        if (!terms.isObject()) {
            throw new IllegalArgumentException("score JSON field 'contributions' must be an object");
        }
        Map<String, Double> byName = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : terms.properties()) {
            byName.put(e.getKey(), number(e.getValue(), "contributions." + e.getKey()));
        }
        JsonNode omitted = n.get("contributionsOmitted");
        boolean selection = omitted != null && !omitted.isNull();
        return Contributions.of(byName, number(required(n, "intercept"), "intercept"),
                number(required(n, "logit"), "logit"), selection ? omitted.asInt() : -1,
                selection ? number(required(n, "contributionsOmittedSum"), "contributionsOmittedSum") : 0.0);
    }

    /** A JSON number, or one of the strings a non-finite double is written as. */
    private static double number(JsonNode v, String field) {
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual()) {
            switch (v.asText()) {
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                case "NaN":
                    return Double.NaN;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("score JSON field '" + field + "' must be a number (or \"Infinity\", "
                + "\"-Infinity\", \"NaN\"), not " + v);
    }

    private static JsonNode required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("score JSON is missing required field '" + field + "'");
        }
        return v;
    }
}
