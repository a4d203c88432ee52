package io.streamscore.trainer.optim;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;

/**
 * Batch gradient descent as specified, θ ← θ − η∇f, with one safeguard beyond them: a step that would
 * raise the objective (a learning rate too large for the data) is not taken; η is halved and the step retried, with a
 * warning. Plain gradient descent is unchanged whenever η is small enough, and the objective never rises, so training
 * can never diverge to NaN. However often η is halved, the run gets one warning, which says how often and where it
 * started.
 */
final class GradientDescent {
    private static final Logger LOG = LoggerFactory.getLogger(GradientDescent.class);
    /** Below this step size no representable change to θ is left. */
    private static final double MIN_LEARNING_RATE = 1e-15;

    private GradientDescent() {
    }

    /**
     * Minimizes {@code f} from {@code theta} (overwritten with the result).
     *
     * @param f0       f(theta), already evaluated
     * @param gradient ∇f(theta), already evaluated; overwritten, and on return ∇f at the returned theta
     * @param eta      holds the initial learning rate; left at the final one
     * @param warnings receives what a user should know (the learning rate was halved)
     */
    static StopReason minimize(Objective f, double[] theta, double[] gradient, double f0, StoppingRule rule,
                               double[] eta, IterationLog log, List<String> warnings) {
        final double initial = eta[0];
        if (rule.converged(gradient)) {
            return StopReason.CONVERGED;
        }
        int n = theta.length;
        double[] candidate = new double[n];
        double[] candidateGradient = new double[n];
        double objective = f0;
        int halvings = 0;
        String firstHalving = null;
        StopReason stop = StopReason.MAX_ITERATIONS;
        while (log.budgetLeft()) {
            for (int j = 0; j < n; j++) {
                candidate[j] = theta[j] - eta[0] * gradient[j];
            }
            double next = f.evaluate(candidate, candidateGradient);
            if (!(next <= objective)) {
                log.record(objective, theta);
                if (next - objective <= StoppingRule.ROUNDING * Math.abs(objective)) {
                    // Not an overshoot but rounding: no step along the gradient helps any more.
                    stop = rule.noDescent(gradient);
                    break;
                }
                // The step overshot (or overflowed): keep θ, halve η, try again next iteration.
                String msg = String.format(Locale.ROOT,
                        "learning rate %s raised the loss at iteration %d (%.6g -> %.6g); halving it to %s",
                        eta[0], log.iterations(), objective, next, eta[0] / 2);
                if (halvings++ == 0) {
                    firstHalving = msg;
                }
                LOG.debug(msg);
                eta[0] /= 2;
                if (eta[0] < MIN_LEARNING_RATE) {
                    stop = rule.noDescent(gradient);
                    break;
                }
                continue;
            }
            double fall = objective - next;
            System.arraycopy(candidate, 0, theta, 0, n);
            System.arraycopy(candidateGradient, 0, gradient, 0, n);
            objective = next;
            log.record(objective, theta);
            StopReason reason = rule.afterStep(fall, objective, gradient);
            if (reason != null) {
                stop = reason;
                break;
            }
        }
        if (halvings == 1) {
            warnings.add(firstHalving);
        } else if (halvings > 1) {
            warnings.add(firstHalving + "; it was halved " + halvings + " times in all, ending at " + eta[0]
                    + " (started at " + initial + "); a smaller --learning-rate avoids the wasted steps");
        }
        return stop;
    }
}
