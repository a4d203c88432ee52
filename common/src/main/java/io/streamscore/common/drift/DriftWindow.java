package io.streamscore.common.drift;

import io.streamscore.common.outcome.DurationText;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One record of the drift topic: how far the champion scores of one model version in one window moved from the
 * version's training distribution ({@link DriftBaseline}), as a PSI per feature and for the score. Windows are tumbling
 * and aligned to the epoch (UTC), by the scored event's record timestamp: the window of size S holding t starts at
 * {@code t − (t mod S)}.
 *
 * @param window        the window size as {@link DurationText#format} names it ({@code 1h})
 * @param revision      1 for the record written when the window closed, then 2, 3, … for each correction written after
 *                      more events for it were counted; the highest revision is the window's figure
 * @param emittedAt     when this revision was written (wall clock, ms since the epoch)
 * @param count         the events counted in the window
 * @param threshold     the PSI at or above which a feature (or the score) is in {@code alerts}
 * @param scorePsi      the PSI of the model's probability
 * @param featurePsi    feature name → PSI, in the model's order
 * @param alerts        the features whose PSI is ≥ threshold, in the model's order, then {@code "score"} when
 *                      {@code scorePsi} is
 * @param featureBins   feature name → its bins: edges, training proportions, counts observed in the window
 * @param scoreBins     the same for the probability
 */
public record DriftWindow(String modelId, long modelVersion, String window, long windowSizeMs, long windowStartMs,
                          int revision, long emittedAt, long count, double threshold, double scorePsi,
                          Map<String, Double> featurePsi, List<String> alerts, Map<String, ObservedBins> featureBins,
                          ObservedBins scoreBins) {

    /** What {@code alerts} names the score by. */
    public static final String SCORE = "score";

    /** One quantity's bins in a window: where they are cut, what training had, what the window had. */
    public record ObservedBins(double[] edges, double[] expected, long[] observed) {
        public ObservedBins {
            edges = edges.clone();
            expected = expected.clone();
            observed = observed.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ObservedBins b && Arrays.equals(edges, b.edges) && Arrays.equals(expected, b.expected)
                    && Arrays.equals(observed, b.observed);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * Arrays.hashCode(edges) + Arrays.hashCode(expected)) + Arrays.hashCode(observed);
        }

        @Override
        public String toString() {
            return "ObservedBins[edges=" + Arrays.toString(edges) + ", expected=" + Arrays.toString(expected)
                    + ", observed=" + Arrays.toString(observed) + "]";
        }
    }

    public DriftWindow {
        if (modelId == null || modelId.isEmpty()) {
            throw new IllegalArgumentException("modelId must be a non-empty string");
        }
        if (windowSizeMs <= 0) {
            throw new IllegalArgumentException("window size " + windowSizeMs + " ms must be positive");
        }
        if (revision < 1) {
            throw new IllegalArgumentException("revision " + revision + " must be at least 1");
        }
        featurePsi = Collections.unmodifiableMap(new LinkedHashMap<>(featurePsi));
        alerts = List.copyOf(alerts);
        featureBins = Collections.unmodifiableMap(new LinkedHashMap<>(featureBins));
    }

    /**
     * The record of a window from its counts (as {@link DriftBaseline#count} fills them, summed over every task): the
     * PSIs by {@link Psi}, the alerts at {@code threshold}.
     */
    public static DriftWindow of(String modelId, long modelVersion, String window, long windowSizeMs, long windowStartMs,
                                 int revision, long emittedAt, double threshold, DriftBaseline baseline, long[] counts) {
        double[] psi = baseline.psi(counts);
        List<String> names = baseline.featureNames();
        Map<String, Double> featurePsi = new LinkedHashMap<>();
        Map<String, ObservedBins> bins = new LinkedHashMap<>();
        List<String> alerts = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            featurePsi.put(names.get(i), psi[i]);
            bins.put(names.get(i), observed(baseline.feature(i), counts, baseline.offset(i)));
            if (psi[i] >= threshold) {
                alerts.add(names.get(i));
            }
        }
        double scorePsi = psi[names.size()];
        if (scorePsi >= threshold) {
            alerts.add(SCORE);
        }
        return new DriftWindow(modelId, modelVersion, window, windowSizeMs, windowStartMs, revision, emittedAt,
                counts[counts.length - 1], threshold, scorePsi, featurePsi, alerts, bins,
                observed(baseline.score(), counts, baseline.offset(names.size())));
    }

    private static ObservedBins observed(Bins bins, long[] counts, int offset) {
        return new ObservedBins(bins.edges(), bins.proportions(), Arrays.copyOfRange(counts, offset, offset + bins.count()));
    }

    /** The end of the window, exclusive. */
    public long windowEndMs() {
        return windowStartMs + windowSizeMs;
    }

    /**
     * The record's key on the drift topic: {@code MODEL@vVERSION@WINDOW@START}, e.g.
     * {@code fraud@v3@1h@2025-11-22T09:00:00Z}: one key per window, so a compacted topic keeps its highest revision.
     */
    public String key() {
        return key(modelId, modelVersion, window, windowStartMs);
    }

    public static String key(String modelId, long modelVersion, String window, long windowStartMs) {
        return modelId + "@v" + modelVersion + "@" + window + "@" + Instant.ofEpochMilli(windowStartMs);
    }
}
