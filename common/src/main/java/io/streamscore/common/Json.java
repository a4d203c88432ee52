package io.streamscore.common;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

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
}
