package io.streamscore.common.drift;

import io.streamscore.common.InvalidModelException;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a model's inputs and output looked like on the rows it was trained on, for drift detection: the {@link Bins}
 * of every feature (raw values, as events carry them, before the model's standardization), by feature name in the
 * model's order, and the bins of the model's score (its probability on those rows). Carried by the model
 * ({@code LogisticModel#driftBaseline}, the model JSON's optional {@code driftBaseline}); a model without one has no
 * drift.
 *
 * <p>It also fixes how live values are counted ({@link #count}): one array of {@link #slots()} counters, each
 * feature's bins in the model's order, then the score's bins, then the number of events.
 */
public final class DriftBaseline {
    /** The bins the trainer asks for per feature (fewer for a discrete feature). */
    public static final int DEFAULT_BINS = 10;

    private final int bins;
    private final Map<String, Bins> features;
    private final List<String> names;
    private final Bins[] byIndex;
    private final Bins score;
    private final int[] offsets;
    private final int slots;

    /**
     * @param bins     the number of bins asked for per quantity; none may have more
     * @param features each feature's bins, in the model's feature order
     * @param score    the bins of the model's probability
     * @throws InvalidModelException naming the part that is not valid
     */
    public DriftBaseline(int bins, Map<String, Bins> features, Bins score) {
        if (bins < 1 || bins > Bins.MAX_BINS) {
            throw new InvalidModelException("driftBaseline.bins is " + bins + "; must be in 1.." + Bins.MAX_BINS);
        }
        if (features == null || features.isEmpty()) {
            throw new InvalidModelException("driftBaseline.features must hold the bins of every feature");
        }
        if (score == null) {
            throw new InvalidModelException("driftBaseline.score is missing");
        }
        LinkedHashMap<String, Bins> copy = new LinkedHashMap<>();
        features.forEach((name, b) -> {
            if (b == null) {
                throw new InvalidModelException("driftBaseline.features." + name + " is missing");
            }
            if (b.count() > bins) {
                throw new InvalidModelException("driftBaseline.features." + name + " has " + b.count() + " bins; "
                        + "driftBaseline.bins allows " + bins);
            }
            copy.put(name, b);
        });
        if (score.count() > bins) {
            throw new InvalidModelException("driftBaseline.score has " + score.count() + " bins; driftBaseline.bins "
                    + "allows " + bins);
        }
        this.bins = bins;
        this.features = Collections.unmodifiableMap(copy);
        this.names = List.copyOf(copy.keySet());
        this.byIndex = copy.values().toArray(new Bins[0]);
        this.score = score;
        this.offsets = new int[byIndex.length + 1];
        int at = 0;
        for (int i = 0; i < byIndex.length; i++) {
            offsets[i] = at;
            at += byIndex[i].count();
        }
        offsets[byIndex.length] = at;
        this.slots = at + score.count() + 1;
    }

    /**
     * The baseline of a training set: each feature's bins over its column, the score's over {@code probabilities}.
     * Costs a sort per feature and one of the probabilities: O(k · n log n) for n rows of k features.
     *
     * @param rowMajor      the feature values, {@code rowMajor[row * names.size() + feature]}
     * @param probabilities the model's probability for each row
     */
    public static DriftBaseline fit(List<String> names, double[] rowMajor, double[] probabilities, int bins) {
        int k = names.size();
        int n = probabilities.length;
        if ((long) n * k != rowMajor.length) {
            throw new IllegalArgumentException(rowMajor.length + " values are not " + n + " rows of " + k + " features");
        }
        Map<String, Bins> features = new LinkedHashMap<>();
        double[] column = new double[n];
        for (int j = 0; j < k; j++) {
            for (int i = 0; i < n; i++) {
                column[i] = rowMajor[i * k + j];
            }
            features.put(names.get(j), Bins.fit(column, bins));
        }
        return new DriftBaseline(bins, features, Bins.fit(probabilities, bins));
    }

    /**
     * Counts one scored event into {@code counts} (of length {@link #slots()}): the bin of each feature value, the bin
     * of the probability, and the event.
     *
     * @param x the features in the model's order, raw, as the event carried them
     */
    public void count(double[] x, double probability, long[] counts) {
        for (int i = 0; i < byIndex.length; i++) {
            counts[offsets[i] + byIndex[i].binOf(x[i])]++;
        }
        counts[offsets[byIndex.length] + score.binOf(probability)]++;
        counts[slots - 1]++;
    }

    /**
     * The counter index of each quantity's bin for one event, into {@code slotsOut} (length = features + 1): what
     * {@link #count} increments, computed once for an event that is counted into several windows ({@link #add}).
     */
    public void slotsOf(double[] x, double probability, int[] slotsOut) {
        for (int i = 0; i < byIndex.length; i++) {
            slotsOut[i] = offsets[i] + byIndex[i].binOf(x[i]);
        }
        slotsOut[byIndex.length] = offsets[byIndex.length] + score.binOf(probability);
    }

    /** Counts one event, given by its {@link #slotsOf slots}, into {@code counts}: the same as {@link #count}. */
    public void add(int[] slots, long[] counts) {
        for (int slot : slots) {
            counts[slot]++;
        }
        counts[this.slots - 1]++;
    }

    /** The number of counters {@link #count} fills. */
    public int slots() {
        return slots;
    }

    /** Where feature {@code i}'s bins start in the counters; {@code i} = the feature count gives the score's. */
    public int offset(int i) {
        return offsets[i];
    }

    /** The feature PSIs, in the model's order, and then the score's, of {@code counts} (as {@link #count} fills). */
    public double[] psi(long[] counts) {
        if (counts.length != slots) {
            throw new IllegalArgumentException(counts.length + " counts; this baseline has " + slots);
        }
        double[] out = new double[byIndex.length + 1];
        for (int i = 0; i < byIndex.length; i++) {
            out[i] = Psi.of(byIndex[i].proportions(), counts, offsets[i]);
        }
        out[byIndex.length] = Psi.of(score.proportions(), counts, offsets[byIndex.length]);
        return out;
    }

    public int bins() {
        return bins;
    }

    /** Feature name → bins, in the model's order; unmodifiable. */
    public Map<String, Bins> features() {
        return features;
    }

    public List<String> featureNames() {
        return names;
    }

    public Bins feature(int i) {
        return byIndex[i];
    }

    public Bins score() {
        return score;
    }

    /** The bins of feature or score, each as its own list, in the model's order and then the score's. */
    public List<Bins> allBins() {
        List<Bins> all = new ArrayList<>(List.of(byIndex));
        all.add(score);
        return all;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DriftBaseline b && bins == b.bins && names.equals(b.names) && features.equals(b.features)
                && score.equals(b.score);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bins, features, score);
    }

    @Override
    public String toString() {
        return "DriftBaseline[" + bins + " bins, features " + names + "]";
    }
}
