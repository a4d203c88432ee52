package io.streamscore.common.modellog;

/**
 * Why a record on the model topic does not count as a model version, a retirement or a challenge. Stable names: they are
 * {@code /metrics} labels and appear in the scorer's WARN lines and in {@code trainer models list}.
 *
 * <p>A rejected record still replaces whatever its key held before (compaction keeps only the last record per key, so
 * the scorer must too): the key's version, retirement or challenge is then absent. See docs/model-topic.md.
 */
public enum ModelRejection {
    /** The record has no key, so there is no model id to file it under (a compacted topic refuses these). */
    MISSING_KEY,
    /**
     * The key is not one of the model topic's key forms ({@code ID@vN}, {@code ID@vN@retired},
     * {@code ID@vN@challenger}, legacy {@code ID}).
     */
    BAD_KEY,
    /** Not a model (or retirement, or challenge) document: malformed JSON, a missing or mistyped field, a newer schemaVersion. */
    MALFORMED,
    /** A well-formed model with unusable parameters: NaN/∞ weight, names/weights mismatch, threshold outside (0, 1). */
    INVALID,
    /** The document's modelId or version differs from the one its key names. */
    KEY_MISMATCH,
    /** An unexpected exception in the model gate (a bug); caught so the global thread survives. */
    INTERNAL_ERROR
}
