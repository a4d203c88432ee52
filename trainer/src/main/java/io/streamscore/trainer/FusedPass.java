package io.streamscore.trainer;

import io.streamscore.common.LogisticMath;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One pass over the data that computes, for parameters θ = (b, w), the summed log-loss and the summed gradient
 * Σ (σ(z_i) − y_i)·(1, x_i) together, row by row, so the data is read once per iteration.
 *
 * <p>Determinism: rows are cut into fixed {@link #CHUNK_ROWS}-row chunks whatever the thread count; each chunk is
 * summed left to right into its own slot and the slots are added in chunk order. So the sums, and every model trained
 * from them, are bit-identical on 1 thread and on many. Each worker accumulates in arrays it allocated itself and
 * writes a chunk's result once, so threads never write the same cache line inside the hot loop.
 */
final class FusedPass implements AutoCloseable {
    /** Large enough to amortize the per-chunk overhead, small enough to balance 2–64 cores on 1M rows. */
    static final int CHUNK_ROWS = 8192;

    private final double[] x;
    private final double[] y;
    private final int rows;
    private final int cols;
    private final int chunks;
    /** Per chunk: [loss, ∂b, ∂w_1 … ∂w_cols]. */
    private final double[][] chunkSums;
    private final ExecutorService pool;
    private final int workers;

    FusedPass(Dataset data, int threads) {
        this.x = data.features();
        this.y = data.labels();
        this.rows = data.rows();
        this.cols = data.cols();
        this.chunks = (rows + CHUNK_ROWS - 1) / CHUNK_ROWS;
        this.chunkSums = new double[chunks][];
        this.workers = Math.max(1, Math.min(threads, chunks));
        this.pool = workers > 1 ? Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "trainer-pass");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    int rows() {
        return rows;
    }

    /**
     * @param theta    (b, w_1 … w_cols)
     * @param gradient receives Σ (σ(z_i) − y_i)·(1, x_i), length cols + 1
     * @return Σ log-loss over the rows
     */
    double evaluate(double[] theta, double[] gradient) {
        if (pool == null) {
            double[] scratch = new double[cols + 2];
            for (int c = 0; c < chunks; c++) {
                chunkSums[c] = sumChunk(c, theta, scratch);
            }
        } else {
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> futures = new ArrayList<>(workers);
            for (int w = 0; w < workers; w++) {
                futures.add(pool.submit(() -> {
                    double[] scratch = new double[cols + 2];
                    for (int c = next.getAndIncrement(); c < chunks; c = next.getAndIncrement()) {
                        chunkSums[c] = sumChunk(c, theta, scratch);
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

    /** Sums one chunk into {@code acc} (zeroed here) and returns a copy that the caller may keep. */
    private double[] sumChunk(int chunk, double[] theta, double[] acc) {
        java.util.Arrays.fill(acc, 0.0);
        final int from = chunk * CHUNK_ROWS;
        final int to = Math.min(rows, from + CHUNK_ROWS);
        final int k = cols;
        final double b = theta[0];
        double loss = 0.0;
        double gb = 0.0;
        for (int i = from; i < to; i++) {
            final int off = i * k;
            // Four partial sums break the add-latency chain of a plain dot product (about twice as fast at k = 20);
            // the summation order is fixed, so results stay reproducible.
            double z0 = 0.0;
            double z1 = 0.0;
            double z2 = 0.0;
            double z3 = 0.0;
            int j = 0;
            for (; j + 3 < k; j += 4) {
                z0 += theta[j + 1] * x[off + j];
                z1 += theta[j + 2] * x[off + j + 1];
                z2 += theta[j + 3] * x[off + j + 2];
                z3 += theta[j + 4] * x[off + j + 3];
            }
            for (; j < k; j++) {
                z0 += theta[j + 1] * x[off + j];
            }
            final double z = b + ((z0 + z1) + (z2 + z3));
            // σ(z) and the loss share e = e^(−|z|): the same stable forms as LogisticMath.sigmoid/logLossFromLogit,
            // with one exponential instead of two.
            final double e = Math.exp(-Math.abs(z));
            final double p = z >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
            final double yi = y[i];
            loss += Math.max(z, 0.0) - yi * z + LogisticMath.log1p(e);
            final double r = p - yi;
            gb += r;
            for (int c = 0; c < k; c++) {
                acc[c + 2] += r * x[off + c];
            }
        }
        acc[0] = loss;
        acc[1] = gb;
        return acc.clone();
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
