package io.streamscore.common.drift;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PsiTest {

    @Test
    void equalsAHandComputation() {
        // expected 0.5, 0.3, 0.2; observed 40, 40, 20 of 100 → 0.4, 0.4, 0.2:
        //   (0.4 - 0.5) ln(0.4 / 0.5) = 0.1 · 0.22314355131420976 = 0.022314355131420976
        //   (0.4 - 0.3) ln(0.4 / 0.3) = 0.1 · 0.28768207245178085 = 0.028768207245178085
        //   (0.2 - 0.2) ln(1)         = 0
        // PSI = 0.0510825623765991 (to 16 digits)
        double psi = Psi.of(new double[]{0.5, 0.3, 0.2}, new long[]{40, 40, 20});
        assertEquals(0.0510825623765991, psi, 1e-15);
    }

    @Test
    void anEmptyBinIsFlooredAtEpsilonSoThePsiIsFinite() {
        // observed 0, 10 of 10 against 0.5, 0.5: a = (1e-4, 1):
        //   (1e-4 - 0.5) ln(1e-4 / 0.5) = -0.4999 · -8.517193191416238 = 4.2577448763889...;
        //   (1 - 0.5) ln(2)            = 0.34657359027997264
        double expected = (1e-4 - 0.5) * Math.log(1e-4 / 0.5) + 0.5 * Math.log(2);
        double psi = Psi.of(new double[]{0.5, 0.5}, new long[]{0, 10});
        assertEquals(expected, psi, 1e-15);
        assertEquals(4.604318466669, psi, 1e-9);
        // A bin empty in training (a hand-written baseline) too.
        assertTrue(Double.isFinite(Psi.of(new double[]{0, 1}, new long[]{5, 5})));
    }

    @Test
    void identicalDistributionsGiveZeroAndNoEventsGiveNaN() {
        assertEquals(0.0, Psi.of(new double[]{0.25, 0.25, 0.5}, new long[]{1, 1, 2}), 0.0);
        assertTrue(Double.isNaN(Psi.of(new double[]{0.5, 0.5}, new long[]{0, 0})));
    }

    @Test
    void aSliceOfTheCountsIsTheSameAsTheCountsAlone() {
        long[] counts = {7, 1, 2, 3, 9};
        double[] e = {0.2, 0.3, 0.5};
        assertEquals(Psi.of(e, new long[]{1, 2, 3}), Psi.of(e, counts, 1), 0.0);
        assertEquals(Psi.of(e, new double[]{1 / 6.0, 2 / 6.0, 3 / 6.0}), Psi.of(e, counts, 1), 1e-15);
    }
}
