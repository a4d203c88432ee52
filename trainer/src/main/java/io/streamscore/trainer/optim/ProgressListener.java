package io.streamscore.trainer.optim;

/** Hears about each finished training iteration; the CLI draws a progress bar with it. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = (iteration, maxIterations, objective) -> { };

    /**
     * @param iteration     1-based number of the iteration just finished
     * @param maxIterations the most iterations the run may take (it may stop earlier on tolerance)
     * @param objective     the training objective after it
     */
    void onIteration(int iteration, int maxIterations, double objective);
}
