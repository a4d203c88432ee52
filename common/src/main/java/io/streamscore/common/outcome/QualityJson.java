package io.streamscore.common.outcome;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamscore.common.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The quality record's JSON form on the quality topic (docs/outcomes.md, docs/schemas/quality.schema.json):
 *
 * <pre>{@code
 * {"schemaVersion":1,"modelId":"fraud","modelVersion":3,"window":"1h","windowSizeMs":3600000,
 *  "windowStart":"2025-11-22T09:00:00Z","windowEnd":"2025-11-22T10:00:00Z","windowStartMs":1763802000000,
 *  "windowEndMs":1763805600000,"revision":1,"emittedAt":1763805660123,"threshold":0.5,
 *  "count":1000,"positives":310,"negatives":690,"logLoss":0.3121,"brierScore":0.0987,"accuracy":0.861,
 *  "precision":0.80,"recall":0.74,"truePositives":230,"falsePositives":57,"trueNegatives":631,"falseNegatives":80,
 *  "rocAuc":0.921,"rocAucErrorBound":0.0004,"rocAucTiedPairFraction":0.0008,"rocAucBins":1000,
 *  "calibration":[{"lower":0.0,"upper":0.1,"count":402,"positives":12,"meanPredicted":0.04,"observedRate":0.03},…]}
 * }</pre>
 *
 * A figure that is undefined for the window (NaN in {@link QualityFigures}) is written as null. Doubles are written as
 * {@link Double#toString} does, so they read back bit for bit.
 */
public final class QualityJson {
    /** The quality schema this code writes and the newest it reads. */
    public static final int SCHEMA_VERSION = 1;

    private QualityJson() {
    }

    public static byte[] toBytes(QualityWindow w) {
        QualityFigures f = w.figures();
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
            Json.numberOrNull(g, "threshold", f.threshold());
            g.writeNumberField("count", f.count());
            g.writeNumberField("positives", f.positives());
            g.writeNumberField("negatives", f.negatives());
            Json.numberOrNull(g, "logLoss", f.logLoss());
            Json.numberOrNull(g, "brierScore", f.brierScore());
            Json.numberOrNull(g, "accuracy", f.accuracy());
            Json.numberOrNull(g, "precision", f.precision());
            Json.numberOrNull(g, "recall", f.recall());
            g.writeNumberField("truePositives", f.truePositives());
            g.writeNumberField("falsePositives", f.falsePositives());
            g.writeNumberField("trueNegatives", f.trueNegatives());
            g.writeNumberField("falseNegatives", f.falseNegatives());
            Json.numberOrNull(g, "rocAuc", f.rocAuc());
            Json.numberOrNull(g, "rocAucErrorBound", f.rocAucErrorBound());
            Json.numberOrNull(g, "rocAucTiedPairFraction", f.rocAucTiedPairFraction());
            g.writeNumberField("rocAucBins", QualityAccumulator.AUC_BINS);
            g.writeArrayFieldStart("calibration");
            for (QualityFigures.CalibrationBin b : f.calibration()) {
                g.writeStartObject();
                g.writeNumberField("lower", b.lower());
                g.writeNumberField("upper", b.upper());
                g.writeNumberField("count", b.count());
                g.writeNumberField("positives", b.positives());
                Json.numberOrNull(g, "meanPredicted", b.meanPredicted());
                Json.numberOrNull(g, "observedRate", b.observedRate());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a quality record", e);
        }
        return out.toByteArray();
    }

    /**
     * Reads a quality record (for consumers and tests).
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong
     */
    public static QualityWindow fromBytes(byte[] json) {
        JsonNode n = Json.readVersionedObject(json, "quality", SCHEMA_VERSION);
        List<QualityFigures.CalibrationBin> bins = new ArrayList<>();
        for (JsonNode b : required(n, "calibration")) {
            bins.add(new QualityFigures.CalibrationBin(required(b, "lower").doubleValue(),
                    required(b, "upper").doubleValue(), required(b, "count").asLong(),
                    required(b, "positives").asLong(), nullable(b, "meanPredicted"), nullable(b, "observedRate")));
        }
        QualityFigures f = new QualityFigures(required(n, "count").asLong(), required(n, "positives").asLong(),
                required(n, "negatives").asLong(), nullable(n, "threshold"), nullable(n, "logLoss"),
                nullable(n, "brierScore"), nullable(n, "accuracy"), nullable(n, "precision"), nullable(n, "recall"),
                required(n, "truePositives").asLong(), required(n, "falsePositives").asLong(),
                required(n, "trueNegatives").asLong(), required(n, "falseNegatives").asLong(), nullable(n, "rocAuc"),
                nullable(n, "rocAucErrorBound"), nullable(n, "rocAucTiedPairFraction"), bins);
        return new QualityWindow(required(n, "modelId").asText(), required(n, "modelVersion").asLong(),
                required(n, "window").asText(), required(n, "windowSizeMs").asLong(),
                required(n, "windowStartMs").asLong(), required(n, "revision").asInt(),
                required(n, "emittedAt").asLong(), f);
    }

    private static double nullable(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? Double.NaN : v.doubleValue();
    }

    private static JsonNode required(JsonNode n, String field) {
        return Json.required(n, field, "quality");
    }
}
