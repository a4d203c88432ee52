package io.streamscore.scorer;

/** Why a record on the model topic was not applied. Stable names: they are {@code /metrics} labels. */
public enum ModelRejection {
    /** The record has no key, so there is no model id to file it under. */
    MISSING_KEY,
    /** Not a model document: malformed JSON, a missing or mistyped field, a newer schemaVersion. */
    MALFORMED,
    /** A well-formed model with unusable parameters: NaN/∞ weight, names/weights mismatch, threshold outside (0, 1). */
    INVALID,
    /** The record key differs from the document's modelId. */
    KEY_MISMATCH,
    /** The version is not newer than the one being served. */
    NOT_NEWER,
    /** An unexpected exception in the model gate (a bug); caught so the global thread survives. */
    INTERNAL_ERROR
}
