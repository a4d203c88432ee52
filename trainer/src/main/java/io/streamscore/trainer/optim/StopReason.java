package io.streamscore.trainer.optim;

/**
 * Why an optimizer stopped. Only {@link #CONVERGED} claims the optimum, and it is given only when the gradient is
 * within the gradient tolerance; every other reason means the gradient was still above it.
 */
public enum StopReason {
    /** Every gradient component is within the gradient tolerance: a stationary point, the optimum of this convex loss. */
    CONVERGED("converged: every gradient component is within the gradient tolerance"),
    /** The iteration budget ran out first. */
    MAX_ITERATIONS("the iteration limit was reached (not converged)"),
    /**
     * A step lowered the objective by less than the tolerance while the gradient was still large: progress had
     * become too slow to continue (typically a learning rate halved too far, or unscaled features), not an optimum.
     */
    STALLED("the loss fell by less than the tolerance but the gradient is still above the gradient tolerance"
            + " (not converged)"),
    /** No step lowers the objective any more at double precision, yet the gradient is above the gradient tolerance. */
    STEP_UNDERFLOW("no step lowers the loss at double precision (not converged: the gradient is above the gradient"
            + " tolerance)");

    private final String description;

    StopReason(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }

    /** Whether the run may claim the optimum. */
    public boolean converged() {
        return this == CONVERGED;
    }
}
