package io.streamscore.trainer.retrain;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.streamscore.common.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.fail;

/** docs/schemas/decision.schema.json, read from the repository, and an assertion that holds a record to it. */
final class DecisionSchema {
    static final Schema SCHEMA = load();

    private DecisionSchema() {
    }

    /** The violations of the document; empty when it is valid. */
    static List<Error> violations(byte[] json) {
        try {
            return SCHEMA.validate(Json.MAPPER.readTree(json));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void assertValid(byte[] json) {
        List<Error> errors = violations(json);
        if (!errors.isEmpty()) {
            fail("decision " + new String(json, StandardCharsets.UTF_8) + " violates its published schema: " + errors);
        }
    }

    static JsonNode tree(byte[] json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Schema load() {
        Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            Path file = p.resolve("docs/schemas/decision.schema.json");
            if (Files.isRegularFile(file)) {
                try (InputStream in = Files.newInputStream(file)) {
                    return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        throw new IllegalStateException("no docs/schemas/decision.schema.json above " + start);
    }
}
