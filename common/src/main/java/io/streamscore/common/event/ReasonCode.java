package io.streamscore.common.event;

/**
 * Why a feature record could not be scored, or (the {@code LABEL_*} codes, with labels on) why a label record was not
 * joined with a score. The names are a stable contract: they appear in the dead-letter header
 * {@code streamscore.reason}, in the {@code /metrics} labels and in replay recipes, so never rename one.
 */
public enum ReasonCode {
    /**
     * The value is not well-formed JSON (also: a duplicate key, nesting deeper than 64, a number over 1000 digits, bytes
     * that are not strict UTF-8: overlong forms, encoded surrogates, a raw NUL, UTF-16/32).
     */
    MALFORMED_JSON,
    /** The value is null: a tombstone on the feature topic carries no event. */
    NULL_VALUE,
    /** The event has a {@code schemaVersion} newer than this code reads. */
    UNSUPPORTED_SCHEMA_VERSION,
    /** The event has no {@code modelId}, or an empty one. */
    MISSING_MODEL_ID,
    /** The event has no {@code features}, or lacks a feature the model needs. */
    MISSING_FEATURE,
    /** A feature is NaN or ±Infinity, or a number too large for a double (1e999). */
    NON_FINITE_FEATURE,
    /** A positional {@code features} array whose length differs from the model's feature count. */
    WRONG_FEATURE_COUNT,
    /** A field has the wrong JSON type: a string where a number belongs, an array for {@code modelId}, … */
    WRONG_TYPE,
    /** A {@code label} that is neither 0/1 nor true/false. */
    INVALID_LABEL,
    /** No model with the event's {@code modelId} is being served (yet, or any more). */
    MODEL_NOT_FOUND,
    /** Finite features and weights whose logit is NaN (e.g. +∞ + −∞ after overflow): no probability exists. */
    NON_FINITE_SCORE,
    /**
     * A positional {@code features} array whose {@code featureSchema} is not the served model's feature-schema
     * fingerprint, or that names none: its values would be read in the wrong order (e.g. after a retrain on reordered
     * columns). Named features never get this reason.
     */
    FEATURE_SCHEMA_MISMATCH,
    /** The score or dead letter to write is larger than the producer or broker takes; the dead letter keeps what fits. */
    OUTPUT_TOO_LARGE,
    /**
     * Under event-time model selection: the event's record timestamp is earlier than the publish time of every valid,
     * unretired version of its model, so no version was being served when it happened. (With no such version at all,
     * the reason is {@code MODEL_NOT_FOUND}.)
     */
    NO_MODEL_AT_EVENT_TIME,
    /** An unexpected exception while scoring; a bug, routed by the processing exception handler. */
    INTERNAL_ERROR,
    /**
     * A record on the labels topic that is not a label: null, not JSON, no {@code eventId}, or a {@code label} outside
     * 0/1, true/false, 0.0/1.0 (docs/outcomes.md).
     */
    LABEL_MALFORMED,
    /**
     * A label whose time (its record timestamp) is more than the label window after its event's timestamp: the score
     * it labels has been, or will be, counted as expired unlabelled.
     */
    LABEL_LATE,
    /** A second label for an event that already has one (joined or held): the first label counts. */
    LABEL_DUPLICATE,
    /**
     * A label for which no score of its event came within the label window (the event id was never scored in this
     * partition: unknown, dead-lettered, keyed differently from its feature event, or scored too long ago).
     */
    LABEL_UNKNOWN_EVENT
}
