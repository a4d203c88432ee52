package io.streamscore.common.outcome;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Sums from which a window's {@link QualityFigures} follow, updated one outcome at a time and mergeable: the confusion
 * counts, compensated (Neumaier) sums of log-loss, squared error and, per calibration bin, probability, and a histogram
 * of the probabilities of positives and negatives in {@value #AUC_BINS} equal-width bins. Mutable, not thread-safe; its
 * size does not grow with the number of outcomes ({@link #toBytes} writes only the non-empty bins).
 *
 * <p>Definitions (docs/outcomes.md): the bin of p is {@code min(B − 1, floor(p · B))} computed in IEEE double with
 * B = {@value #AUC_BINS}; the calibration bin is that bin divided by B / {@value #CALIBRATION_BINS}, so both views use
 * one partition of [0, 1]. The binned AUC counts a (positive, negative) pair as 1 when the positive's bin is higher, ½
 * when they share a bin and 0 otherwise. Pairs in different bins are counted exactly as the exact AUC counts them, and a
 * pair in one bin contributes ½ where the exact AUC has 0, ½ or 1, so the two differ by at most ½ × (pairs sharing a
 * bin) / (all pairs): {@link QualityFigures#rocAucErrorBound}.
 */
public final class QualityAccumulator {
    /** B: the probability histogram's bins. */
    public static final int AUC_BINS = 1000;
    /** The calibration table's bins (each spans B / 10 histogram bins). */
    public static final int CALIBRATION_BINS = 10;
    /**
     * Histogram bins per chunk of the state's parted form ({@link #sumsToBytes}, {@link #chunkToBytes}): one outcome
     * changes the sums and one chunk, so a store that keeps the parts apart rewrites a few hundred bytes per outcome,
     * not the whole histogram.
     */
    public static final int CHUNK_BINS = 50;
    /** Chunks of the histogram. */
    public static final int CHUNKS = AUC_BINS / CHUNK_BINS;
    /** Log-loss clips p to [ε, 1 − ε] so that a confident mistake (p = 0 or 1 exactly) costs −ln ε, not infinity. */
    public static final double LOG_LOSS_EPSILON = 1e-15;
    private static final int PER_CALIBRATION_BIN = AUC_BINS / CALIBRATION_BINS;
    private static final byte FORMAT = 1;
    private static final byte SUMS_FORMAT = 2;
    private static final byte CHUNK_FORMAT = 3;

    private long truePositives;
    private long falsePositives;
    private long trueNegatives;
    private long falseNegatives;
    private double threshold = Double.NaN;
    private final Sum logLoss = new Sum();
    private final Sum squaredError = new Sum();
    private final Sum[] calibrationP = new Sum[CALIBRATION_BINS];
    private final long[] positives = new long[AUC_BINS];
    private final long[] negatives = new long[AUC_BINS];

    public QualityAccumulator() {
        for (int i = 0; i < CALIBRATION_BINS; i++) {
            calibrationP[i] = new Sum();
        }
    }

    /** The histogram bin of probability {@code p}: {@code min(B − 1, floor(p · B))}. */
    public static int bin(double p) {
        int b = (int) (p * AUC_BINS);
        return Math.min(AUC_BINS - 1, Math.max(0, b));
    }

    /** The log-loss of one outcome: −ln(p) for label 1, −ln(1 − p) for label 0, p clipped to [ε, 1 − ε]. */
    public static double logLoss(double p, int label) {
        double q = Math.min(Math.max(p, LOG_LOSS_EPSILON), 1.0 - LOG_LOSS_EPSILON);
        return label == 1 ? -Math.log(q) : -Math.log(1.0 - q);
    }

    /** Adds one outcome. */
    public void add(QualityObservation o) {
        add(o.probability(), o.predictedLabel(), o.label(), o.threshold());
    }

    /**
     * Adds one outcome.
     *
     * @param threshold the model version's threshold (the same for all of its outcomes; the last one given is kept)
     */
    public void add(double p, int predictedLabel, int label, double threshold) {
        if (!(p >= 0.0 && p <= 1.0)) {
            throw new IllegalArgumentException("probability " + p + " is not in [0, 1]");
        }
        this.threshold = threshold;
        if (label == 1) {
            if (predictedLabel == 1) {
                truePositives++;
            } else {
                falseNegatives++;
            }
        } else if (predictedLabel == 1) {
            falsePositives++;
        } else {
            trueNegatives++;
        }
        logLoss.add(logLoss(p, label));
        double e = p - label;
        squaredError.add(e * e);
        int b = bin(p);
        calibrationP[b / PER_CALIBRATION_BIN].add(p);
        if (label == 1) {
            positives[b]++;
        } else {
            negatives[b]++;
        }
    }

    /** Adds every outcome {@code other} holds, as if they had been added here. */
    public void merge(QualityAccumulator other) {
        truePositives += other.truePositives;
        falsePositives += other.falsePositives;
        trueNegatives += other.trueNegatives;
        falseNegatives += other.falseNegatives;
        if (!Double.isNaN(other.threshold)) {
            threshold = other.threshold;
        }
        logLoss.merge(other.logLoss);
        squaredError.merge(other.squaredError);
        for (int i = 0; i < CALIBRATION_BINS; i++) {
            calibrationP[i].merge(other.calibrationP[i]);
        }
        for (int b = 0; b < AUC_BINS; b++) {
            positives[b] += other.positives[b];
            negatives[b] += other.negatives[b];
        }
    }

    public long count() {
        return truePositives + falsePositives + trueNegatives + falseNegatives;
    }

    public QualityFigures figures() {
        long n = count();
        long pos = truePositives + falseNegatives;
        long neg = falsePositives + trueNegatives;
        double auc = Double.NaN;
        double tied = Double.NaN;
        if (pos > 0 && neg > 0) {
            // Sums of counts (exact in long up to 2^63) before the one division: no rounding until the end.
            double pairs = (double) pos * neg;
            double below = 0; // negatives in lower bins
            double won = 0;
            double shared = 0;
            for (int b = 0; b < AUC_BINS; b++) {
                won += positives[b] * (below + negatives[b] / 2.0);
                shared += (double) positives[b] * negatives[b];
                below += negatives[b];
            }
            auc = won / pairs;
            tied = shared / pairs;
        }
        List<QualityFigures.CalibrationBin> calibration = new ArrayList<>(CALIBRATION_BINS);
        for (int c = 0; c < CALIBRATION_BINS; c++) {
            long count = 0;
            long p1 = 0;
            for (int b = c * PER_CALIBRATION_BIN; b < (c + 1) * PER_CALIBRATION_BIN; b++) {
                count += positives[b] + negatives[b];
                p1 += positives[b];
            }
            calibration.add(new QualityFigures.CalibrationBin(c / (double) CALIBRATION_BINS,
                    (c + 1) / (double) CALIBRATION_BINS, count, p1,
                    count == 0 ? Double.NaN : calibrationP[c].value() / count,
                    count == 0 ? Double.NaN : p1 / (double) count));
        }
        return new QualityFigures(n, pos, neg, threshold, n == 0 ? Double.NaN : logLoss.value() / n,
                n == 0 ? Double.NaN : squaredError.value() / n,
                n == 0 ? Double.NaN : (truePositives + trueNegatives) / (double) n,
                truePositives + falsePositives == 0 ? Double.NaN
                        : truePositives / (double) (truePositives + falsePositives),
                pos == 0 ? Double.NaN : truePositives / (double) pos,
                truePositives, falsePositives, trueNegatives, falseNegatives, auc,
                Double.isNaN(tied) ? Double.NaN : tied / 2, tied, calibration);
    }

    /**
     * The state as bytes (a private, versioned format for the scorer's state store): counts as varints, the sums as
     * doubles with their compensations, and only the non-empty histogram bins.
     */
    public byte[] toBytes() {
        Writer w = new Writer(160 + 8 * nonEmptyBins());
        w.out[w.n++] = FORMAT;
        writeSums(w);
        w.putVarLong(nonEmptyBins());
        int last = -1;
        for (int b = 0; b < AUC_BINS; b++) {
            if (positives[b] != 0 || negatives[b] != 0) {
                w.putVarLong(b - last);
                w.putVarLong(positives[b]);
                w.putVarLong(negatives[b]);
                last = b;
            }
        }
        return Arrays.copyOf(w.out, w.n);
    }

    /** The threshold, the counts and the compensated sums: the part both byte formats share, in one layout. */
    private void writeSums(Writer w) {
        w.putDouble(threshold);
        w.putVarLong(truePositives);
        w.putVarLong(falsePositives);
        w.putVarLong(trueNegatives);
        w.putVarLong(falseNegatives);
        logLoss.write(w);
        squaredError.write(w);
        for (Sum s : calibrationP) {
            s.write(w);
        }
    }

    /** Reads what {@link #writeSums} wrote into a new accumulator (its histogram empty). */
    private static QualityAccumulator readSums(Reader r) {
        QualityAccumulator a = new QualityAccumulator();
        a.threshold = r.getDouble();
        a.truePositives = r.getVarLong();
        a.falsePositives = r.getVarLong();
        a.trueNegatives = r.getVarLong();
        a.falseNegatives = r.getVarLong();
        a.logLoss.read(r);
        a.squaredError.read(r);
        for (Sum s : a.calibrationP) {
            s.read(r);
        }
        return a;
    }

    /** The chunk of the histogram that the bin of probability {@code p} is in. */
    public static int chunkOf(double p) {
        return bin(p) / CHUNK_BINS;
    }

    /** Everything but the histogram: the counts, the threshold and the compensated sums (a fixed ~220 bytes). */
    public byte[] sumsToBytes() {
        Writer w = new Writer(8 + 8 + 4 * 10 + 16 * (2 + CALIBRATION_BINS));
        w.out[w.n++] = SUMS_FORMAT;
        writeSums(w);
        return Arrays.copyOf(w.out, w.n);
    }

    /** Histogram chunk {@code c}: the positives and negatives of its {@value #CHUNK_BINS} bins, as varints. */
    public byte[] chunkToBytes(int c) {
        Writer w = new Writer(1 + 2 * CHUNK_BINS);
        w.out[w.n++] = CHUNK_FORMAT;
        for (int b = c * CHUNK_BINS; b < (c + 1) * CHUNK_BINS; b++) {
            w.putVarLong(positives[b]);
            w.putVarLong(negatives[b]);
        }
        return Arrays.copyOf(w.out, w.n);
    }

    /**
     * The accumulator from its parts.
     *
     * @param chunks {@value #CHUNKS} chunks, null for one that was never written (all its bins empty)
     * @throws IllegalArgumentException for bytes {@link #sumsToBytes} and {@link #chunkToBytes} did not write
     */
    public static QualityAccumulator fromParts(byte[] sums, byte[][] chunks) {
        if (chunks.length != CHUNKS) {
            throw new IllegalArgumentException(chunks.length + " chunks; the histogram has " + CHUNKS);
        }
        Reader r = new Reader(sums);
        if (sums.length == 0 || r.get() != SUMS_FORMAT) {
            throw new IllegalArgumentException("not the sums of a quality accumulator of format " + SUMS_FORMAT);
        }
        QualityAccumulator a = readSums(r);
        r.end();
        for (int c = 0; c < CHUNKS; c++) {
            if (chunks[c] == null) {
                continue;
            }
            Reader cr = new Reader(chunks[c]);
            if (chunks[c].length == 0 || cr.get() != CHUNK_FORMAT) {
                throw new IllegalArgumentException("not a histogram chunk of format " + CHUNK_FORMAT);
            }
            for (int b = c * CHUNK_BINS; b < (c + 1) * CHUNK_BINS; b++) {
                a.positives[b] = cr.getVarLong();
                a.negatives[b] = cr.getVarLong();
            }
            cr.end();
        }
        return a;
    }

    /** @throws IllegalArgumentException for bytes {@link #toBytes} did not write */
    public static QualityAccumulator fromBytes(byte[] bytes) {
        Reader r = new Reader(bytes);
        if (bytes.length == 0 || r.get() != FORMAT) {
            throw new IllegalArgumentException("not a quality accumulator of format " + FORMAT);
        }
        QualityAccumulator a = readSums(r);
        long bins = r.getVarLong();
        int b = -1;
        for (long i = 0; i < bins; i++) {
            b += (int) r.getVarLong();
            if (b < 0 || b >= AUC_BINS) {
                throw new IllegalArgumentException("histogram bin " + b + " out of range");
            }
            a.positives[b] = r.getVarLong();
            a.negatives[b] = r.getVarLong();
        }
        if (r.i != bytes.length) {
            throw new IllegalArgumentException("trailing bytes after the quality accumulator");
        }
        return a;
    }

    private int nonEmptyBins() {
        int n = 0;
        for (int b = 0; b < AUC_BINS; b++) {
            if (positives[b] != 0 || negatives[b] != 0) {
                n++;
            }
        }
        return n;
    }

    /** Neumaier's compensated sum: the rounding error of each addition is kept and added back at the end. */
    private static final class Sum {
        private double sum;
        private double compensation;

        void add(double x) {
            double t = sum + x;
            if (Math.abs(sum) >= Math.abs(x)) {
                compensation += (sum - t) + x;
            } else {
                compensation += (x - t) + sum;
            }
            sum = t;
        }

        void merge(Sum other) {
            add(other.sum);
            compensation += other.compensation;
        }

        double value() {
            return sum + compensation;
        }

        void write(Writer w) {
            w.putDouble(sum);
            w.putDouble(compensation);
        }

        void read(Reader r) {
            sum = r.getDouble();
            compensation = r.getDouble();
        }
    }

    private static final class Writer {
        byte[] out;
        int n;

        Writer(int capacity) {
            out = new byte[capacity];
        }

        private void room(int k) {
            if (n + k > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, n + k));
            }
        }

        void putDouble(double d) {
            room(8);
            long v = Double.doubleToRawLongBits(d);
            for (int s = 56; s >= 0; s -= 8) {
                out[n++] = (byte) (v >>> s);
            }
        }

        void putVarLong(long v) {
            room(10);
            while ((v & ~0x7FL) != 0) {
                out[n++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out[n++] = (byte) v;
        }
    }

    private static final class Reader {
        final byte[] in;
        int i;

        Reader(byte[] in) {
            this.in = in;
        }

        byte get() {
            if (i >= in.length) {
                throw new IllegalArgumentException("quality accumulator bytes end early");
            }
            return in[i++];
        }

        double getDouble() {
            long v = 0;
            for (int k = 0; k < 8; k++) {
                v = (v << 8) | (get() & 0xFF);
            }
            return Double.longBitsToDouble(v);
        }

        void end() {
            if (i != in.length) {
                throw new IllegalArgumentException("trailing bytes after a quality accumulator part");
            }
        }

        long getVarLong() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = get();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("varint too long");
        }
    }
}
