package io.streamscore.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.streamscore.common.Json;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The JSON Schemas of docs/schemas, read from the repository, and assertions that hold records read from a real broker
 * to them. A dead letter's headers are rendered as the schema says: header name → value as UTF-8 text (null for a
 * null value), the last occurrence of a name winning.
 */
final class PublishedSchemas {
    private static final Path DIR = Path.of(System.getProperty("streamscore.repo.root", ".."), "docs", "schemas");
    private static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    static final Schema SCORE = load("score.schema.json");
    static final Schema DEAD_LETTER = load("dead-letter.schema.json");
    static final Schema OUTCOME = load("outcome.schema.json");
    static final Schema QUALITY = load("quality.schema.json");
    static final Schema DRIFT = load("drift.schema.json");

    private PublishedSchemas() {
    }

/** Fails with every violation when the outcome value does not validate. */
    static void assertValidOutcome(byte[] value) {
        assertValid(OUTCOME, read(value), "outcome " + new String(value, StandardCharsets.UTF_8));
    }

    /** Fails with every violation when the drift record's value does not validate. */
    static void assertValidDrift(byte[] value) {
        assertValid(DRIFT, read(value), "drift record " + new String(value, StandardCharsets.UTF_8));
    }

    /** Fails with every violation when the quality record's value does not validate. */
    static void assertValidQuality(byte[] value) {
        assertValid(QUALITY, read(value), "quality record " + new String(value, StandardCharsets.UTF_8));
    }

        static void assertValidScore(byte[] value) {
        assertValid(SCORE, read(value), "score " + new String(value, StandardCharsets.UTF_8));
    }

    static void assertValidDeadLetter(Headers headers) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        for (Header h : headers) {
            if (h.value() == null) {
                o.putNull(h.key());
            } else {
                o.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        assertValid(DEAD_LETTER, o, "dead letter headers " + o);
    }

    private static void assertValid(Schema schema, JsonNode document, String what) {
        List<Error> errors = schema.validate(document);
        if (!errors.isEmpty()) {
            fail(what + " violates its published schema: " + errors);
        }
    }

    private static JsonNode read(byte[] json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Schema load(String file) {
        try (InputStream in = Files.newInputStream(DIR.resolve(file))) {
            return REGISTRY.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DIR.resolve(file).toAbsolutePath(), e);
        }
    }
}
