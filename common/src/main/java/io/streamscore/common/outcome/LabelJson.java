package io.streamscore.common.outcome;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import io.streamscore.common.Json;
import io.streamscore.common.Utf8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The label's JSON form on the labels topic:
 *
 * <pre>{@code
 * {"eventId": "e-42", "label": 1}
 * }</pre>
 *
 * {@code eventId} (a non-empty string) and {@code label} ({@link Label#GRAMMAR}: a JSON number, boolean or string whose
 * text is 0, 1, 0.0, 1.0, true or false in any case) are required; {@code schemaVersion} (at most
 * {@link #SCHEMA_VERSION}) is optional; null counts as absent; other fields are ignored so producers may add their own.
 * The record's key must be the feature event's key and its timestamp is the label's time (docs/outcomes.md).
 *
 * <p>Read with the strict mapper of {@link Json} (duplicate keys, trailing content and invalid UTF-8 are refused).
 */
public final class LabelJson {
    /** The newest label schema this code reads. */
    public static final int SCHEMA_VERSION = 1;

    private LabelJson() {
    }

    /**
     * @throws LabelException naming what is wrong; the message is short enough for a dead-letter header
     */
    public static Label parse(byte[] json) throws LabelException {
        if (json == null) {
            throw new LabelException("the record value is null (a tombstone)");
        }
        int bad = Utf8.firstInvalidInJson(json);
        if (bad >= 0) {
            throw new LabelException("malformed JSON: " + (json[bad] == 0 ? "a NUL byte" : "invalid UTF-8") + " at byte "
                    + bad);
        }
        try (JsonParser p = Json.MAPPER.getFactory().createParser(json)) {
            return read(p);
        } catch (JsonProcessingException e) {
            throw new LabelException("malformed JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException e) {
            throw new LabelException("malformed JSON: " + firstLine(e.getMessage()));
        }
    }

    private static Label read(JsonParser p) throws IOException, LabelException {
        JsonToken t = p.nextToken();
        if (t == null) {
            throw new LabelException("malformed JSON: the value is empty");
        }
        if (t != JsonToken.START_OBJECT) {
            throw new LabelException("the label must be a JSON object, found " + t.asString());
        }
        String eventId = null;
        int value = -2; // absent
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            t = p.nextToken();
            switch (field) {
                case "eventId" -> {
                    if (t == JsonToken.VALUE_STRING) {
                        eventId = p.getText();
                    } else if (t != JsonToken.VALUE_NULL) {
                        throw new LabelException("eventId must be a string, found " + describe(p, t));
                    }
                }
                case "label" -> {
                    if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT
                            || t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE || t == JsonToken.VALUE_STRING) {
                        value = Label.parseValue(p.getText());
                        if (value < 0) {
                            throw new LabelException("label is " + describe(p, t) + "; must be " + Label.GRAMMAR);
                        }
                    } else if (t != JsonToken.VALUE_NULL) {
                        throw new LabelException("label must be " + Label.GRAMMAR + ", found " + describe(p, t));
                    }
                }
                case "schemaVersion" -> {
                    if (t != JsonToken.VALUE_NULL && (t != JsonToken.VALUE_NUMBER_INT
                            || p.getNumberType() != JsonParser.NumberType.INT || p.getIntValue() > SCHEMA_VERSION)) {
                        throw new LabelException("the label has schemaVersion " + abbreviate(p.getText())
                                + "; this version reads integers up to " + SCHEMA_VERSION);
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (p.nextToken() != null) {
            throw new LabelException("malformed JSON: trailing content after the label");
        }
        if (eventId == null || eventId.isEmpty()) {
            throw new LabelException("the label has no eventId");
        }
        if (value == -2) {
            throw new LabelException("the label for event '" + abbreviate(eventId) + "' has no label value ("
                    + Label.GRAMMAR + ")");
        }
        return new Label(eventId, value);
    }

    /** The label as compact JSON: {@code {"eventId":"e-42","label":1}}. */
    public static byte[] toBytes(Label label) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(48);
        try (var g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("eventId", label.eventId());
            g.writeNumberField("label", label.value());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a label", e);
        }
        return out.toByteArray();
    }

    private static String describe(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "the string \"" + abbreviate(p.getText()) + "\"";
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
}
