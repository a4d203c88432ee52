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

    /**
     * Sums one chunk into {@code acc} (zeroed here) and returns a copy that the caller may keep. Rows go two at a
     * time: the two rows' dot products, exponentials and logarithms are independent, so the CPU overlaps their
     * latencies (measured ~16% faster than one row at a time at 20 features). Chunks have an even row count, so the
     * pairing, and with it every rounding, is the same whatever the thread count.
     *
     * <p>Per row: e = e^(−|z|), u = 1+e; σ(z) − y with σ in {@link LogisticMath#sigmoid}'s stable form (1/u for
     * z ≥ 0, e/u otherwise) and the loss of {@link LogisticMath#logLossFromLogit}, max(z,0) − y·z + log1p(e), where
     * log1p(e) = log(u) + (e − (u−1))/u: the second term puts back what rounding u lost (within 1 ulp of
     * Math.log1p, which is much slower). So a row costs one exp, one log and one division.
     */
    private double[] sumChunk(int chunk, double[] theta, double[] acc) {
        java.util.Arrays.fill(acc, 0.0);
        final int from = chunk * CHUNK_ROWS;
        final int to = Math.min(rows, from + CHUNK_ROWS);
        final int k = cols;
        final double b = theta[0];
        double loss = 0.0;
        double gb = 0.0;
        int i = from;
        for (; i + 1 < to; i += 2) {
            final int oa = i * k;
            final int ob = oa + k;
            double a0 = 0.0;
            double a1 = 0.0;
            double b0 = 0.0;
            double b1 = 0.0;
            int j = 0;
            for (; j + 1 < k; j += 2) {
                final double t0 = theta[j + 1];
                final double t1 = theta[j + 2];
                a0 += t0 * x[oa + j];
                a1 += t1 * x[oa + j + 1];
                b0 += t0 * x[ob + j];
                b1 += t1 * x[ob + j + 1];
            }
            if (j < k) {
                a0 += theta[j + 1] * x[oa + j];
                b0 += theta[j + 1] * x[ob + j];
            }
            final double za = b + (a0 + a1);
            final double zb = b + (b0 + b1);
            final double ya = y[i];
            final double yb = y[i + 1];
            final double ea = Math.exp(-Math.abs(za));
            final double eb = Math.exp(-Math.abs(zb));
            final double ua = 1.0 + ea;
            final double ub = 1.0 + eb;
            final double ia = 1.0 / ua;
            final double ib = 1.0 / ub;
            final double ra = (za >= 0 ? ia : ea * ia) - ya;
            final double rb = (zb >= 0 ? ib : eb * ib) - yb;
            loss += (Math.max(za, 0.0) - ya * za + (Math.log(ua) + (ea - (ua - 1.0)) * ia))
                    + (Math.max(zb, 0.0) - yb * zb + (Math.log(ub) + (eb - (ub - 1.0)) * ib));
            gb += ra + rb;
            for (int c = 0; c < k; c++) {
                acc[c + 2] += ra * x[oa + c] + rb * x[ob + c];
            }
        }
        if (i < to) {
            final int oa = i * k;
            double a0 = 0.0;
            for (int j = 0; j < k; j++) {
                a0 += theta[j + 1] * x[oa + j];
            }
            final double za = b + a0;
            final double ea = Math.exp(-Math.abs(za));
            final double ua = 1.0 + ea;
            final double ia = 1.0 / ua;
            final double ra = (za >= 0 ? ia : ea * ia) - y[i];
            loss += Math.max(za, 0.0) - y[i] * za + (Math.log(ua) + (ea - (ua - 1.0)) * ia);
            gb += ra;
            for (int c = 0; c < k; c++) {
                acc[c + 2] += ra * x[oa + c];
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
