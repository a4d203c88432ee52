package io.streamscore.trainer;

/** Why gradient descent stopped. */
public enum StopReason {
    /** A step lowered the objective by less than the tolerance: the documents' stopping rule. */
    CONVERGED("the loss improved by less than the tolerance"),
    /** The iteration budget ran out first. */
    MAX_ITERATIONS("the iteration limit was reached"),
    /** Even a vanishing step could not lower the objective: a minimum to machine precision. */
    STEP_UNDERFLOW("no step, however small, lowered the loss further");

    private final String description;

    StopReason(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
