package io.streamscore.common.outcome;

/**
 * A record on the labels topic that is not a label (not JSON, no event id, a label value outside the grammar, …), with
 * a message for humans. The scorer dead-letters such a record as {@code LABEL_MALFORMED}.
 *
 * <p>Carries no stack trace: bad input is expected on a stream and must not cost a stack walk per record.
 */
public final class LabelException extends Exception {
    private static final long serialVersionUID = 1L;

    public LabelException(String message) {
        super(message, null, false, false);
    }
}
