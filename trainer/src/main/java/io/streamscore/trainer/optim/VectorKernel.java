package io.streamscore.trainer.optim;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import static io.streamscore.trainer.optim.KernelMath.EXP_FLOOR;
import static io.streamscore.trainer.optim.KernelMath.INV_LN2;
import static io.streamscore.trainer.optim.KernelMath.LG1;
import static io.streamscore.trainer.optim.KernelMath.LG2;
import static io.streamscore.trainer.optim.KernelMath.LG3;
import static io.streamscore.trainer.optim.KernelMath.LG4;
import static io.streamscore.trainer.optim.KernelMath.LG5;
import static io.streamscore.trainer.optim.KernelMath.LG6;
import static io.streamscore.trainer.optim.KernelMath.LG7;
import static io.streamscore.trainer.optim.KernelMath.LN2_HI;
import static io.streamscore.trainer.optim.KernelMath.LN2_LO;
import static io.streamscore.trainer.optim.KernelMath.P1;
import static io.streamscore.trainer.optim.KernelMath.P2;
import static io.streamscore.trainer.optim.KernelMath.P3;
import static io.streamscore.trainer.optim.KernelMath.P4;
import static io.streamscore.trainer.optim.KernelMath.P5;
import static io.streamscore.trainer.optim.KernelMath.SHIFTER;
import static io.streamscore.trainer.optim.KernelMath.SHIFTER_BITS;
import static io.streamscore.trainer.optim.KernelMath.SQRT2_MINUS_1;

/**
 * The pass kernel on SIMD registers through the Vector API (jdk.incubator.vector): one register holds one feature of
 * the 8 rows of a tile (two registers with AVX2, four with 128-bit SIMD), so a tile's z, exponential, logarithm and
 * gradient terms are computed for all its rows at once, with the exact operations of {@link ScalarKernel}.
 *
 * <p>Loaded only through {@link PassKernels}, which first checks that the module is present: naming this class
 * without it would fail with {@code NoClassDefFoundError}.
 */
final class VectorKernel implements PassKernel {
    /** The widest species up to 8 lanes, so a tile is a whole number of registers. */
    static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED.length() >= TILE
            ? DoubleVector.SPECIES_512 : DoubleVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final int BLOCK_ROWS = PassKernel.BLOCK_ROWS;

    /** Whether SIMD is worth it here: a species of one lane would be the scalar loop with overhead. */
    static boolean usable() {
        return LANES >= 2 && TILE % LANES == 0;
    }

    @Override
    public void sumChunk(double[] tiles, double[] y, int rows, int k, double[] theta, boolean withLoss,
                         double[] scratch, double[] out) {
        java.util.Arrays.fill(scratch, 0, PassKernel.scratchSize(k), 0.0);
        for (int from = 0; from < rows; from += BLOCK_ROWS) {
            final int blockRows = Math.min(BLOCK_ROWS, rows - from);
            final int paddedRows = (blockRows + TILE - 1) / TILE * TILE;
            final int base = from * k;
            logits(tiles, base, paddedRows, k, theta, scratch);
            exponentials(paddedRows, k, scratch);
            residuals(y, from, blockRows, paddedRows, k, withLoss, scratch);
            gradient(tiles, base, paddedRows, k, scratch);
        }
        for (int q = 0; q < k + 2; q++) {
            out[q] = PassKernel.sumLanes(scratch, q * TILE);
        }
    }

    // The phases of a block are separate small methods that exchange arrays, never vectors: a vector that crosses a
    // call the JIT did not inline is boxed on the heap, and one big method exceeds the JIT's inlining budget. Small
    // methods also get compiled to SIMD code early, after the first few thousand rows.

    /** z = b + Σ_j θ_j·x_j for the block's rows, into the scratch's z area. */
    private static void logits(double[] tiles, int base, int paddedRows, int k, double[] theta, double[] scratch) {
        final int zAt = PassKernel.zOffset(k);
        for (int r = 0; r < paddedRows; r += LANES) {
            final int at = base + (r / TILE) * k * TILE + r % TILE;
            DoubleVector z = DoubleVector.broadcast(SPECIES, theta[0]);
            for (int j = 0; j < k; j++) {
                z = z.add(DoubleVector.fromArray(SPECIES, tiles, at + j * TILE).mul(theta[j + 1]));
            }
            z.intoArray(scratch, zAt + r);
        }
    }

    /** e = e^(−|z|), into the scratch's e area. */
    private static void exponentials(int paddedRows, int k, double[] scratch) {
        final int zAt = PassKernel.zOffset(k);
        final int eAt = PassKernel.eOffset(k);
        for (int r = 0; r < paddedRows; r += LANES) {
            exp(DoubleVector.fromArray(SPECIES, scratch, zAt + r).abs().neg()).intoArray(scratch, eAt + r);
        }
    }

    /** σ − y into the residual area, and the residuals' and the losses' partial sums. */
    private static void residuals(double[] y, int from, int blockRows, int paddedRows, int k, boolean withLoss,
                                  double[] scratch) {
        final int zAt = PassKernel.zOffset(k);
        final int eAt = PassKernel.eOffset(k);
        final int resAt = PassKernel.residualOffset(k);
        for (int r = 0; r < paddedRows; r += LANES) {
            final int lane = r % TILE;
            final DoubleVector z = DoubleVector.fromArray(SPECIES, scratch, zAt + r);
            final DoubleVector e = DoubleVector.fromArray(SPECIES, scratch, eAt + r);
            final DoubleVector inv = DoubleVector.broadcast(SPECIES, 1.0).div(e.add(1.0));
            final DoubleVector yv = DoubleVector.fromArray(SPECIES, y, from + r);
            DoubleVector residual = e.mul(inv).blend(inv, z.compare(VectorOperators.GE, 0.0)).sub(yv);
            final VectorMask<Double> padding = blockRows - r < LANES ? SPECIES.indexInRange(r, blockRows).not() : null;
            if (padding != null) {
                residual = residual.blend(0.0, padding);
            }
            residual.intoArray(scratch, resAt + r);
            DoubleVector.fromArray(SPECIES, scratch, TILE + lane).add(residual).intoArray(scratch, TILE + lane);
            if (withLoss) {
                DoubleVector loss = z.max(0.0).sub(yv.mul(z)).add(log1p(e));
                if (padding != null) {
                    loss = loss.blend(0.0, padding);
                }
                DoubleVector.fromArray(SPECIES, scratch, lane).add(loss).intoArray(scratch, lane);
            }
        }
    }

    /**
     * Adds residual·x_j to feature j's partial sums, rows in order. Four features at a time, each in its own register
     * through the whole block: four independent sums, and no round trip through memory per row.
     */
    private static void gradient(double[] tiles, int base, int paddedRows, int k, double[] scratch) {
        final int resAt = PassKernel.residualOffset(k);
        for (int lane = 0; lane < TILE; lane += LANES) {
            int j = 0;
            for (; j + 4 <= k; j += 4) {
                final int acc0 = (j + 2) * TILE + lane;
                DoubleVector g0 = DoubleVector.fromArray(SPECIES, scratch, acc0);
                DoubleVector g1 = DoubleVector.fromArray(SPECIES, scratch, acc0 + TILE);
                DoubleVector g2 = DoubleVector.fromArray(SPECIES, scratch, acc0 + 2 * TILE);
                DoubleVector g3 = DoubleVector.fromArray(SPECIES, scratch, acc0 + 3 * TILE);
                for (int r = lane; r < paddedRows; r += TILE) {
                    final DoubleVector res = DoubleVector.fromArray(SPECIES, scratch, resAt + r);
                    final int x = base + (r / TILE) * k * TILE + j * TILE + lane;
                    g0 = g0.add(res.mul(DoubleVector.fromArray(SPECIES, tiles, x)));
                    g1 = g1.add(res.mul(DoubleVector.fromArray(SPECIES, tiles, x + TILE)));
                    g2 = g2.add(res.mul(DoubleVector.fromArray(SPECIES, tiles, x + 2 * TILE)));
                    g3 = g3.add(res.mul(DoubleVector.fromArray(SPECIES, tiles, x + 3 * TILE)));
                }
                g0.intoArray(scratch, acc0);
                g1.intoArray(scratch, acc0 + TILE);
                g2.intoArray(scratch, acc0 + 2 * TILE);
                g3.intoArray(scratch, acc0 + 3 * TILE);
            }
            for (; j < k; j++) {
                final int accAt = (j + 2) * TILE + lane;
                DoubleVector g = DoubleVector.fromArray(SPECIES, scratch, accAt);
                for (int r = lane; r < paddedRows; r += TILE) {
                    final int x = base + (r / TILE) * k * TILE + j * TILE + lane;
                    g = g.add(DoubleVector.fromArray(SPECIES, scratch, resAt + r)
                            .mul(DoubleVector.fromArray(SPECIES, tiles, x)));
                }
                g.intoArray(scratch, accAt);
            }
        }
    }

    /** {@link KernelMath#expNonPositive}, lane by lane. */
    private static DoubleVector exp(DoubleVector x) {
        x = x.max(EXP_FLOOR);
        DoubleVector t = x.mul(INV_LN2).add(SHIFTER);
        DoubleVector k = t.sub(SHIFTER);
        DoubleVector hi = x.sub(k.mul(LN2_HI));
        DoubleVector lo = k.mul(LN2_LO);
        DoubleVector r = hi.sub(lo);
        DoubleVector rr = r.mul(r);
        DoubleVector c = r.sub(rr.mul(rr.mul(rr.mul(rr.mul(rr.mul(P5).add(P4)).add(P3)).add(P2)).add(P1)));
        DoubleVector q = r.mul(c).div(DoubleVector.broadcast(SPECIES, 2.0).sub(c));
        DoubleVector y = DoubleVector.broadcast(SPECIES, 1.0).sub(lo.sub(q).sub(hi));
        DoubleVector scale = t.reinterpretAsLongs().sub(SHIFTER_BITS).add(1023L).lanewise(VectorOperators.LSHL, 52)
                .reinterpretAsDoubles();
        return y.mul(scale);
    }

    /** {@link KernelMath#log1pUnit}, lane by lane. */
    private static DoubleVector log1p(DoubleVector e) {
        VectorMask<Double> halved = e.compare(VectorOperators.GT, SQRT2_MINUS_1);
        DoubleVector f = e.blend(e.sub(1.0).mul(0.5), halved);
        DoubleVector k = DoubleVector.zero(SPECIES).blend(1.0, halved);
        DoubleVector s = f.div(f.add(2.0));
        DoubleVector z = s.mul(s);
        DoubleVector w = z.mul(z);
        DoubleVector t1 = w.mul(w.mul(w.mul(LG6).add(LG4)).add(LG2));
        DoubleVector t2 = z.mul(w.mul(w.mul(w.mul(LG7).add(LG5)).add(LG3)).add(LG1));
        DoubleVector r = t2.add(t1);
        DoubleVector hfsq = f.mul(0.5).mul(f);
        return k.mul(LN2_HI).sub(hfsq.sub(s.mul(hfsq.add(r)).add(k.mul(LN2_LO))).sub(f));
    }

    @Override
    public String description() {
        return "SIMD, " + LANES + " lanes of " + SPECIES.vectorBitSize() + " bits (Vector API)";
    }
}
