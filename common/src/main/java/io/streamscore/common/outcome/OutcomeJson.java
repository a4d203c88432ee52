package io.streamscore.common.outcome;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.streamscore.common.Json;
import io.streamscore.common.event.ModelSelection;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The outcome's JSON form on the outcomes topic (docs/outcomes.md, docs/schemas/outcome.schema.json):
 *
 * <pre>{@code
 * {"schemaVersion":1,"eventId":"e-42","modelId":"fraud","modelVersion":3,"probability":0.7310585786300049,
 *  "predictedLabel":1,"threshold":0.5,"label":0,"features":{"amount":12.5,"age":41.0},
 *  "eventTimestamp":1763856000000,"scoredAt":1763856000012,"labelledAt":1763859600000,
 *  "modelPublishedAt":"2025-11-22T09:30:00.250Z","selection":"latest","labelFirst":false}
 * }</pre>
 *
 * It is a labelled feature event ({@code modelId}, {@code features} by name, {@code label}, {@code eventId}) with the
 * score's fields added, so the feature-event parser and the trainer's topic loader read it as one: the true label is
 * {@code label}, the score's label is {@code predictedLabel}. Features are in the model's order and doubles are written
 * as {@link Double#toString} does, so every number reads back bit for bit. {@code modelPublishedAt} is left out when
 * unknown.
 */
public final class OutcomeJson {
    /** The outcome schema this code writes and the newest it reads. */
    public static final int SCHEMA_VERSION = 1;

    private OutcomeJson() {
    }

    public static byte[] toBytes(Outcome o) {
        double[] x = o.featuresUnsafe();
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + 24 * x.length);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("schemaVersion", SCHEMA_VERSION);
            g.writeStringField("eventId", o.eventId());
            g.writeStringField("modelId", o.modelId());
            g.writeNumberField("modelVersion", o.modelVersion());
            g.writeNumberField("probability", o.probability());
            g.writeNumberField("predictedLabel", o.predictedLabel());
            g.writeNumberField("threshold", o.threshold());
            g.writeNumberField("label", o.label());
            g.writeFieldName("features");
            g.writeStartObject();
            List<String> names = o.featureNames();
            for (int i = 0; i < x.length; i++) {
                g.writeNumberField(names.get(i), x[i]);
            }
            g.writeEndObject();
            g.writeNumberField("eventTimestamp", o.eventTimestamp());
            g.writeNumberField("scoredAt", o.scoredAt());
            g.writeNumberField("labelledAt", o.labelledAt());
            if (o.modelPublishedAt() != null) {
                g.writeStringField("modelPublishedAt", o.modelPublishedAt().toString());
            }
            g.writeStringField("selection", o.selection().wireName());
            g.writeBooleanField("labelFirst", o.labelFirst());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write an outcome", e);
        }
        return out.toByteArray();
    }

    /**
     * Reads a whole outcome (for consumers and tests).
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong
     */
    public static Outcome fromBytes(byte[] json) {
        Fields f = read(json, true);
        return new Outcome(f.eventId, f.modelId, f.modelVersion, f.probability, f.predictedLabel, f.threshold, f.label,
                f.names, f.values, f.eventTimestamp, f.scoredAt, f.labelledAt, f.publishedAt, f.selection, f.labelFirst);
    }

    /**
     * Reads only what the quality figures need, skipping the features: what the scorer's quality aggregation does
     * with every outcome, so a consumer computing them offline can use the same reader.
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong
     */
    public static QualityObservation observation(byte[] json) {
        Fields f = read(json, false);
        return new QualityObservation(f.modelId, f.modelVersion, f.probability, f.predictedLabel, f.label, f.threshold,
                f.labelledAt);
    }

    /** The fields as read; the required ones checked at the end. */
    private static final class Fields {
        String eventId;
        String modelId;
        long modelVersion = -1;
        double probability = Double.NaN;
        int predictedLabel = -1;
        double threshold = Double.NaN;
        int label = -1;
        List<String> names;
        double[] values;
        long eventTimestamp = Long.MIN_VALUE;
        long scoredAt = Long.MIN_VALUE;
        long labelledAt = Long.MIN_VALUE;
        Instant publishedAt;
        ModelSelection selection;
        boolean labelFirst;
    }

    private static Fields read(byte[] json, boolean whole) {
        if (json == null) {
            throw new IllegalArgumentException("outcome is null (a tombstone)");
        }
        Fields f = new Fields();
        try (JsonParser p = Json.MAPPER.getFactory().createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("outcome JSON must be an object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                t = p.nextToken();
                if (t == JsonToken.VALUE_NULL) {
                    continue;
                }
                switch (field) {
                    case "schemaVersion" -> {
                        long v = integer(p, t, field);
                        if (v > SCHEMA_VERSION) {
                            throw new IllegalArgumentException("outcome has schemaVersion " + v
                                    + "; this version reads at most " + SCHEMA_VERSION);
                        }
                    }
                    case "eventId" -> f.eventId = text(p, t, field);
                    case "modelId" -> f.modelId = text(p, t, field);
                    case "modelVersion" -> f.modelVersion = integer(p, t, field);
                    case "probability" -> f.probability = number(p, t, field);
                    case "predictedLabel" -> f.predictedLabel = bit(p, t, field);
                    case "threshold" -> f.threshold = number(p, t, field);
                    case "label" -> f.label = bit(p, t, field);
                    case "eventTimestamp" -> f.eventTimestamp = integer(p, t, field);
                    case "scoredAt" -> f.scoredAt = integer(p, t, field);
                    case "labelledAt" -> f.labelledAt = integer(p, t, field);
                    case "features" -> {
                        if (t != JsonToken.START_OBJECT) {
                            throw new IllegalArgumentException("outcome field 'features' must be an object");
                        }
                        if (whole) {
                            features(p, f);
                        } else {
                            p.skipChildren();
                        }
                    }
                    case "modelPublishedAt" -> {
                        String s = text(p, t, field);
                        try {
                            f.publishedAt = Instant.parse(s);
                        } catch (DateTimeParseException e) {
                            throw new IllegalArgumentException("outcome field 'modelPublishedAt' is '" + s
                                    + "'; must be an ISO-8601 instant", e);
                        }
                    }
                    case "selection" -> {
                        String s = text(p, t, field);
                        try {
                            f.selection = ModelSelection.parse(s);
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("outcome field 'selection' is '" + s
                                    + "'; must be latest or event-time", e);
                        }
                    }
                    case "labelFirst" -> {
                        if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
                            throw new IllegalArgumentException("outcome field 'labelFirst' must be a boolean");
                        }
                        f.labelFirst = t == JsonToken.VALUE_TRUE;
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new IllegalArgumentException("outcome JSON has trailing content");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("outcome JSON is malformed: " + e.getMessage(), e);
        }
        require(f.modelId != null, "modelId");
        require(f.modelVersion >= 0, "modelVersion");
        require(!Double.isNaN(f.probability), "probability");
        require(f.predictedLabel >= 0, "predictedLabel");
        require(!Double.isNaN(f.threshold), "threshold");
        require(f.label >= 0, "label");
        require(f.labelledAt != Long.MIN_VALUE, "labelledAt");
        if (whole) {
            require(f.eventId != null, "eventId");
            require(f.names != null, "features");
            require(f.eventTimestamp != Long.MIN_VALUE, "eventTimestamp");
            require(f.scoredAt != Long.MIN_VALUE, "scoredAt");
            if (f.selection == null) {
                f.selection = ModelSelection.LATEST;
            }
        }
        return f;
    }

    private static void features(JsonParser p, Fields f) throws IOException {
        List<String> names = new ArrayList<>();
        double[] values = new double[16];
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            t = p.nextToken();
            if (values.length == names.size()) {
                values = Arrays.copyOf(values, values.length * 2);
            }
            values[names.size()] = number(p, t, "features." + name);
            names.add(name);
        }
        f.names = names;
        f.values = Arrays.copyOf(values, names.size());
    }

    private static void require(boolean present, String field) {
        if (!present) {
            throw new IllegalArgumentException("outcome JSON is missing required field '" + field + "'");
        }
    }

    private static String text(JsonParser p, JsonToken t, String field) throws IOException {
        if (t != JsonToken.VALUE_STRING) {
            throw new IllegalArgumentException("outcome field '" + field + "' must be a string");
        }
        return p.getText();
    }

    private static long integer(JsonParser p, JsonToken t, String field) throws IOException {
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new IllegalArgumentException("outcome field '" + field + "' must be an integer");
        }
        return p.getLongValue();
    }

    private static int bit(JsonParser p, JsonToken t, String field) throws IOException {
        long v = integer(p, t, field);
        if (v != 0 && v != 1) {
            throw new IllegalArgumentException("outcome field '" + field + "' is " + v + "; must be 0 or 1");
        }
        return (int) v;
    }

    private static double number(JsonParser p, JsonToken t, String field) throws IOException {
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new IllegalArgumentException("outcome field '" + field + "' must be a number");
        }
        return p.getDoubleValue();
    }
}
