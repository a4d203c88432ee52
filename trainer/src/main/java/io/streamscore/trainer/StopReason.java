package io.streamscore.trainer;

/** Why gradient descent stopped. */
public enum StopReason {
    /** A step lowered the objective by less than the tolerance: the documents' stopping rule. */
    CONVERGED("the loss improved by less than the tolerance"),
    /** The iteration budget ran out first. */
    MAX_ITERATIONS("the iteration limit was reached"),
    /** No step lowers the objective any more: a minimum to double precision. */
    STEP_UNDERFLOW("the loss cannot be lowered further at double precision");

    private final String description;

    StopReason(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
