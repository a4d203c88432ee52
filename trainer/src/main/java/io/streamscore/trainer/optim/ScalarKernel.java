package io.streamscore.trainer.optim;

import static io.streamscore.trainer.optim.KernelMath.expNonPositive;
import static io.streamscore.trainer.optim.KernelMath.log1pUnit;

/**
 * The pass kernel without SIMD: the fallback where the Vector API is not available, and the reference the SIMD
 * kernel must match bit for bit. It goes through a block of rows stage by stage (all logits, then all exponentials,
 * ...) rather than row by row, so the CPU overlaps the rows' long dependency chains: about twice as fast.
 */
final class ScalarKernel implements PassKernel {

    @Override
    public void sumChunk(double[] tiles, double[] y, int rows, int k, double[] theta, boolean withLoss,
                         double[] scratch, double[] out) {
        java.util.Arrays.fill(scratch, 0, PassKernel.scratchSize(k), 0.0);
        final int zAt = PassKernel.zOffset(k);
        final int eAt = PassKernel.eOffset(k);
        final int resAt = PassKernel.residualOffset(k);
        for (int from = 0; from < rows; from += BLOCK_ROWS) {
            final int blockRows = Math.min(BLOCK_ROWS, rows - from);
            final int paddedRows = (blockRows + TILE - 1) / TILE * TILE;
            final int base = from * k;
            for (int r = 0; r < paddedRows; r++) {
                scratch[zAt + r] = theta[0];
            }
            for (int g = 0; g < paddedRows; g += TILE) {
                final int at = base + g * k;
                for (int j = 0; j < k; j++) {
                    final double w = theta[j + 1];
                    for (int lane = 0; lane < TILE; lane++) {
                        scratch[zAt + g + lane] = scratch[zAt + g + lane] + tiles[at + j * TILE + lane] * w;
                    }
                }
            }
            for (int r = 0; r < paddedRows; r++) {
                scratch[eAt + r] = expNonPositive(-Math.abs(scratch[zAt + r]));
            }
            for (int r = 0; r < paddedRows; r++) {
                final double z = scratch[zAt + r];
                final double e = scratch[eAt + r];
                final double inv = 1.0 / (1.0 + e);
                final double yi = y[from + r];
                final boolean real = r < blockRows;
                final double residual = real ? (z >= 0 ? inv : e * inv) - yi : 0.0;
                scratch[resAt + r] = residual;
                scratch[TILE + r % TILE] += residual;
                if (withLoss) {
                    scratch[r % TILE] += real ? (Math.max(z, 0.0) - yi * z) + log1pUnit(e) : 0.0;
                }
            }
            for (int g = 0; g < paddedRows; g += TILE) {
                final int at = base + g * k;
                for (int j = 0; j < k; j++) {
                    final int accAt = (j + 2) * TILE;
                    for (int lane = 0; lane < TILE; lane++) {
                        scratch[accAt + lane] += scratch[resAt + g + lane] * tiles[at + j * TILE + lane];
                    }
                }
            }
        }
        for (int q = 0; q < k + 2; q++) {
            out[q] = PassKernel.sumLanes(scratch, q * TILE);
        }
    }

    @Override
    public String description() {
        return "scalar";
    }
}
