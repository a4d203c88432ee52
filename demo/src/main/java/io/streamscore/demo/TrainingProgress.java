package io.streamscore.demo;

import io.streamscore.trainer.optim.ProgressListener;

import java.util.Locale;

/** Shows training as it goes: the loss after iterations 1, 10, 100, 1000, … (log-spaced, so a short run shows too). */
final class TrainingProgress implements ProgressListener {
    private final Console console;
    private int next = 1;

    TrainingProgress(Console console) {
        this.console = console;
    }

    @Override
    public void onIteration(int iteration, int maxIterations, double objective) {
        if (iteration == next) {
            console.line(String.format(Locale.ROOT, "      iteration %,6d/%,d  loss %.6f", iteration, maxIterations, objective));
            next *= 10;
        }
    }
}
