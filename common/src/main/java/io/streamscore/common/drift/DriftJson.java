package io.streamscore.common.drift;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamscore.common.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The drift record's JSON form on the drift topic (docs/drift.md, docs/schemas/drift.schema.json):
 *
 * <pre>{@code
 * {"schemaVersion":1,"modelId":"fraud","modelVersion":3,"window":"1h","windowSizeMs":3600000,
 *  "windowStart":"2025-11-22T09:00:00Z","windowEnd":"2025-11-22T10:00:00Z","windowStartMs":1763802000000,
 *  "windowEndMs":1763805600000,"revision":1,"emittedAt":1763805660123,"count":1000,"threshold":0.2,
 *  "epsilon":1.0E-4,"scorePsi":0.031,"featurePsi":{"amount":0.012,"age":0.27},"alerts":["age"],
 *  "bins":{"amount":{"edges":[…],"expected":[…],"observed":[…]},"age":{…}},
 *  "scoreBins":{"edges":[…],"expected":[…],"observed":[…]}}
 * }</pre>
 *
 * Doubles are written as {@link Double#toString} does, so they read back bit for bit; a PSI that is undefined (no
 * events, never written) would be null.
 */
public final class DriftJson {
    /** The drift schema this code writes and the newest it reads. */
    public static final int SCHEMA_VERSION = 1;

    private DriftJson() {
    }

    public static byte[] toBytes(DriftWindow w) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", SCHEMA_VERSION);
            g.writeStringField("modelId", w.modelId());
            g.writeNumberField("modelVersion", w.modelVersion());
            g.writeStringField("window", w.window());
            g.writeNumberField("windowSizeMs", w.windowSizeMs());
            g.writeStringField("windowStart", Instant.ofEpochMilli(w.windowStartMs()).toString());
            g.writeStringField("windowEnd", Instant.ofEpochMilli(w.windowEndMs()).toString());
            g.writeNumberField("windowStartMs", w.windowStartMs());
            g.writeNumberField("windowEndMs", w.windowEndMs());
            g.writeNumberField("revision", w.revision());
            g.writeNumberField("emittedAt", w.emittedAt());
            g.writeNumberField("count", w.count());
            g.writeNumberField("threshold", w.threshold());
            g.writeNumberField("epsilon", Psi.EPSILON);
            Json.numberOrNull(g, "scorePsi", w.scorePsi());
            g.writeObjectFieldStart("featurePsi");
            for (Map.Entry<String, Double> e : w.featurePsi().entrySet()) {
                Json.numberOrNull(g, e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("alerts");
            for (String a : w.alerts()) {
                g.writeString(a);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("bins");
            for (Map.Entry<String, DriftWindow.ObservedBins> e : w.featureBins().entrySet()) {
                g.writeFieldName(e.getKey());
                bins(g, e.getValue());
            }
            g.writeEndObject();
            g.writeFieldName("scoreBins");
            bins(g, w.scoreBins());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a drift record", e);
        }
        return out.toByteArray();
    }

    private static void bins(JsonGenerator g, DriftWindow.ObservedBins b) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("edges");
        for (double e : b.edges()) {
            g.writeNumber(e);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("expected");
        for (double e : b.expected()) {
            g.writeNumber(e);
        }
        g.writeEndArray();
        g.writeArrayFieldStart("observed");
        for (long o : b.observed()) {
            g.writeNumber(o);
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /**
     * Reads a drift record (for consumers and tests).
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong
     */
    public static DriftWindow fromBytes(byte[] json) {
        JsonNode n = Json.readVersionedObject(json, "drift", SCHEMA_VERSION);
        Map<String, Double> featurePsi = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = required(n, "featurePsi").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            featurePsi.put(e.getKey(), e.getValue().isNull() ? Double.NaN : e.getValue().doubleValue());
        }
        List<String> alerts = new ArrayList<>();
        required(n, "alerts").forEach(a -> alerts.add(a.asText()));
        Map<String, DriftWindow.ObservedBins> bins = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = required(n, "bins").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            bins.put(e.getKey(), bins(e.getValue(), "bins." + e.getKey()));
        }
        JsonNode score = n.get("scorePsi");
        return new DriftWindow(required(n, "modelId").asText(), required(n, "modelVersion").asLong(),
                required(n, "window").asText(), required(n, "windowSizeMs").asLong(),
                required(n, "windowStartMs").asLong(), required(n, "revision").asInt(),
                required(n, "emittedAt").asLong(), required(n, "count").asLong(),
                required(n, "threshold").doubleValue(), score == null || score.isNull() ? Double.NaN : score.doubleValue(),
                featurePsi, alerts, bins, bins(required(n, "scoreBins"), "scoreBins"));
    }

    private static DriftWindow.ObservedBins bins(JsonNode n, String path) {
        JsonNode edges = required(n, "edges");
        JsonNode expected = required(n, "expected");
        JsonNode observed = required(n, "observed");
        double[] e = new double[edges.size()];
        for (int i = 0; i < e.length; i++) {
            e[i] = edges.get(i).doubleValue();
        }
        double[] x = new double[expected.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = expected.get(i).doubleValue();
        }
        long[] o = new long[observed.size()];
        for (int i = 0; i < o.length; i++) {
            o[i] = observed.get(i).asLong();
        }
        if (x.length != o.length || e.length + 1 != o.length) {
            throw new IllegalArgumentException("drift JSON " + path + ": " + e.length + " edges, " + x.length
                    + " expected and " + o.length + " observed; want B - 1, B and B");
        }
        return new DriftWindow.ObservedBins(e, x, o);
    }

    private static JsonNode required(JsonNode n, String field) {
        return Json.required(n, field, "drift");
    }
}
