package io.streamscore.common.modellog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamscore.common.Json;
import io.streamscore.common.ModelFormatException;
import io.streamscore.common.Utf8;

import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Objects;

/**
 * The value under a {@code ID@vN@challenger} key: version N of model ID is a challenger while this record is the last
 * one under its key. A challenger is scored next to the champion on every event of its id (its scores go to the shadow
 * topic, never to the scores topic) and is never the champion itself. Written by {@code trainer models challenge} (and
 * {@code trainer publish --challenger}); a tombstone under the same key (written by {@code trainer models promote |
 * drop}) ends the challenge.
 *
 * <pre>{"schemaVersion": 1, "modelId": "fraud", "version": 4, "startedAt": "2026-12-03T10:00:00Z"}</pre>
 */
public record Challenge(String modelId, long version, Instant startedAt) {
    public static final int SCHEMA_VERSION = 1;

    public Challenge {
        ModelLogKey.checkModelId(modelId);
        if (version < 0) {
            throw new IllegalArgumentException("version is " + version + "; must be >= 0");
        }
        Objects.requireNonNull(startedAt, "startedAt");
    }

    public byte[] toBytes() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("modelId", modelId);
        root.put("version", version);
        root.put("startedAt", startedAt.toString());
        try {
            return Json.MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write challenge JSON", e);
        }
    }

    /**
     * @throws ModelFormatException naming the field that is missing or wrong
     */
    public static Challenge fromBytes(byte[] json) {
        if (json == null || json.length == 0) {
            throw new ModelFormatException("challenge JSON is empty");
        }
        if (Utf8.firstInvalidInJson(json) >= 0) {
            throw new ModelFormatException("challenge JSON is not valid UTF-8 text");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new ModelFormatException("challenge JSON is malformed");
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException("challenge JSON must be an object");
        }
        JsonNode schema = root.get("schemaVersion");
        if (schema == null || !schema.isIntegralNumber() || !schema.canConvertToLong() || schema.asLong() < 1) {
            throw new ModelFormatException("challenge schemaVersion must be an integer >= 1");
        }
        if (schema.asLong() > SCHEMA_VERSION) {
            throw new ModelFormatException("challenge has schemaVersion " + schema.asLong()
                    + "; this version supports at most " + SCHEMA_VERSION);
        }
        JsonNode id = root.get("modelId");
        JsonNode version = root.get("version");
        JsonNode at = root.get("startedAt");
        if (id == null || !id.isTextual()) {
            throw new ModelFormatException("challenge modelId must be a string");
        }
        if (version == null || !version.isIntegralNumber() || !version.canConvertToLong()) {
            throw new ModelFormatException("challenge version must be an integer");
        }
        if (at == null || !at.isTextual()) {
            throw new ModelFormatException("challenge startedAt must be an ISO-8601 instant string");
        }
        try {
            return new Challenge(id.asText(), version.asLong(), Instant.parse(at.asText()));
        } catch (DateTimeParseException e) {
            throw new ModelFormatException("challenge startedAt is not an ISO-8601 instant: " + at.asText());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException("challenge " + e.getMessage());
        }
    }
}
