package io.streamscore.common;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import java.io.IOException;

/** The one configured Jackson mapper every format in this project reads and writes with. */
public final class Json {

    /**
     * Strict on input: duplicate keys are an error (an ambiguous record should not be scored), NaN/Infinity literals
     * are rejected (JSON has none), content after the document is an error (two concatenated models are not one), and
     * floats are read as doubles, which Jackson parses exactly, so a double written
     * by {@link Double#toString} reads back bit for bit.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    static {
        // Bound what one record may cost to parse: deeply nested or huge documents are refused, not recursed into.
        MAPPER.getFactory().setStreamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                .maxNestingDepth(64)
                .maxNumberLength(1000)
                .build());
        MAPPER.getFactory().disable(JsonParser.Feature.AUTO_CLOSE_SOURCE);
    }

    private Json() {
    }

    /** Writes {@code v} as a number field, or as null when it is NaN (a figure that is undefined, e.g. no positives). */
    public static void numberOrNull(JsonGenerator g, String field, double v) throws IOException {
        if (Double.isNaN(v)) {
            g.writeNullField(field);
        } else {
            g.writeNumberField(field, v);
        }
    }

    /**
     * Parses one versioned record of the kind {@code what} (e.g. "drift") as a JSON object whose {@code schemaVersion}
     * is at most {@code maxSchemaVersion}.
     *
     * @throws IllegalArgumentException saying what is wrong: malformed, not an object, missing or newer version
     */
    public static JsonNode readVersionedObject(byte[] json, String what, long maxSchemaVersion) {
        JsonNode n;
        try {
            n = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " JSON is malformed: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException(what + " JSON must be an object");
        }
        if (required(n, "schemaVersion", what).asLong() > maxSchemaVersion) {
            throw new IllegalArgumentException(what + " record has schemaVersion " + n.get("schemaVersion")
                    + "; this version reads at most " + maxSchemaVersion);
        }
        return n;
    }

    /** Field {@code field} of a record of the kind {@code what}; absent or null is an error naming it. */
    public static JsonNode required(JsonNode n, String field, String what) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException(what + " JSON is missing required field '" + field + "'");
        }
        return v;
    }
}
