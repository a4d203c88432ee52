package io.streamscore.scorer;

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
 * The JSON Schemas published in docs/schemas, loaded from the repository (not a copy), and the assertions that hold
 * real outputs to them. A dead letter is validated through its headers rendered as the schema says: one JSON object,
 * header name → value as UTF-8 text (null for a null value), the last occurrence of a name winning.
 */
final class PublishedSchemas {
    static final Path DIR = findSchemaDir();
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

    /** Fails with every violation when the score value does not validate. */
    static void assertValidScore(byte[] value) {
        assertValid(SCORE, read(value), "score " + new String(value, StandardCharsets.UTF_8));
    }

    /** Fails with every violation when the dead letter's headers do not validate. */
    static void assertValidDeadLetter(Headers headers) {
        JsonNode h = headersAsJson(headers);
        assertValid(DEAD_LETTER, h, "dead letter headers " + h);
    }

    static List<Error> violations(Schema schema, JsonNode document) {
        return schema.validate(document);
    }

    /** The schema's rendering of a record's headers. */
    static ObjectNode headersAsJson(Headers headers) {
        ObjectNode o = Json.MAPPER.createObjectNode();
        for (Header h : headers) {
            if (h.value() == null) {
                o.putNull(h.key());
            } else {
                o.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
            }
        }
        return o;
    }

    static JsonNode read(byte[] json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode read(String json) {
        return read(json.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertValid(Schema schema, JsonNode document, String what) {
        List<Error> errors = schema.validate(document);
        if (!errors.isEmpty()) {
            fail(what + " violates its published schema: " + errors);
        }
    }

    private static Schema load(String file) {
        try (InputStream in = Files.newInputStream(DIR.resolve(file))) {
            return REGISTRY.getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + DIR.resolve(file), e);
        }
    }

    /** docs/schemas of this checkout: tests run in a module's directory, one below the repository root. */
    private static Path findSchemaDir() {
        String root = System.getProperty("streamscore.repo.root");
        Path start = Path.of(root != null ? root : System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("docs/schemas"))) {
                return p.resolve("docs/schemas");
            }
        }
        throw new IllegalStateException("no docs/schemas above " + start);
    }
}
