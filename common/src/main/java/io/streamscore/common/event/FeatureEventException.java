package io.streamscore.common.event;

import java.util.Objects;

/**
 * A feature event that cannot be used, with a stable {@link ReasonCode} and a message for humans.
 *
 * <p>Thrown only inside the parser and caught by its caller (the scorer turns it into a dead letter), so it carries no
 * stack trace: bad input is expected on a stream and must not cost a stack walk per record.
 */
public final class FeatureEventException extends Exception {
    private static final long serialVersionUID = 1L;
    private final ReasonCode reason;

    public FeatureEventException(ReasonCode reason, String message) {
        super(message, null, false, false);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public ReasonCode reason() {
        return reason;
    }
}
