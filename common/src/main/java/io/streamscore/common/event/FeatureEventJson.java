package io.streamscore.common.event;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import io.streamscore.common.Json;
import io.streamscore.common.Utf8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/**
 * The feature event's JSON form, read on the scorer's hot path and (with labels) by the trainer:
 *
 * <pre>{@code
 * {"eventId": "e-42", "modelId": "fraud", "features": {"amount": 12.5, "age": 41}, "label": 1}
 * {"modelId": "fraud", "featureSchema": "7393a6baca9600cd", "features": [12.5, 41]}
 * }</pre>
 *
 * {@code modelId} and {@code features} are required; {@code features} is an object (by name, any order, extra names
 * ignored) or an array (the model's feature order). {@code featureSchema} (string) names the feature order an array was
 * built for ({@link io.streamscore.common.FeatureSchema}); the parser only checks its type and keeps it for
 * {@link FeatureEvent#vectorFor}, which requires it for an array and ignores it for named features. {@code eventId}
 * (string), {@code label} (0, 1, true, false) and {@code schemaVersion} (at most {@link #SCHEMA_VERSION}) are optional;
 * null counts as absent; other fields are ignored so producers may add their own.
 *
 * <p>Read with Jackson's streaming parser, not a tree: one pass, no intermediate nodes. The parser is the one
 * {@link Json#MAPPER} configures (duplicate keys rejected, nesting and number length bounded) with one difference:
 * the literals NaN and Infinity are tokenised, because Python's {@code json.dumps} writes them, so that such an event
 * is classified {@link ReasonCode#NON_FINITE_FEATURE} instead of the vaguer {@link ReasonCode#MALFORMED_JSON}; and
 * numbers are read with Jackson's FastDoubleParser, which yields the same double as {@link Double#parseDouble}.
 */
public final class FeatureEventJson {
    /** The newest feature-event schema this code reads. */
    public static final int SCHEMA_VERSION = 1;

    private static final JsonFactory FACTORY = Json.MAPPER.getFactory().rebuild()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            // FastDoubleParser: correctly rounded like Double.parseDouble (same bits), several times faster.
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    private FeatureEventJson() {
    }

    /**
     * Parses one event. Problems are reported in reading order: the first one found wins.
     *
     * @throws FeatureEventException with the reason code and a message naming the field
     */
    public static FeatureEvent parse(byte[] json) throws FeatureEventException {
        if (json == null) {
            throw new FeatureEventException(ReasonCode.NULL_VALUE, "the record value is null (a tombstone)");
        }
        int bad = Utf8.firstInvalidInJson(json);
        if (bad >= 0) {
            throw new FeatureEventException(ReasonCode.MALFORMED_JSON, "malformed JSON: "
                    + (json[bad] == 0 ? "a NUL byte" : "invalid UTF-8") + " at byte " + bad);
        }
        try (JsonParser p = FACTORY.createParser(json)) {
            return read(p);
        } catch (IOException e) {
            // JsonParseException, StreamConstraintsException and friends: the bytes are not one sane JSON document.
            throw new FeatureEventException(ReasonCode.MALFORMED_JSON, "malformed JSON: " + firstLine(e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
    }

    private static FeatureEvent read(JsonParser p) throws IOException, FeatureEventException {
        JsonToken t = p.nextToken();
        if (t == null) {
            throw new FeatureEventException(ReasonCode.MALFORMED_JSON, "malformed JSON: the value is empty");
        }
        if (t != JsonToken.START_OBJECT) {
            p.skipChildren();
            requireEnd(p);
            throw new FeatureEventException(ReasonCode.WRONG_TYPE, "the event must be a JSON object, found " + t.asString());
        }
        String eventId = null;
        String modelId = null;
        String[] names = null;
        double[] values = null;
        Integer label = null;
        String featureSchema = null;
        boolean hasFeatures = false;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            t = p.nextToken();
            switch (field) {
                case "eventId" -> eventId = optionalString(p, t, "eventId");
                case "modelId" -> modelId = optionalString(p, t, "modelId");
                case "label" -> label = label(p, t);
                case "schemaVersion" -> schemaVersion(p, t);
                case "featureSchema" -> featureSchema = optionalString(p, t, "featureSchema");
                case "features" -> {
                    if (t == JsonToken.START_OBJECT) {
                        Named named = named(p);
                        names = named.names;
                        values = named.values;
                        hasFeatures = true;
                    } else if (t == JsonToken.START_ARRAY) {
                        values = positional(p);
                        hasFeatures = true;
                    } else if (t != JsonToken.VALUE_NULL) {
                        throw new FeatureEventException(ReasonCode.WRONG_TYPE,
                                "features must be an object or an array, found " + describe(p, t));
                    }
                }
                default -> p.skipChildren();
            }
        }
        requireEnd(p);
        if (modelId == null || modelId.isEmpty()) {
            throw new FeatureEventException(ReasonCode.MISSING_MODEL_ID, "the event has no modelId");
        }
        if (!hasFeatures) {
            throw new FeatureEventException(ReasonCode.MISSING_FEATURE, "the event has no features");
        }
        // Named features need no order, so their featureSchema is dropped (it may be stale and must not matter).
        return FeatureEvent.owning(eventId, modelId, names, values, label, names == null ? featureSchema : null);
    }

    /** Trailing content after the document is malformed input, not something to ignore. */
    private static void requireEnd(JsonParser p) throws IOException, FeatureEventException {
        JsonToken next = p.nextToken();
        if (next != null) {
            throw new FeatureEventException(ReasonCode.MALFORMED_JSON, "malformed JSON: trailing content after the event");
        }
    }

    private static String optionalString(JsonParser p, JsonToken t, String field) throws IOException, FeatureEventException {
        if (t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        throw new FeatureEventException(ReasonCode.WRONG_TYPE, field + " must be a string, found " + describe(p, t));
    }

    private static Integer label(JsonParser p, JsonToken t) throws IOException, FeatureEventException {
        switch (t) {
            case VALUE_NULL:
                return null;
            case VALUE_TRUE:
                return 1;
            case VALUE_FALSE:
                return 0;
            case VALUE_NUMBER_INT:
                if (p.getNumberType() == JsonParser.NumberType.INT && (p.getIntValue() == 0 || p.getIntValue() == 1)) {
                    return p.getIntValue();
                }
                throw new FeatureEventException(ReasonCode.INVALID_LABEL, "label is " + p.getText() + "; must be 0 or 1");
            default:
                throw new FeatureEventException(ReasonCode.INVALID_LABEL,
                        "label must be 0, 1, true or false, found " + describe(p, t));
        }
    }

    private static void schemaVersion(JsonParser p, JsonToken t) throws IOException, FeatureEventException {
        if (t == JsonToken.VALUE_NULL) {
            return;
        }
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw new FeatureEventException(ReasonCode.WRONG_TYPE, "schemaVersion must be an integer, found " + describe(p, t));
        }
        if (p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() > SCHEMA_VERSION) {
            throw new FeatureEventException(ReasonCode.UNSUPPORTED_SCHEMA_VERSION, "the event has schemaVersion "
                    + p.getText() + "; this version supports at most " + SCHEMA_VERSION);
        }
    }

    private record Named(String[] names, double[] values) {
    }

    private static Named named(JsonParser p) throws IOException, FeatureEventException {
        String[] names = new String[16];
        double[] values = new double[16];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            t = p.nextToken();
            if (n == names.length) {
                names = Arrays.copyOf(names, n * 2);
                values = Arrays.copyOf(values, n * 2);
            }
            names[n] = name;
            values[n] = number(p, t, name, n);
            n++;
        }
        return new Named(Arrays.copyOf(names, n), Arrays.copyOf(values, n));
    }

    private static double[] positional(JsonParser p) throws IOException, FeatureEventException {
        double[] values = new double[16];
        int n = 0;
        JsonToken t;
        while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
            }
            values[n] = number(p, t, null, n);
            n++;
        }
        return Arrays.copyOf(values, n);
    }

    /**
     * The feature value at the current token.
     *
     * @param name  the feature's name, or null for a positional feature
     * @param index its position
     */
    private static double number(JsonParser p, JsonToken t, String name, int index) throws IOException, FeatureEventException {
        // The messages are built only on failure: this runs for every feature of every event (the hot path).
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw new FeatureEventException(ReasonCode.WRONG_TYPE, what(name, index) + " must be a number, found "
                    + describe(p, t));
        }
        double v = p.getDoubleValue();
        if (!Double.isFinite(v)) {
            throw new FeatureEventException(ReasonCode.NON_FINITE_FEATURE, what(name, index) + " is " + p.getText()
                    + ", which is not a finite double");
        }
        return v;
    }

    private static String what(String name, int index) {
        return name != null ? "feature '" + name + "'" : "features[" + index + "]";
    }

    private static String describe(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "the string \"" + abbreviate(p.getText()) + "\"";
            case VALUE_NULL -> "null";
            default -> abbreviate(p.getText());
        };
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "unreadable";
        }
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** The event as compact JSON, features by name or positional (with its feature schema) as the event has them. */
    public static byte[] toBytes(FeatureEvent event) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            if (event.eventId() != null) {
                g.writeStringField("eventId", event.eventId());
            }
            g.writeStringField("modelId", event.modelId());
            if (event.featureSchema() != null) {
                g.writeStringField("featureSchema", event.featureSchema());
            }
            g.writeFieldName("features");
            double[] values = event.values();
            if (event.isPositional()) {
                g.writeArray(values, 0, values.length);
            } else {
                g.writeStartObject();
                for (var e : event.namedFeatures().entrySet()) {
                    g.writeNumberField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            if (event.label() != null) {
                g.writeNumberField("label", event.label());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a feature event", e);
        }
        return out.toByteArray();
    }
}
