package io.streamscore.trainer.optim;

import java.util.ArrayList;
import java.util.List;

/**
 * What an optimizer leaves behind, iteration by iteration: the objective, ‖w‖, and (for data narrow enough to plot)
 * θ itself; and the progress listener it keeps informed. Index 0 is the starting point.
 */
final class IterationLog {
    private final int maxIterations;
    private double[] objective;
    private double[] weightNorm;
    private final List<double[]> thetas;
    private final ProgressListener progress;
    private int iterations;

    /**
     * @param keepThetas whether to keep θ at every iteration (for decision-boundary snapshots)
     */
    IterationLog(int maxIterations, boolean keepThetas, ProgressListener progress) {
        this.maxIterations = maxIterations;
        // Grown as iterations happen: a budget of 2 billion iterations that converges in 20 allocates for 20.
        int capacity = (int) Math.min(maxIterations + 1L, 1024);
        this.objective = new double[capacity];
        this.weightNorm = new double[capacity];
        this.thetas = keepThetas ? new ArrayList<>() : null;
        this.progress = progress;
    }

    void start(double f, double[] theta) {
        objective[0] = f;
        weightNorm[0] = norm(theta);
        if (thetas != null) {
            thetas.add(theta.clone());
        }
    }

    /** Records the state after one more iteration and tells the listener. */
    void record(double f, double[] theta) {
        iterations++;
        if (iterations == objective.length) {
            int grown = (int) Math.min(2L * objective.length, maxIterations + 1L);
            objective = java.util.Arrays.copyOf(objective, grown);
            weightNorm = java.util.Arrays.copyOf(weightNorm, grown);
        }
        objective[iterations] = f;
        weightNorm[iterations] = norm(theta);
        if (thetas != null) {
            thetas.add(theta.clone());
        }
        progress.onIteration(iterations, maxIterations, f);
    }

    boolean budgetLeft() {
        return iterations < maxIterations;
    }

    int iterations() {
        return iterations;
    }

    double objectiveAt(int iteration) {
        return objective[iteration];
    }

    double weightNormAt(int iteration) {
        return weightNorm[iteration];
    }

    /** θ after {@code iteration} iterations; only when θ was kept. */
    double[] thetaAt(int iteration) {
        return thetas.get(iteration).clone();
    }

    boolean keptThetas() {
        return thetas != null;
    }

    double[] objectiveHistory() {
        return java.util.Arrays.copyOf(objective, iterations + 1);
    }

    /** ‖w‖, the intercept θ[0] left out (it is not penalized and does not grow on separable data). */
    static double norm(double[] theta) {
        double s = 0;
        for (int j = 1; j < theta.length; j++) {
            s += theta[j] * theta[j];
        }
        return Math.sqrt(s);
    }
}
