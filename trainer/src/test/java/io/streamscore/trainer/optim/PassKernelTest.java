package io.streamscore.trainer.optim;

import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.synthetic.SyntheticData;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SIMD and scalar kernels compute the same bits, with exp/log accurate to an ulp; the choice never crashes. */
class PassKernelTest {

    private static PassKernel vector() throws ReflectiveOperationException {
        PassKernel v = PassKernels.vectorKernel();
        assertNotNull(v, "this machine has SIMD registers; the tests run with --add-modules jdk.incubator.vector");
        return v;
    }

    @Test
    void expIsWithinAnUlpOfStrictMath() {
        SplittableRandom random = new SplittableRandom(1);
        double worst = 0;
        for (int i = 0; i < 200_000; i++) {
            double x = i < 100_000 ? -random.nextDouble() * 40 : -random.nextDouble() * 700;
            double ulps = Math.abs(KernelMath.expNonPositive(x) - StrictMath.exp(x)) / Math.ulp(StrictMath.exp(x));
            worst = Math.max(worst, ulps);
        }
        assertTrue(worst <= 1.0, "worst error " + worst + " ulp");
        assertEquals(1.0, KernelMath.expNonPositive(0.0));
        assertEquals(KernelMath.expNonPositive(-700), KernelMath.expNonPositive(-1e300), "floored");
        assertTrue(KernelMath.expNonPositive(-700) > 0);
    }

    @Test
    void log1pIsWithinAnUlpOfStrictMath() {
        SplittableRandom random = new SplittableRandom(2);
        double worst = 0;
        for (int i = 0; i < 200_000; i++) {
            double e = i % 2 == 0 ? random.nextDouble() : Math.exp(-random.nextDouble() * 700);
            if (e == 0) {
                continue;
            }
            double exact = StrictMath.log1p(e);
            worst = Math.max(worst, Math.abs(KernelMath.log1pUnit(e) - exact) / Math.ulp(exact));
        }
        assertTrue(worst <= 1.0, "worst error " + worst + " ulp");
        assertEquals(StrictMath.log1p(1.0), KernelMath.log1pUnit(1.0), Math.ulp(Math.log(2)));
    }

    /** A chunk of {@code rows} random rows, tiled, with labels. */
    private static double[][] chunk(int rows, int k, long seed, double scale) {
        int padded = (rows + 7) / 8 * 8;
        double[] tiles = new double[padded * k];
        double[] y = new double[padded];
        SplittableRandom random = new SplittableRandom(seed);
        for (int r = 0; r < rows; r++) {
            y[r] = random.nextBoolean() ? 1 : 0;
            for (int j = 0; j < k; j++) {
                tiles[(r / 8 * k + j) * 8 + r % 8] = random.nextGaussian() * scale;
            }
        }
        return new double[][] {tiles, y};
    }

    @Test
    void simdAndScalarKernelsGiveTheSameBits() throws Exception {
        PassKernel vector = vector();
        PassKernel scalar = PassKernels.SCALAR;
        int cases = 0;
        for (int k : new int[] {1, 2, 3, 8, 20, 33}) {
            for (int rows : new int[] {1, 7, 8, 9, 100, 8192}) {
                for (double scale : new double[] {0.1, 3, 400}) {
                    double[][] c = chunk(rows, k, 31L * k + rows, scale);
                    double[] theta = new double[k + 1];
                    SplittableRandom random = new SplittableRandom(rows);
                    for (int j = 0; j <= k; j++) {
                        theta[j] = random.nextGaussian();
                    }
                    for (boolean withLoss : new boolean[] {true, false}) {
                        double[] a = new double[k + 2];
                        double[] b = new double[k + 2];
                        vector.sumChunk(c[0], c[1], rows, k, theta, withLoss, new double[PassKernel.scratchSize(k)], a);
                        scalar.sumChunk(c[0], c[1], rows, k, theta, withLoss, new double[PassKernel.scratchSize(k)], b);
                        String what = "k=" + k + " rows=" + rows + " scale=" + scale + " loss=" + withLoss;
                        assertArrayEquals(b, a, what);
                        assertTrue(Double.isFinite(a[0]) && a[0] >= 0, what);
                        cases++;
                    }
                }
            }
        }
        assertEquals(216, cases);
        assertTrue(PassKernels.agree(vector, scalar));
    }

    @Test
    void theKernelSumsTheLossAndGradientOfTheDefinition() throws Exception {
        int rows = 1000;
        int k = 4;
        double[][] c = chunk(rows, k, 5, 2);
        double[] theta = {0.2, -1, 0.5, 2, -0.3};
        double loss = 0;
        double[] gradient = new double[k + 1];
        for (int r = 0; r < rows; r++) {
            double z = theta[0];
            double[] x = new double[k];
            for (int j = 0; j < k; j++) {
                x[j] = c[0][(r / 8 * k + j) * 8 + r % 8];
                z += theta[j + 1] * x[j];
            }
            double y = c[1][r];
            loss += io.streamscore.common.LogisticMath.logLossFromLogit(y, z);
            double residual = io.streamscore.common.LogisticMath.sigmoid(z) - y;
            gradient[0] += residual;
            for (int j = 0; j < k; j++) {
                gradient[j + 1] += residual * x[j];
            }
        }
        for (PassKernel kernel : List.of(vector(), PassKernels.SCALAR)) {
            double[] out = new double[k + 2];
            kernel.sumChunk(c[0], c[1], rows, k, theta, true, new double[PassKernel.scratchSize(k)], out);
            assertEquals(loss, out[0], 1e-12 * loss, kernel.description());
            for (int j = 0; j <= k; j++) {
                assertEquals(gradient[j], out[j + 1], 1e-11 * rows, kernel.description() + " ∂" + j);
            }
            double[] noLoss = new double[k + 2];
            kernel.sumChunk(c[0], c[1], rows, k, theta, false, new double[PassKernel.scratchSize(k)], noLoss);
            assertEquals(0.0, noLoss[0]);
            assertArrayEquals(java.util.Arrays.copyOfRange(out, 1, k + 2), java.util.Arrays.copyOfRange(noLoss, 1, k + 2));
        }
    }

    @Test
    void modelsAreTheSameWithEitherKernel() throws Exception {
        Dataset data = SyntheticData.logistic(3 * FusedPass.CHUNK_ROWS + 11, 6, 14);
        double[] theta = {0.1, 0.2, -0.3, 0.4, 0.5, -0.6, 0.7};
        double[] gv = new double[7];
        double[] gs = new double[7];
        try (FusedPass v = new FusedPass(data, null, 2, vector());
             FusedPass s = new FusedPass(data, null, 3, PassKernels.SCALAR)) {
            assertEquals(s.evaluate(theta, gs), v.evaluate(theta, gv));
            assertArrayEquals(gs, gv);
        }
        // Whole training runs, each in its own JVM: passes on the SIMD kernel (warm, so every pass), on the scalar
        // kernel by choice, and on the scalar kernel for want of the module. The model bytes must not differ.
        String simd = probe("--add-modules", "jdk.incubator.vector", PassKernelsProbe.class.getName(), "model");
        assertTrue(simd.contains("kernel=SIMD") && simd.contains("warm=true"),
                "the SIMD run must have run SIMD passes: " + simd);
        String forced = probe("--add-modules", "jdk.incubator.vector", "-Dstreamscore.trainer.simd=false",
                PassKernelsProbe.class.getName(), "model");
        String without = probe(PassKernelsProbe.class.getName(), "model");
        assertTrue(forced.contains("kernel=scalar") && without.contains("kernel=scalar"), forced + without);
        String model = line(simd, "model=");
        assertEquals(64 + "model=".length(), model.length(), simd);
        assertEquals(model, line(forced, "model="), "scalar by choice");
        assertEquals(model, line(without, "model="), "scalar without the module");
    }

    private static String line(String output, String prefix) {
        return output.lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("(no " + prefix + " line)");
    }

    /**
     * Runs a class in a fresh JVM on this test's class path: JVM options, then the main class and its arguments
     * ({@link PassKernelsProbe} when only options are given). Returns its output.
     */
    private static String probe(String... optionsThenMain) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> args = List.of(optionsThenMain);
        int main = 0;
        while (main < args.size() && args.get(main).startsWith("-")) {
            main += args.get(main).equals("--add-modules") ? 2 : 1;
        }
        command.addAll(args.subList(0, main));
        command.addAll(List.of("-cp", System.getProperty("java.class.path")));
        command.addAll(main < args.size() ? args.subList(main, args.size()) : List.of(PassKernelsProbe.class.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "probe JVM did not finish");
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), output);
        return output;
    }

    @Test
    void withoutTheModuleTheScalarKernelIsChosenAndNothingFails() throws Exception {
        String without = probe();
        assertTrue(without.contains("kernel=scalar"), without);
        assertTrue(without.contains("fallback=the JVM was started without --add-modules jdk.incubator.vector"), without);
        String with = probe("--add-modules", "jdk.incubator.vector");
        assertTrue(with.contains("kernel=SIMD"), with);
        assertTrue(with.contains("fallback=null"), with);
        String forced = probe("--add-modules", "jdk.incubator.vector", "-Dstreamscore.trainer.simd=false");
        assertTrue(forced.contains("kernel=scalar"), forced);
    }
}
