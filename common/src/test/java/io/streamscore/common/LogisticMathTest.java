package io.streamscore.common;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LogisticMathTest {

    @ParameterizedTest
    @ValueSource(doubles = {-1000, -745, -1e-12, -0.0, 0.0, 1e-12, 36, 745, 1000, -Double.MAX_VALUE, Double.MAX_VALUE})
    void sigmoidIsFiniteAndInUnitInterval(double z) {
        double p = LogisticMath.sigmoid(z);
        assertTrue(Double.isFinite(p), () -> "sigmoid(" + z + ") = " + p);
        assertTrue(p >= 0 && p <= 1, () -> "sigmoid(" + z + ") = " + p);
    }

    @Test
    void sigmoidHasTheExpectedValues() {
        assertEquals(0.5, LogisticMath.sigmoid(0.0));
        assertEquals(1.0, LogisticMath.sigmoid(1000));
        assertEquals(0.0, LogisticMath.sigmoid(-1000));
        // σ(±1e-12) = 0.5 ± 2.5e-13 to first order.
        assertEquals(0.5 + 2.5e-13, LogisticMath.sigmoid(1e-12), 1e-16);
        assertEquals(0.5 - 2.5e-13, LogisticMath.sigmoid(-1e-12), 1e-16);
        // Symmetry σ(−z) = 1 − σ(z), and the tail keeps its relative precision (no cancellation in e^z/(1+e^z)).
        assertEquals(Math.exp(-700) / (1 + Math.exp(-700)), LogisticMath.sigmoid(-700), Math.exp(-700) * 1e-15);
        for (double z = -30; z <= 30; z += 0.37) {
            assertEquals(1.0 - LogisticMath.sigmoid(z), LogisticMath.sigmoid(-z), 1e-15);
        }
    }

    @Test
    void lossFromLogitMatchesTheDefinitionAndStaysFinite() {
        // Reference: the unrearranged formula, which is accurate (if not overflow-safe) away from the tails.
        double[] zs = {-1000, -30, -1, -1e-12, 0, 1e-12, 1, 30, 1000};
        for (double z : zs) {
            for (double y : new double[] {0, 1}) {
                double loss = LogisticMath.logLossFromLogit(y, z);
                assertTrue(Double.isFinite(loss) && loss >= 0, "loss(" + y + ", " + z + ") = " + loss);
                assertEquals(referenceLoss(y, z), loss, Math.max(1e-15, 1e-14 * Math.abs(loss)), "y=" + y + " z=" + z);
            }
        }
        assertEquals(1000.0, LogisticMath.logLossFromLogit(1, -1000), 1e-12);
        assertEquals(1000.0, LogisticMath.logLossFromLogit(0, 1000), 1e-12);
        assertEquals(Math.log(2), LogisticMath.logLossFromLogit(1, 0), 1e-16);
    }

    /** The definition: −log σ(z) = log(1+e^(−z)) for y = 1 and −log(1−σ(z)) = log(1+e^z) for y = 0; past ±700 the
     *  exponential overflows, and there log(1+e^t) = t + e^(−t) to double precision. */
    private static double referenceLoss(double y, double z) {
        double t = y == 1 ? -z : z;
        return t > 700 ? t + Math.exp(-t) : Math.log1p(Math.exp(t));
    }

    @Test
    void lossFromProbabilityIsFiniteAtZeroAndOne() {
        for (double p : new double[] {0.0, 1.0, Double.MIN_VALUE, 1 - 1e-17}) {
            for (double y : new double[] {0, 1}) {
                double loss = LogisticMath.logLoss(y, p);
                assertTrue(Double.isFinite(loss) && loss >= 0, "logLoss(" + y + ", " + p + ") = " + loss);
            }
        }
        assertEquals(Math.log(2), LogisticMath.logLoss(1, 0.5), 1e-15);
        assertEquals(-Math.log(0.9), LogisticMath.logLoss(1, 0.9), 1e-15);
        assertEquals(-Math.log(0.1), LogisticMath.logLoss(0, 0.9), 1e-14);
        assertTrue(LogisticMath.logLoss(1, 0.0) > 30, "a confident wrong answer costs a lot");
        assertEquals(0.0, LogisticMath.logLoss(1, 1.0), 1e-15);
    }

    @Test
    void log1pIsAccurateOverItsDomain() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            double x = Math.pow(10, -random.nextDouble(0, 20));
            double expected = Math.log1p(x);
            assertEquals(expected, LogisticMath.log1p(x), 4 * Math.ulp(expected), "x=" + x);
        }
        assertEquals(Math.log(2), LogisticMath.log1p(1.0), Math.ulp(1.0));
        assertEquals(0.0, LogisticMath.log1p(0.0));
    }
}
