package io.streamscore.trainer.optim;

/**
 * Sums one chunk of the training pass: the log-loss and the gradient Σ (σ(z_i) − y_i)·(1, x_i) over its rows. The
 * chunk is stored in 8-row tiles, {@code tiles[(g·k + j)·8 + lane]} = feature j of row 8g + lane, so that one SIMD
 * register holds one feature of 8 rows and every read is sequential; labels likewise, {@code y[8g + lane]}.
 *
 * <p>Every kernel computes exactly the same sums, bit for bit: per row z = b + Σ_j θ_j·x_j left to right, then
 * e = e^(−|z|) ({@link KernelMath#expNonPositive}), σ − y with σ = 1/(1+e) for z ≥ 0 and e/(1+e) otherwise, the loss
 * max(z, 0) − y·z + log(1+e) ({@link KernelMath#log1pUnit}); each sum accumulated in 8 partial sums by row mod 8,
 * rows in order (padding rows add exact zeros), and the 8 added as ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7)).
 * Multiplications and additions are separate roundings (no fused multiply-add), so a scalar loop can reproduce the
 * vector one exactly.
 */
public interface PassKernel {
    /** Rows per tile. */
    int TILE = 8;
    /** Rows a kernel takes through each stage (logits, exponentials, residuals, gradient) at a time. */
    int BLOCK_ROWS = 8 * TILE;

    /**
     * @param tiles    the chunk's features, tiled; padding rows hold zeros
     * @param y        the chunk's labels, tiled; padding rows hold zeros
     * @param rows     the chunk's rows (padding excluded)
     * @param k        features per row
     * @param theta    (b, w_1 … w_k)
     * @param withLoss whether to compute the loss (its logarithm is a third of a row's cost); 0 is reported without it
     * @param scratch  at least {@link #scratchSize}(k) doubles the kernel may overwrite; one per thread
     * @param out      receives [loss, ∂b, ∂w_1 … ∂w_k]
     */
    void sumChunk(double[] tiles, double[] y, int rows, int k, double[] theta, boolean withLoss, double[] scratch,
                  double[] out);

    /** A short name for benchmarks and logs. */
    String description();

    /**
     * Scratch layout: 8 partial sums each of the loss, ∂b and ∂w_1 … ∂w_k (row mod 8 picks the partial sum), then the
     * block's z, e^(−|z|) and residuals.
     */
    static int scratchSize(int k) {
        return residualOffset(k) + BLOCK_ROWS;
    }

    static int zOffset(int k) {
        return (k + 2) * TILE;
    }

    static int eOffset(int k) {
        return zOffset(k) + BLOCK_ROWS;
    }

    static int residualOffset(int k) {
        return eOffset(k) + BLOCK_ROWS;
    }

    /** ((s0+s1)+(s2+s3))+((s4+s5)+(s6+s7)) over 8 partial sums starting at {@code from}. */
    static double sumLanes(double[] partial, int from) {
        return ((partial[from] + partial[from + 1]) + (partial[from + 2] + partial[from + 3]))
                + ((partial[from + 4] + partial[from + 5]) + (partial[from + 6] + partial[from + 7]));
    }
}
