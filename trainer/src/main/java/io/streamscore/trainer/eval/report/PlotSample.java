package io.streamscore.trainer.eval.report;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Which rows a scatter plot draws: all of them up to a limit, else a fixed-seed uniform sample, so the same data give
 * the same picture on every run and a chart never has to draw millions of points.
 */
final class PlotSample {
    static final int MAX_POINTS = 5_000;
    /** Fixed, not the training seed: the picture should not change when only the training seed does. */
    private static final long SEED = 20_240_501L;

    private PlotSample() {
    }

    /** Row indices in ascending order: all {@code rows} when there are at most {@code max}, else {@code max} of them. */
    static int[] indices(int rows, int max) {
        int[] all = new int[rows];
        for (int i = 0; i < rows; i++) {
            all[i] = i;
        }
        if (rows <= max) {
            return all;
        }
        // Partial Fisher–Yates: the first max slots end up a uniform sample without replacement.
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < max; i++) {
            int j = i + random.nextInt(rows - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] sample = Arrays.copyOf(all, max);
        Arrays.sort(sample);
        return sample;
    }

    /** A small offset for one row in [−spread, spread], the same on every run, to pull apart points drawn on one line. */
    static double jitter(int row, double spread) {
        return (new SplittableRandom(SEED + row).nextDouble() * 2 - 1) * spread;
    }
}
