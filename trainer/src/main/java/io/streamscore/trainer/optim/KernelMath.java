package io.streamscore.trainer.optim;

/**
 * e^x and log(1+e) written out in basic arithmetic (no {@code Math.exp}, no {@code Math.log}, no fused multiply-add),
 * so that the same operations can run on one row at a time or on a SIMD vector of rows with bit-identical results:
 * the trainer's model then does not depend on whether the SIMD kernel is available.
 *
 * <p>Both are the classic fdlibm algorithms (the ones {@code StrictMath} is specified by), both under 1 ulp of error
 * on their ranges: e^x with Cody–Waite reduction x = k·ln2 + r, |r| ≤ ln2/2, and a rational approximation of e^r;
 * log(1+e) for e in (0, 1] with s = f/(2+f) and a degree-14 polynomial in s, where 1+e = 2^k·(1+f), |s| ≤ 0.1716.
 * Only the ranges the training pass needs are covered: x ≤ 0, and e in (0, 1].
 */
final class KernelMath {
    /** Below this, e^x is taken as e^−700 ≈ 1e−304: the loss and gradient differ from the exact ones by < 1e−300. */
    static final double EXP_FLOOR = -700.0;
    static final double INV_LN2 = 1.44269504088896338700e+00;
    /** 1.5·2^52: adding it rounds a double below 2^51 to an integer, which then sits in the low mantissa bits. */
    static final double SHIFTER = 6755399441055744.0;
    static final long SHIFTER_BITS = Double.doubleToRawLongBits(SHIFTER);
    /** ln2 split so that k·LN2_HI is exact for |k| < 2^20 (its low 32 bits are zero). */
    static final double LN2_HI = 6.93147180369123816490e-01;
    static final double LN2_LO = 1.90821492927058770002e-10;
    static final double P1 = 1.66666666666666019037e-01;
    static final double P2 = -2.77777777770155933842e-03;
    static final double P3 = 6.61375632143793436117e-05;
    static final double P4 = -1.65339022054652515390e-06;
    static final double P5 = 4.13813679705723846039e-08;
    static final double SQRT2_MINUS_1 = 0.41421356237309503;
    static final double LG1 = 6.666666666666735130e-01;
    static final double LG2 = 3.999999999940941908e-01;
    static final double LG3 = 2.857142874366239149e-01;
    static final double LG4 = 2.222219843214978396e-01;
    static final double LG5 = 1.818357216161805012e-01;
    static final double LG6 = 1.531383769920937332e-01;
    static final double LG7 = 1.479819860511658591e-01;

    private KernelMath() {
    }

    /** e^x for x ≤ 0 (x below {@link #EXP_FLOOR} counts as the floor). */
    static double expNonPositive(double x) {
        x = Math.max(x, EXP_FLOOR);
        double t = x * INV_LN2 + SHIFTER;
        double k = t - SHIFTER;
        double hi = x - k * LN2_HI;
        double lo = k * LN2_LO;
        double r = hi - lo;
        double rr = r * r;
        double c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))));
        double y = 1.0 - ((lo - (r * c) / (2.0 - c)) - hi);
        long bits = Double.doubleToRawLongBits(t) - SHIFTER_BITS;
        return y * Double.longBitsToDouble((bits + 1023) << 52);
    }

    /** log(1+e) for e in (0, 1]. */
    static double log1pUnit(double e) {
        boolean halved = e > SQRT2_MINUS_1;
        // 1+e = 2·(1+f) with f = (e−1)/2 when 1+e > √2, so that |s| stays ≤ 0.1716 where the polynomial is accurate.
        double f = halved ? (e - 1.0) * 0.5 : e;
        double k = halved ? 1.0 : 0.0;
        double s = f / (2.0 + f);
        double z = s * s;
        double w = z * z;
        double t1 = w * (LG2 + w * (LG4 + w * LG6));
        double t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
        double r = t2 + t1;
        double hfsq = 0.5 * f * f;
        return k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f);
    }
}
