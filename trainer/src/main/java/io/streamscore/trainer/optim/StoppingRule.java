package io.streamscore.trainer.optim;

/**
 * When an optimizer stops and what it may claim then, shared by gradient descent and L-BFGS. A run stops on
 * whichever comes first: the gradient test (largest |∂f/∂θ_j| at most {@code gradientTolerance}: converged), the fall
 * test (a step lowered f by less than {@code tolerance}) or the rounding floor. The gradient is checked first, so a
 * run that stops on the fall of the objective with a large gradient is reported as stalled, never as converged.
 *
 * @param tolerance         stop once a step lowers the objective by less than this
 * @param gradientTolerance converged once every gradient component is at most this in magnitude
 */
record StoppingRule(double tolerance, double gradientTolerance) {
    /** A change this small relative to the loss is summation rounding: neither an overshoot nor progress. */
    static final double ROUNDING = 1e-13;

    /** Whether θ with this gradient already satisfies the gradient test. */
    boolean converged(double[] gradient) {
        return gradientNorm(gradient) <= gradientTolerance;
    }

    /**
     * Judges an accepted step.
     *
     * @param fall      how much the step lowered the objective (≥ 0)
     * @param objective the objective after it
     * @param gradient  the gradient after it
     * @return why to stop, or null to go on
     */
    StopReason afterStep(double fall, double objective, double[] gradient) {
        if (converged(gradient)) {
            return StopReason.CONVERGED;
        }
        if (fall < tolerance) {
            return StopReason.STALLED;
        }
        if (fall <= ROUNDING * Math.abs(objective)) {
            return StopReason.STEP_UNDERFLOW;
        }
        return null;
    }

    /** Why to stop when no step lowers the objective: the optimum if the gradient is small, else the rounding floor. */
    StopReason noDescent(double[] gradient) {
        return converged(gradient) ? StopReason.CONVERGED : StopReason.STEP_UNDERFLOW;
    }

    /** The largest gradient component in magnitude, ‖∇f‖∞: the norm scipy's L-BFGS-B and scikit-learn test. */
    static double gradientNorm(double[] gradient) {
        double max = 0;
        for (double g : gradient) {
            max = Math.max(max, Math.abs(g));
        }
        return max;
    }
}
