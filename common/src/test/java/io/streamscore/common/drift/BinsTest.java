package io.streamscore.common.drift;

import io.streamscore.common.InvalidModelException;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BinsTest {

    private static Bins threeBins() {
        return new Bins(new double[]{1.0, 2.0}, new double[]{0.25, 0.5, 0.25});
    }

    @Test
    void aValueOnAnEdgeFallsInTheBinAboveIt() {
        Bins b = threeBins();
        assertEquals(0, b.binOf(-1e300));
        assertEquals(0, b.binOf(Math.nextDown(1.0)));
        assertEquals(1, b.binOf(1.0));
        assertEquals(1, b.binOf(1.5));
        assertEquals(1, b.binOf(Math.nextDown(2.0)));
        assertEquals(2, b.binOf(2.0));
        assertEquals(2, b.binOf(1e300));
        assertEquals(0, b.binOf(Double.NEGATIVE_INFINITY));
        assertEquals(2, b.binOf(Double.POSITIVE_INFINITY));
    }

    @Test
    void binOfAgreesWithALinearScanOnRandomEdgesAndValues() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int round = 0; round < 200; round++) {
            int edges = rnd.nextInt(0, 12);
            double[] e = new double[edges];
            for (int i = 0; i < edges; i++) {
                e[i] = i == 0 ? rnd.nextDouble(-5, 5) : e[i - 1] + rnd.nextDouble(0.001, 2);
            }
            double[] p = new double[edges + 1];
            Arrays.fill(p, 1.0 / p.length);
            p[0] += 1 - Arrays.stream(p).sum(); // exact enough for the tolerance
            Bins b = new Bins(e, p);
            for (int k = 0; k < 50; k++) {
                double x = k % 5 == 0 && edges > 0 ? e[rnd.nextInt(edges)] : rnd.nextDouble(-8, 30);
                int expected = 0;
                while (expected < edges && e[expected] <= x) {
                    expected++;
                }
                assertEquals(expected, b.binOf(x), "x=" + x + " edges=" + Arrays.toString(e));
            }
        }
    }

    @Test
    void fitCutsAtQuantilesAndCountsTheProportions() {
        double[] values = new double[100];
        for (int i = 0; i < values.length; i++) {
            values[i] = 99 - i; // 0..99, given in reverse
        }
        Bins b = Bins.fit(values, 10);
        assertArrayEquals(new double[]{10, 20, 30, 40, 50, 60, 70, 80, 90}, b.edges());
        for (double p : b.proportions()) {
            assertEquals(0.1, p, 1e-15);
        }
    }

    @Test
    void aBinaryFeatureGetsTwoBinsAndAConstantOneABinOfItsOwn() {
        double[] binary = new double[1000];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = i < 700 ? 0 : 1; // 70 % zeros
        }
        Bins b = Bins.fit(binary, 10);
        assertArrayEquals(new double[]{1.0}, b.edges());
        assertArrayEquals(new double[]{0.7, 0.3}, b.proportions(), 1e-15);

        double[] constant = new double[50];
        Arrays.fill(constant, 4.2);
        Bins c = Bins.fit(constant, 10);
        assertEquals(0, c.edges().length);
        assertArrayEquals(new double[]{1.0}, c.proportions());
        assertEquals(0, c.binOf(-1e9));
        assertEquals(0, c.binOf(1e9));
    }

    @Test
    void tiesAtAQuantileGoToTheBinTheyStartAndNoTrainingBinIsEmpty() {
        SplittableRandom rnd = new SplittableRandom(8);
        for (int round = 0; round < 100; round++) {
            int n = rnd.nextInt(1, 400);
            double[] v = new double[n];
            for (int i = 0; i < n; i++) {
                v[i] = rnd.nextInt(0, 1 + rnd.nextInt(1, 30)); // many ties
            }
            Bins b = Bins.fit(v, 10);
            assertTrue(b.count() <= 10);
            long[] counts = new long[b.count()];
            for (double x : v) {
                counts[b.binOf(x)]++;
            }
            double sum = 0;
            for (int i = 0; i < counts.length; i++) {
                assertTrue(counts[i] > 0, "bin " + i + " empty in " + b);
                assertEquals(counts[i] / (double) n, b.proportions()[i], 0.0);
                sum += b.proportions()[i];
            }
            assertEquals(1.0, sum, Bins.SUM_TOLERANCE);
        }
    }

    @Test
    void invalidBinsAreRefusedNamingTheEntry() {
        assertMessage("edges[1] is 1.0, not above edges[0] = 1.0; edges must be strictly increasing",
                () -> new Bins(new double[]{1, 1}, new double[]{0.2, 0.3, 0.5}));
        assertMessage("edges[0] is NaN; must be finite", () -> new Bins(new double[]{Double.NaN}, new double[]{0.5, 0.5}));
        assertMessage("edges[0] is Infinity; must be finite",
                () -> new Bins(new double[]{Double.POSITIVE_INFINITY}, new double[]{0.5, 0.5}));
        assertMessage("proportions[1] is -0.1; must be finite and >= 0",
                () -> new Bins(new double[]{1}, new double[]{1.1, -0.1}));
        assertMessage("proportions sum to 0.9; must sum to 1 (within 1.0E-9)",
                () -> new Bins(new double[]{1}, new double[]{0.5, 0.4}));
        assertMessage("proportions has 3 entries but edges has 1; there must be one more proportion than edges (a bin "
                + "below the first edge, one above the last)", () -> new Bins(new double[]{1}, new double[]{0.5, 0.25, 0.25}));
        // Within the tolerance is accepted: proportions are rounded counts.
        new Bins(new double[]{1}, new double[]{0.5, 0.5 + 5e-10});
    }

    private static void assertMessage(String message, Runnable r) {
        InvalidModelException e = assertThrows(InvalidModelException.class, r::run);
        assertEquals(message, e.getMessage());
    }
}
