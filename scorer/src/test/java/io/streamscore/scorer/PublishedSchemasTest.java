package io.streamscore.scorer;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.streamscore.common.event.ReasonCode;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The published schemas themselves: valid 2020-12 schemas, in step with the code, and strict enough to catch drift. */
class PublishedSchemasTest {
    private static final String SCORE = "{\"schemaVersion\":1,\"eventId\":\"e-42\",\"modelId\":\"fraud\",\"modelVersion\":3,"
            + "\"probability\":0.7310585786300049,\"label\":1,\"threshold\":0.5,\"eventTimestamp\":1763856000000,"
            + "\"scoredAt\":1763856000012";

    @ParameterizedTest
    @ValueSource(strings = {"score.schema.json", "dead-letter.schema.json", "outcome.schema.json", "quality.schema.json",
            "drift.schema.json"})
    void eachSchemaIsAValidDraft2020_12Schema(String file) throws Exception {
        Schema meta = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                .getSchema(SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"));
        JsonNode schema = PublishedSchemas.read(java.nio.file.Files.readAllBytes(PublishedSchemas.DIR.resolve(file)));
        assertEquals(List.of(), meta.validate(schema), file);
    }

    @Test
    void theDeadLetterSchemaNamesEveryReasonCodeAndHeaderTheCodeWrites() {
        JsonNode schema = PublishedSchemas.read(readSchema("dead-letter.schema.json"));
        Set<String> reasons = new TreeSet<>();
        schema.at("/properties/streamscore.reason/enum").forEach(n -> reasons.add(n.asText()));
        assertEquals(Arrays.stream(ReasonCode.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new)), reasons);
        Set<String> named = new TreeSet<>();
        schema.get("properties").fieldNames().forEachRemaining(named::add);
        assertEquals(new TreeSet<>(List.of(DeadLetters.HEADER_EXCEPTION, DeadLetters.HEADER_MESSAGE,
                DeadLetters.HEADER_STACKTRACE, DeadLetters.HEADER_TOPIC, DeadLetters.HEADER_PARTITION,
                DeadLetters.HEADER_OFFSET, DeadLetters.HEADER_REASON, DeadLetters.HEADER_TRUNCATED_ORIGINAL_BYTES,
                DeadLetters.HEADER_TRUNCATED_ORIGINAL_KEY_BYTES, DeadLetters.HEADER_TRUNCATED_DROPPED_HEADERS)), named);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            SCORE + "}",
            SCORE + ",\"modelPublishedAt\":\"2026-11-23T10:00:00Z\",\"selection\":\"event-time\"}",
            SCORE + ",\"selection\":\"latest\",\"role\":\"challenger\"}",
            SCORE + ",\"logit\":1.0,\"intercept\":0.1,\"contributions\":{\"amount\":1.5,\"age\":-0.6}}",
            SCORE + ",\"logit\":\"Infinity\",\"intercept\":0.1,\"contributions\":{\"amount\":\"Infinity\"}}",
            SCORE + ",\"logit\":1.0,\"intercept\":0.1,\"contributions\":{\"amount\":1.5},\"contributionsOmitted\":1,"
                    + "\"contributionsOmittedSum\":-0.6}"})
    void theScoreSchemaAcceptsOldAndNewScores(String json) {
        assertEquals(List.of(), PublishedSchemas.violations(PublishedSchemas.SCORE, PublishedSchemas.read(json)), json);
    }

    static List<String> scoresTheScorerNeverWrites() {
        return List.of(
                "{\"schemaVersion\":1,\"modelId\":\"fraud\",\"modelVersion\":3,\"label\":1,\"threshold\":0.5,"
                        + "\"eventTimestamp\":1,\"scoredAt\":2}",                                 // no probability
                SCORE + ",\"probabilty\":0.5}",                                                 // a field nobody documents
                SCORE.replace("\"label\":1", "\"label\":2") + "}",
                SCORE.replace("\"probability\":0.7310585786300049", "\"probability\":1.5") + "}",
                SCORE.replace("\"schemaVersion\":1", "\"schemaVersion\":2") + "}",
                SCORE + ",\"selection\":\"oldest\"}",
                SCORE + ",\"modelPublishedAt\":1763856000000}",
                SCORE + ",\"contributions\":{\"amount\":1.5}}",                                 // no logit, no intercept
                SCORE + ",\"logit\":1.0,\"intercept\":0.1,\"contributions\":{\"amount\":\"big\"}}",
                SCORE + ",\"logit\":1.0,\"intercept\":0.1,\"contributions\":{\"amount\":1.5},\"contributionsOmitted\":1}",
                SCORE + ",\"logit\":1.0,\"intercept\":0.1,\"contributions\":[1.5]}");
    }

    @ParameterizedTest
    @MethodSource("scoresTheScorerNeverWrites")
    void theScoreSchemaRefusesWhatTheScorerNeverWrites(String json) {
        assertFalse(PublishedSchemas.violations(PublishedSchemas.SCORE, PublishedSchemas.read(json)).isEmpty(), json);
    }

    @Test
    void theDeadLetterSchemaChecksTheHeaders() {
        Headers h = DeadLetters.headers(new RecordHeaders().add("trace-id", utf8("t-1")).add("nothing", null), ReasonCode.MODEL_NOT_FOUND, "no model", DeadLetters.CLASSIFIED_EXCEPTION,
                "", "features", 0, 17);
        assertEquals(List.of(), PublishedSchemas.violations(PublishedSchemas.DEAD_LETTER, PublishedSchemas.headersAsJson(h)));

        RecordHeaders noReason = new RecordHeaders();
        h.forEach(x -> {
            if (!x.key().equals(DeadLetters.HEADER_REASON)) {
                noReason.add(x);
            }
        });
        assertFalse(PublishedSchemas.violations(PublishedSchemas.DEAD_LETTER, PublishedSchemas.headersAsJson(noReason)).isEmpty());
        Headers bogus = new RecordHeaders(h.toArray()).add(DeadLetters.HEADER_REASON, utf8("BOGUS"));
        assertFalse(PublishedSchemas.violations(PublishedSchemas.DEAD_LETTER, PublishedSchemas.headersAsJson(bogus)).isEmpty(),
                "the last occurrence counts");
        Headers badOffset = new RecordHeaders(h.toArray()).add(DeadLetters.HEADER_OFFSET, utf8("seventeen"));
        assertFalse(PublishedSchemas.violations(PublishedSchemas.DEAD_LETTER, PublishedSchemas.headersAsJson(badOffset)).isEmpty());
        assertTrue(PublishedSchemas.headersAsJson(h).get("nothing").isNull());
    }

    private static byte[] readSchema(String file) {
        try {
            return java.nio.file.Files.readAllBytes(PublishedSchemas.DIR.resolve(file));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
