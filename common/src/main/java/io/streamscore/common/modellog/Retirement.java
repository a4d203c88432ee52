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
 * The value under a {@code ID@vN@retired} key: version N of model ID is retired and never served while this record is
 * the last one under its key. Written by {@code trainer models retire | rollback}; a tombstone under the same key
 * (written by {@code trainer models restore}) un-retires the version.
 *
 * <pre>{"schemaVersion": 1, "modelId": "fraud", "version": 3, "retiredAt": "2026-12-03T10:00:00Z", "reason": "..."}</pre>
 */
public record Retirement(String modelId, long version, Instant retiredAt, String reason) {
    public static final int SCHEMA_VERSION = 1;

    public Retirement {
        ModelLogKey.checkModelId(modelId);
        if (version < 0) {
            throw new IllegalArgumentException("version is " + version + "; must be >= 0");
        }
        Objects.requireNonNull(retiredAt, "retiredAt");
        reason = reason == null ? "" : reason;
    }

    public byte[] toBytes() {
        ObjectNode root = Json.MAPPER.createObjectNode();
        root.put("schemaVersion", SCHEMA_VERSION);
        root.put("modelId", modelId);
        root.put("version", version);
        root.put("retiredAt", retiredAt.toString());
        root.put("reason", reason);
        try {
            return Json.MAPPER.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write retirement JSON", e);
        }
    }

    /**
     * @throws ModelFormatException naming the field that is missing or wrong
     */
    public static Retirement fromBytes(byte[] json) {
        if (json == null || json.length == 0) {
            throw new ModelFormatException("retirement JSON is empty");
        }
        if (Utf8.firstInvalidInJson(json) >= 0) {
            throw new ModelFormatException("retirement JSON is not valid UTF-8 text");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new ModelFormatException("retirement JSON is malformed");
        }
        if (root == null || !root.isObject()) {
            throw new ModelFormatException("retirement JSON must be an object");
        }
        JsonNode schema = root.get("schemaVersion");
        if (schema == null || !schema.canConvertToLong() || !schema.isIntegralNumber() || schema.asLong() < 1) {
            throw new ModelFormatException("retirement schemaVersion must be an integer >= 1");
        }
        if (schema.asLong() > SCHEMA_VERSION) {
            throw new ModelFormatException("retirement has schemaVersion " + schema.asLong()
                    + "; this version supports at most " + SCHEMA_VERSION);
        }
        JsonNode id = root.get("modelId");
        JsonNode version = root.get("version");
        JsonNode at = root.get("retiredAt");
        JsonNode reason = root.get("reason");
        if (id == null || !id.isTextual()) {
            throw new ModelFormatException("retirement modelId must be a string");
        }
        if (version == null || !version.isIntegralNumber() || !version.canConvertToLong()) {
            throw new ModelFormatException("retirement version must be an integer");
        }
        if (at == null || !at.isTextual()) {
            throw new ModelFormatException("retirement retiredAt must be an ISO-8601 instant string");
        }
        if (reason != null && !reason.isNull() && !reason.isTextual()) {
            throw new ModelFormatException("retirement reason must be a string");
        }
        try {
            return new Retirement(id.asText(), version.asLong(), Instant.parse(at.asText()),
                    reason == null || reason.isNull() ? "" : reason.asText());
        } catch (DateTimeParseException e) {
            throw new ModelFormatException("retirement retiredAt is not an ISO-8601 instant: " + at.asText());
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException("retirement " + e.getMessage());
        }
    }
}
