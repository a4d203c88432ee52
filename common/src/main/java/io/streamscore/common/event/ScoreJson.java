package io.streamscore.common.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamscore.common.Contributions;
import io.streamscore.common.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The score's JSON form on the scores topic:
 *
 * <pre>{@code
 * {"schemaVersion":1,"eventId":"e-42","modelId":"fraud","modelVersion":3,"probability":0.7310585786300049,
 *  "label":1,"threshold":0.5,"eventTimestamp":1763856000000,"scoredAt":1763856000012,
 *  "modelPublishedAt":"2025-11-22T09:30:00.250Z","selection":"event-time"}
 * }</pre>
 *
 * {@code eventId} is left out when the event had none, {@code modelPublishedAt} when it is unknown. Doubles are written
 * by Jackson as {@link Double#toString} does, so the probability reads back bit for bit. Written with the streaming
 * generator: this is the hot path.
 *
 * <p>Reading accepts scores written before {@code modelPublishedAt} and {@code selection} existed (same schema
 * version: the fields are additions): the publish time is then unknown (null) and the selection {@code latest}, the
 * only one there was.
 *
 * <p>A challenger's score on the shadow topic is the same document with one more field, {@code "role":"challenger"}
 * ({@link #toChallengerBytes}); {@link #fromBytes} reads both.
 *
 * <p>A score with {@link Contributions} (the scorer's {@code --contributions}) adds, after {@code selection}:
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
    /** The field that marks a shadow score, and its value for a challenger's. */
    public static final String ROLE_FIELD = "role";
    public static final String ROLE_CHALLENGER = "challenger";
    private static final byte[] CHALLENGER_SUFFIX = (",\"" + ROLE_FIELD + "\":\"" + ROLE_CHALLENGER + "\"}")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);

    /**
     * Formatted publish times, by epoch milli: a score's version publish time repeats for every event it scores, and
     * formatting an instant costs about as much as a fifth of writing the whole score. Direct-mapped, racy by design:
     * entries are immutable (final fields), so a reader sees either a whole entry or another one, and checks its key.
     */
    private static final FormattedInstant[] FORMATTED = new FormattedInstant[64];

    private record FormattedInstant(Instant instant, String text) {
    }

    private ScoreJson() {
    }

    private static String iso(Instant instant) {
        long ms = instant.toEpochMilli();
        int slot = (int) (ms ^ (ms >>> 32)) & (FORMATTED.length - 1);
        FormattedInstant f = FORMATTED[slot];
        if (f == null || !f.instant.equals(instant)) {
            f = new FormattedInstant(instant, instant.toString());
            FORMATTED[slot] = f;
        }
        return f.text;
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
            if (s.modelPublishedAt() != null) {
                g.writeStringField("modelPublishedAt", iso(s.modelPublishedAt()));
            }
            g.writeStringField("selection", s.selection().wireName());
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
                required(n, "scoredAt").asLong(), publishedAt(n.get("modelPublishedAt")), selection(n.get("selection")), contributions(n));
    }

    private static Instant publishedAt(JsonNode v) {
        if (v == null || v.isNull()) {
            return null; // written before the field existed
        }
        try {
            return Instant.parse(v.asText());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("score field 'modelPublishedAt' is '" + v.asText()
                    + "'; must be an ISO-8601 instant such as 2025-11-22T09:30:00.250Z", e);
        }
    }

    private static ModelSelection selection(JsonNode v) {
        if (v == null || v.isNull()) {
            return ModelSelection.LATEST; // written before the field existed, when latest was the only selection
        }
        try {
            return ModelSelection.parse(v.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("score field 'selection' is '" + v.asText()
                    + "'; must be latest or event-time", e);
        }
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

    /**
     * A challenger's score as the shadow topic carries it: exactly what {@link #toBytes} writes for {@code s}, whatever
     * fields that holds, with {@code "role":"challenger"} added as the last field. Built by appending to the score's
     * bytes rather than by a second writer, so that the shadow record can never drift from the score's format.
     */
    public static byte[] toChallengerBytes(Score s) {
        byte[] score = toBytes(s);
        // toBytes writes one JSON object: its last byte is the closing brace, replaced by the field and a new brace.
        byte[] out = java.util.Arrays.copyOf(score, score.length - 1 + CHALLENGER_SUFFIX.length);
        System.arraycopy(CHALLENGER_SUFFIX, 0, out, score.length - 1, CHALLENGER_SUFFIX.length);
        return out;
    }
}
