package io.streamscore.trainer.optim;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.SplittableRandom;

/**
 * Picks the pass kernel once, when this class loads: the SIMD {@link VectorKernel} when the JVM runs with
 * {@code --add-modules jdk.incubator.vector} (and the platform has SIMD registers of 2 lanes or more), else the
 * {@link ScalarKernel}. The choice changes speed only: both compute the same sums bit for bit, which is checked here on
 * a probe before the SIMD kernel is used. {@code -Dstreamscore.trainer.simd=false} forces the scalar kernel.
 *
 * <p>Warm-up: until the JIT has compiled it, Vector API code runs a hundred times slower than scalar code (every
 * vector becomes a heap object), and compiling it takes one to several seconds on a busy machine. So passes run the
 * scalar kernel while a background thread races both kernels on one chunk of synthetic data, and switch to SIMD once
 * it is the faster there. The switch cannot change a result, since both kernels give the same bits. {@link WarmUp}
 * runs that race, early if it can (while the data is still loading).
 */
public final class PassKernels {
    private static final Logger LOG = LoggerFactory.getLogger(PassKernels.class);
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    public static final PassKernel SCALAR = new ScalarKernel();
    /** Why the scalar kernel was chosen (set while {@link #BEST} is chosen, so declared before it). */
    private static String fallbackReason;
    /** The fastest kernel here, once warm. */
    public static final PassKernel BEST = select();
    /** Rounds of the warm-up in which the SIMD kernel must beat the scalar one, in a row, before passes switch. */
    private static final int FASTER_ROUNDS = 5;
    private static volatile boolean warm = BEST == SCALAR;

    private PassKernels() {
    }

    private static PassKernel select() {
        if (!Boolean.parseBoolean(System.getProperty("streamscore.trainer.simd", "true"))) {
            return scalar("-Dstreamscore.trainer.simd=false");
        }
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isEmpty()) {
            return scalar("the JVM was started without --add-modules " + VECTOR_MODULE);
        }
        PassKernel vector;
        try {
            vector = vectorKernel();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return scalar("the Vector API did not load: " + e);
        }
        if (vector == null) {
            return scalar("this platform has no SIMD registers of 2 lanes or more");
        }
        if (!agree(vector, SCALAR)) {
            return scalar("the SIMD kernel's sums differ from the scalar kernel's on this platform");
        }
        LOG.debug("training pass kernel: {}", vector.description());
        return vector;
    }

    /** The SIMD kernel, loaded by name so that this class never links against the Vector API itself. */
    static PassKernel vectorKernel() throws ReflectiveOperationException {
        Class<?> c = Class.forName("io.streamscore.trainer.optim.VectorKernel");
        if (!(Boolean) c.getDeclaredMethod("usable").invoke(null)) {
            return null;
        }
        return (PassKernel) c.getDeclaredConstructor().newInstance();
    }

    private static PassKernel scalar(String reason) {
        fallbackReason = reason;
        LOG.debug("training pass kernel: scalar ({})", reason);
        return SCALAR;
    }

    /** The kernel for a pass starting now: {@link #BEST} once it is warm, the scalar kernel until then. */
    public static PassKernel current() {
        return warm ? BEST : SCALAR;
    }

    /** Whether passes run {@link #BEST} now. */
    public static boolean warm() {
        return warm;
    }

    /**
     * One round of the race that decides when passes turn to the SIMD kernel: both kernels on a small chunk (with a
     * partial tile, with and without the loss, so the compiled code has seen every path real chunks take). Once the
     * SIMD kernel has been the faster one several rounds in a row, passes use it.
     */
    static final class Race {
        private static final int K = 8;
        /** Calls that get the scalar kernel through the JIT's optimizing compiler when it runs alone. */
        private static final int SCALAR_ONLY_ROUNDS = 300;
        /**
         * A whole chunk: the JIT shapes the compiled loops after the trip counts it saw, and code compiled on a few
         * blocks runs real chunks markedly slower.
         */
        private static final int ROWS = FusedPass.CHUNK_ROWS;
        private final double[][] chunk = probeChunk(ROWS, K, 3, 7);
        private final double[] theta = {0.1, 0.5, -0.25, 0.125, 1, -1, 0.3, 0.2, -0.1};
        private final double[] scratch = new double[PassKernel.scratchSize(K)];
        private final double[] out = new double[K + 2];
        private int rounds;
        private int faster;

        /** Runs one round; returns whether the race is decided (passes run SIMD, or the scalar kernel is warm). */
        boolean round() {
            boolean withLoss = rounds % 4 != 3;
            // Now and then a partial last tile, as the last chunk of real data has.
            int rows = rounds % 4 == 1 ? ROWS - 3 : ROWS;
            if (BEST == SCALAR) {
                // Nothing to race: compile the scalar kernel on a realistic chunk, then stop.
                SCALAR.sumChunk(chunk[0], chunk[1], rows, K, theta, withLoss, scratch, out);
                return ++rounds >= SCALAR_ONLY_ROUNDS;
            }
            long t0 = System.nanoTime();
            BEST.sumChunk(chunk[0], chunk[1], rows, K, theta, withLoss, scratch, out);
            long t1 = System.nanoTime();
            SCALAR.sumChunk(chunk[0], chunk[1], rows, K, theta, withLoss, scratch, out);
            long t2 = System.nanoTime();
            rounds++;
            if (warm) {
                return true;
            }
            faster = t1 - t0 < t2 - t1 ? faster + 1 : 0;
            if (faster >= FASTER_ROUNDS && rounds >= 20) {
                LOG.debug("SIMD kernel faster than the scalar one after {} rounds", rounds);
                warm = true;
            }
            return warm;
        }
    }

    /** Why the SIMD kernel is not in use, or null when it is. */
    public static String fallbackReason() {
        return BEST == SCALAR ? fallbackReason : null;
    }

    /** Whether two kernels give identical sums on a small random chunk with a partial last tile. */
    static boolean agree(PassKernel a, PassKernel b) {
        int k = 5;
        int rows = 3 * PassKernel.TILE + 3;
        // Wide logits, both signs, some beyond the exponential's floor.
        double[][] chunk = probeChunk(rows, k, 300, 1);
        double[] theta = {0.3, 1.0, -0.5, 0.01, 2.5, -1.25};
        double[] scratch = new double[PassKernel.scratchSize(k)];
        double[] outA = new double[k + 2];
        double[] outB = new double[k + 2];
        a.sumChunk(chunk[0], chunk[1], rows, k, theta, true, scratch, outA);
        b.sumChunk(chunk[0], chunk[1], rows, k, theta, true, scratch, outB);
        return java.util.Arrays.equals(outA, outB);
    }

    /** Tiles and labels of a random chunk, features uniform in (−scale, scale). */
    private static double[][] probeChunk(int rows, int k, double scale, long seed) {
        int padded = (rows + PassKernel.TILE - 1) / PassKernel.TILE * PassKernel.TILE;
        SplittableRandom random = new SplittableRandom(seed);
        double[] tiles = new double[padded * k];
        double[] y = new double[padded];
        for (int row = 0; row < rows; row++) {
            y[row] = random.nextBoolean() ? 1 : 0;
            for (int j = 0; j < k; j++) {
                tiles[(row / PassKernel.TILE * k + j) * PassKernel.TILE + row % PassKernel.TILE]
                        = random.nextDouble(-scale, scale);
            }
        }
        return new double[][] {tiles, y};
    }
}
