package io.streamscore.common.outcome;

import java.time.Instant;

/**
 * One record of the quality topic: a model version's {@link QualityFigures} over the outcomes whose label time falls in
 * one window. Windows are tumbling and aligned to the epoch (UTC): the window of size S holding label time t starts at
 * {@code t − (t mod S)} (t ≥ 0), so anyone can assign an outcome to its window from the outcomes topic alone.
 *
 * @param window        the window size as {@link DurationText#format} names it ({@code 1h})
 * @param windowSizeMs  its length, ms
 * @param windowStartMs its start, ms since the epoch, inclusive
 * @param revision      1 for the record written when the window closed, then 2, 3, … for each correction written
 *                      after outcomes for it came late; the highest revision is the window's figure
 * @param emittedAt     when this revision was written (wall clock, ms since the epoch)
 */
public record QualityWindow(String modelId, long modelVersion, String window, long windowSizeMs, long windowStartMs,
                            int revision, long emittedAt, QualityFigures figures) {

    public QualityWindow {
        if (modelId == null || modelId.isEmpty()) {
            throw new IllegalArgumentException("modelId must be a non-empty string");
        }
        if (windowSizeMs <= 0) {
            throw new IllegalArgumentException("window size " + windowSizeMs + " ms must be positive");
        }
        if (revision < 1) {
            throw new IllegalArgumentException("revision " + revision + " must be at least 1");
        }
    }

    /** The end of the window, exclusive. */
    public long windowEndMs() {
        return windowStartMs + windowSizeMs;
    }

    /** The start of the window of size {@code sizeMs} holding time {@code t}: floor(t / size) · size. */
    public static long windowStart(long t, long sizeMs) {
        return Math.floorDiv(t, sizeMs) * sizeMs;
    }

    /**
     * The record's key on the quality topic: {@code MODEL@vVERSION@WINDOW@START}, e.g.
     * {@code fraud@v3@1h@2025-11-22T09:00:00Z}: one key per window, so a compacted topic keeps its highest revision.
     */
    public String key() {
        return key(modelId, modelVersion, window, windowStartMs);
    }

    public static String key(String modelId, long modelVersion, String window, long windowStartMs) {
        return modelId + "@v" + modelVersion + "@" + window + "@" + Instant.ofEpochMilli(windowStartMs);
    }
}
