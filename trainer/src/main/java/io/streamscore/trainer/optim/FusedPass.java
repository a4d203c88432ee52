package io.streamscore.trainer.optim;

import io.streamscore.common.Standardization;
import io.streamscore.trainer.data.Dataset;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One pass over the data that computes, for parameters θ = (b, w), the summed log-loss and the summed gradient
 * Σ (σ(z_i) − y_i)·(1, x_i) together, so the data is read once per iteration.
 *
 * <p>The pass keeps its own copy of the features (standardized, when a standardization is given) in the layout its
 * kernel reads fastest: chunks of rows, each stored as 8-row tiles ({@link PassKernel}), so that SIMD registers load
 * 8 rows' values of one feature with one sequential read. The kernel is the SIMD one where the Vector API is available
 * and the scalar one otherwise ({@link PassKernels}); both give the same bits.
 *
 * <p>Determinism: rows are cut into fixed-size chunks (the size depends only on the number of features) whatever the
 * thread count; each chunk is summed in a fixed order into its own slot and the slots are added in chunk order. So
 * the sums, and every model trained from them, are bit-identical on 1 thread and on many. Each worker accumulates in
 * memory it allocated itself and writes a chunk's result once, so threads never write the same cache line inside the
 * hot loop.
 */
public final class FusedPass implements AutoCloseable {
    /** The most rows in a chunk: large enough to amortize the per-chunk overhead, small enough to balance 2–64 cores. */
    static final int CHUNK_ROWS = 8192;
    /** The most values in a chunk, so that very wide data still cuts into several chunks of bounded size. */
    private static final int CHUNK_VALUES = 1 << 20;

    private final int rows;
    private final int cols;
    private final int chunkRows;
    private final int chunks;
    /** Per chunk: its features in 8-row tiles, and its labels in tile order. */
    private final double[][] tiles;
    private final double[][] labels;
    /** Per chunk: [loss, ∂b, ∂w_1 … ∂w_cols]. */
    private final double[][] chunkSums;
    private final ExecutorService pool;
    private final int workers;
    /** The kernel every pass runs; null for {@link PassKernels#current()}, which turns SIMD once that is warm. */
    private final PassKernel kernel;

    public FusedPass(Dataset data, int threads) {
        this(data, null, threads, null);
    }

    /**
     * @param standardization applied to every value as the pass copies the data in; null for none
     */
    FusedPass(Dataset data, Standardization standardization, int threads) {
        this(data, standardization, threads, null);
    }

    /**
     * @param kernel the kernel for every pass; null to start with the scalar one and turn to SIMD once it is warm
     */
    public FusedPass(Dataset data, Standardization standardization, int threads, PassKernel kernel) {
        if (kernel == null) {
            WarmUp.startInBackground();
        }
        this.rows = data.rows();
        this.cols = data.cols();
        this.kernel = kernel;
        this.chunkRows = chunkRows(cols);
        this.chunks = (rows + chunkRows - 1) / chunkRows;
        this.tiles = new double[chunks][];
        this.labels = new double[chunks][];
        this.chunkSums = new double[chunks][];
        this.workers = Math.max(1, Math.min(threads, chunks));
        this.pool = workers > 1 ? Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "trainer-pass");
            t.setDaemon(true);
            return t;
        }) : null;
        double[] mean = standardization == null ? null : standardization.mean();
        double[] std = standardization == null ? null : standardization.std();
        forEachChunk(c -> copyIn(c, data.features(), data.labels(), mean, std));
    }

    /** Rows per chunk for data this wide: a multiple of the tile height, at most {@link #CHUNK_ROWS}. */
    static int chunkRows(int cols) {
        int byValues = CHUNK_VALUES / cols / PassKernel.TILE * PassKernel.TILE;
        return Math.max(PassKernel.TILE, Math.min(CHUNK_ROWS, byValues));
    }

    int rows() {
        return rows;
    }

    /** The kernel the next pass runs, for benchmarks. */
    PassKernel kernel() {
        return kernel != null ? kernel : PassKernels.current();
    }

    /** Copies chunk {@code c} of the row-major data into its tiles, standardizing on the way. */
    private void copyIn(int c, double[] x, double[] y, double[] mean, double[] std) {
        int from = c * chunkRows;
        int n = Math.min(rows, from + chunkRows) - from;
        int padded = (n + PassKernel.TILE - 1) / PassKernel.TILE * PassKernel.TILE;
        double[] t = new double[padded * cols];
        double[] l = new double[padded];
        for (int r = 0; r < n; r++) {
            int g = r / PassKernel.TILE;
            int lane = r % PassKernel.TILE;
            int src = (from + r) * cols;
            int dst = g * cols * PassKernel.TILE + lane;
            if (mean == null) {
                for (int j = 0; j < cols; j++) {
                    t[dst + j * PassKernel.TILE] = x[src + j];
                }
            } else {
                for (int j = 0; j < cols; j++) {
                    t[dst + j * PassKernel.TILE] = (x[src + j] - mean[j]) / std[j];
                }
            }
            l[r] = y[from + r];
        }
        tiles[c] = t;
        labels[c] = l;
    }

    /**
     * @param theta    (b, w_1 … w_cols)
     * @param gradient receives Σ (σ(z_i) − y_i)·(1, x_i), length cols + 1
     * @return Σ log-loss over the rows
     */
    public double evaluate(double[] theta, double[] gradient) {
        return evaluate(theta, gradient, true);
    }

    /**
     * @param withLoss false to skip the loss (about a third of a row's arithmetic) when only the gradient is wanted
     * @return Σ log-loss over the rows; 0 without the loss
     */
    public double evaluate(double[] theta, double[] gradient, boolean withLoss) {
        PassKernel kernel = kernel();
        forEachChunk((int c, double[] scratch) -> {
            double[] out = new double[cols + 2];
            kernel.sumChunk(tiles[c], labels[c], Math.min(chunkRows, rows - c * chunkRows), cols, theta, withLoss,
                    scratch, out);
            chunkSums[c] = out;
        });
        double loss = 0.0;
        java.util.Arrays.fill(gradient, 0.0);
        for (int c = 0; c < chunks; c++) {
            double[] s = chunkSums[c];
            loss += s[0];
            for (int j = 0; j <= cols; j++) {
                gradient[j] += s[j + 1];
            }
        }
        return loss;
    }

    /** Whether every row lies on its own label's side of the boundary θ with a positive margin. */
    boolean separates(double[] theta) {
        for (int c = 0; c < chunks; c++) {
            double[] t = tiles[c];
            int n = Math.min(chunkRows, rows - c * chunkRows);
            for (int r = 0; r < n; r++) {
                int base = r / PassKernel.TILE * cols * PassKernel.TILE + r % PassKernel.TILE;
                double z = theta[0];
                for (int j = 0; j < cols; j++) {
                    z = z + t[base + j * PassKernel.TILE] * theta[j + 1];
                }
                double margin = labels[c][r] == 1.0 ? z : -z;
                if (!(margin > 0)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Work on one chunk with the calling worker's own scratch memory. */
    private interface ChunkTask {
        void run(int chunk, double[] scratch);
    }

    private void forEachChunk(java.util.function.IntConsumer task) {
        forEachChunk((c, scratch) -> task.accept(c));
    }

    /** Runs the task on every chunk, spread over the workers; returns when all are done. */
    private void forEachChunk(ChunkTask task) {
        if (pool == null) {
            double[] scratch = new double[PassKernel.scratchSize(cols)];
            for (int c = 0; c < chunks; c++) {
                task.run(c, scratch);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> futures = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            futures.add(pool.submit(() -> {
                double[] scratch = new double[PassKernel.scratchSize(cols)];
                for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                    task.run(c, scratch);
                }
            }));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("training interrupted", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException("a training pass failed", e.getCause());
            }
        }
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
