package io.streamscore.trainer.optim;

/** How the trainer minimizes the objective. */
public enum Solver {
    /** Batch gradient descent with a fixed learning rate, as specified (halved only on overshoot). */
    GD,
    /** L-BFGS with a backtracking line search: far fewer passes on ill-conditioned data; ignores the learning rate. */
    LBFGS
}
