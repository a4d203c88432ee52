package io.streamscore.trainer.cli;

import io.streamscore.trainer.optim.ProgressListener;

import java.io.PrintWriter;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar on a terminal ({@code [#####.....]  42%  iteration 2100/5000  loss 0.2311}), redrawn at
 * most every 100 ms; where the output is not a terminal (a CI log), one plain line per 10% instead.
 */
public final class ProgressBar implements ProgressListener {
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final boolean terminal;
    private final LongSupplier nanoTime;
    private long lastDraw = Long.MIN_VALUE;
    private int lastDecile = -1;

    public ProgressBar(PrintWriter out, boolean terminal, LongSupplier nanoTime) {
        this.out = out;
        this.terminal = terminal;
        this.nanoTime = nanoTime;
    }

    @Override
    public void onIteration(int iteration, int maxIterations, double objective) {
        double fraction = (double) iteration / maxIterations;
        if (terminal) {
            long now = nanoTime.getAsLong();
            if (now - lastDraw < REDRAW_NANOS && iteration != maxIterations) {
                return;
            }
            lastDraw = now;
            int filled = (int) Math.round(fraction * WIDTH);
            out.printf("\r[%s%s] %3d%%  iteration %d/%d  loss %.6g ", "#".repeat(filled), ".".repeat(WIDTH - filled),
                    Math.round(fraction * 100), iteration, maxIterations, objective);
        } else {
            int decile = (int) (fraction * 10);
            if (decile == lastDecile) {
                return;
            }
            lastDecile = decile;
            out.printf("training: iteration %d/%d, loss %.6g%n", iteration, maxIterations, objective);
        }
        out.flush();
    }

    /** Ends the bar's line once training is over (it may stop before the last iteration). */
    public void finish(int iteration, int maxIterations, double objective) {
        if (terminal) {
            lastDraw = Long.MIN_VALUE;
            onIteration(iteration, maxIterations, objective);
            out.println();
            out.flush();
        }
    }
}
