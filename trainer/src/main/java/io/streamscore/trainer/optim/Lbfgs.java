package io.streamscore.trainer.optim;

import io.streamscore.common.LogisticMath;

/**
 * Limited-memory BFGS (Nocedal & Wright, "Numerical Optimization", 2nd ed., algorithms 7.4 and 7.5) with a
 * backtracking Armijo line search: a quasi-Newton method that builds a curvature estimate from the last
 * {@link #MEMORY} steps, so on ill-conditioned data it needs tens of passes where plain gradient descent needs
 * thousands. Same objective, same starting point and same {@link StoppingRule} as gradient descent; only the steps
 * differ. Deterministic: no randomness, fixed summation order.
 *
 * <p>When the line search finds no acceptable step along the quasi-Newton direction (a curvature estimate gone stale
 * can point almost across the valley), the memory is dropped and the search repeated along the steepest-descent
 * direction; only when that fails too does it give up.
 */
final class Lbfgs {
    static final int MEMORY = 10;
    /** Armijo's sufficient-decrease constant (the usual 1e-4). */
    private static final double C1 = 1e-4;
    static final int MAX_BACKTRACKS = 50;

    private Lbfgs() {
    }

    /**
     * Minimizes {@code f} from {@code theta} (overwritten with the result).
     *
     * @param f0       f(theta), already evaluated
     * @param gradient ∇f(theta), already evaluated; overwritten, and on return ∇f at the returned theta
     */
    static StopReason minimize(Objective f, double[] theta, double[] gradient, double f0, StoppingRule rule,
                               IterationLog log) {
        if (rule.converged(gradient)) {
            return StopReason.CONVERGED;
        }
        int n = theta.length;
        double[][] s = new double[MEMORY][n];
        double[][] y = new double[MEMORY][n];
        double[] rho = new double[MEMORY];
        double[] alpha = new double[MEMORY];
        int stored = 0;
        int newest = -1;
        double[] direction = new double[n];
        double[] candidate = new double[n];
        double[] candidateGradient = new double[n];
        double[] sNew = new double[n];
        double[] yNew = new double[n];
        double fx = f0;
        while (log.budgetLeft()) {
            // Two-loop recursion: direction = −H·g, with H0 = γI, γ = sᵀy / yᵀy of the newest pair.
            System.arraycopy(gradient, 0, direction, 0, n);
            for (int i = 0; i < stored; i++) {
                int slot = Math.floorMod(newest - i, MEMORY);
                alpha[slot] = rho[slot] * dot(s[slot], direction);
                axpy(-alpha[slot], y[slot], direction);
            }
            double gamma = stored == 0 ? 1.0 / Math.max(1.0, Math.sqrt(dot(gradient, gradient)))
                    : dot(s[newest], y[newest]) / dot(y[newest], y[newest]);
            scale(gamma, direction);
            for (int i = stored - 1; i >= 0; i--) {
                int slot = Math.floorMod(newest - i, MEMORY);
                double beta = rho[slot] * dot(y[slot], direction);
                axpy(alpha[slot] - beta, s[slot], direction);
            }
            scale(-1.0, direction);
            double slope = dot(gradient, direction);
            if (!(slope < 0)) {
                // Not a descent direction (curvature estimate gone stale): restart from steepest descent.
                stored = 0;
                steepestDescent(gradient, direction);
                slope = dot(gradient, direction);
                if (!(slope < 0)) {
                    log.record(fx, theta);
                    return rule.noDescent(gradient); // zero gradient: a stationary point
                }
            }
            double step = 1.0;
            double fNew = Double.NaN;
            boolean accepted = false;
            for (int b = 0; b < MAX_BACKTRACKS; b++) {
                for (int j = 0; j < n; j++) {
                    candidate[j] = theta[j] + step * direction[j];
                }
                fNew = f.evaluate(candidate, candidateGradient);
                if (fNew <= fx + C1 * step * slope) {
                    accepted = true;
                    break;
                }
                step /= 2;
            }
            if (!accepted || !(fNew <= fx)) {
                if (stored > 0) {
                    // Drop the curvature estimate and search again along −∇f before giving up.
                    stored = 0;
                    continue;
                }
                log.record(fx, theta);
                return rule.noDescent(gradient);
            }
            double sy = 0;
            double yy = 0;
            for (int j = 0; j < n; j++) {
                sNew[j] = candidate[j] - theta[j];
                yNew[j] = candidateGradient[j] - gradient[j];
                sy += sNew[j] * yNew[j];
                yy += yNew[j] * yNew[j];
            }
            // Keep the pair only if it carries positive curvature; otherwise H would stop being positive definite.
            if (sy > 1e-12 * yy) {
                int slot = (newest + 1) % MEMORY;
                System.arraycopy(sNew, 0, s[slot], 0, n);
                System.arraycopy(yNew, 0, y[slot], 0, n);
                rho[slot] = 1.0 / sy;
                newest = slot;
                stored = Math.min(stored + 1, MEMORY);
            }
            double fall = fx - fNew;
            System.arraycopy(candidate, 0, theta, 0, n);
            System.arraycopy(candidateGradient, 0, gradient, 0, n);
            fx = fNew;
            log.record(fx, theta);
            StopReason reason = rule.afterStep(fall, fx, gradient);
            if (reason != null) {
                return reason;
            }
        }
        return StopReason.MAX_ITERATIONS;
    }

    /** −∇f scaled to length at most 1, so the first trial step cannot leap far on a steep start. */
    private static void steepestDescent(double[] gradient, double[] direction) {
        double scale = 1.0 / Math.max(1.0, Math.sqrt(dot(gradient, gradient)));
        for (int j = 0; j < gradient.length; j++) {
            direction[j] = -gradient[j] * scale;
        }
    }

    private static double dot(double[] a, double[] b) {
        return LogisticMath.dot(a, b, a.length);
    }

    private static void axpy(double a, double[] x, double[] y) {
        for (int i = 0; i < x.length; i++) {
            y[i] += a * x[i];
        }
    }

    private static void scale(double a, double[] x) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= a;
        }
    }
}
