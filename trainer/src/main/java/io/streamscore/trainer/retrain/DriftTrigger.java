package io.streamscore.trainer.retrain;

/**
 * When drift records start a retraining round, as a pure state machine: a record for the model that fires (alerts, or
 * a PSI at or above the threshold) is pending until a round handles it. A drift window triggers at most once: a record
 * whose {@code windowEndMs} is not after the last window handled is ignored, so a window's later revisions, and
 * records replayed after a restart (the watch starts from the windows its earlier decisions record), do not retrain
 * again. Records of several windows that arrive before a round coalesce into one round, for the newest window. Drift
 * measured on a model version older than the last one published as champion is ignored: that version is no longer
 * served, and the new one was trained on recent data.
 *
 * <p>Not thread-safe: the watch loop's thread only.
 */
public final class DriftTrigger {
    private final String modelId;
    private final double threshold;
    private long handledWindowEndMs;
    private long minModelVersion;
    private DriftRecord pending;

    /**
     * @param handledWindowEndMs the newest drift window already handled (Long.MIN_VALUE for none)
     * @param minModelVersion    drift of versions below this is ignored (0 for none)
     */
    public DriftTrigger(String modelId, double threshold, long handledWindowEndMs, long minModelVersion) {
        this.modelId = modelId;
        this.threshold = threshold;
        this.handledWindowEndMs = handledWindowEndMs;
        this.minModelVersion = minModelVersion;
    }

    /** Takes a record in; returns whether it made (or replaced) the pending trigger. */
    public boolean offer(DriftRecord r) {
        if (!modelId.equals(r.modelId()) || r.modelVersion() < minModelVersion || r.windowEndMs() <= handledWindowEndMs
                || !r.fires(threshold)) {
            return false;
        }
        if (pending != null && pending.windowEndMs() >= r.windowEndMs()) {
            return false;
        }
        pending = r;
        return true;
    }

    /** The record a drift round should run for; null when none. */
    public DriftRecord pending() {
        return pending;
    }

    /** A round decided for {@code r}: its window, and every older one, is handled. */
    public void handled(DriftRecord r) {
        handledWindowEndMs = Math.max(handledWindowEndMs, r.windowEndMs());
        if (pending != null && pending.windowEndMs() <= handledWindowEndMs) {
            pending = null;
        }
    }

    /**
     * A version was published as champion: drift measured on older versions no longer says anything about what is
     * served, so it is dropped (also when pending).
     */
    public void championPublished(long version) {
        minModelVersion = Math.max(minModelVersion, version);
        if (pending != null && pending.modelVersion() < minModelVersion) {
            pending = null;
        }
    }

    public double threshold() {
        return threshold;
    }

    public long handledWindowEndMs() {
        return handledWindowEndMs;
    }
}
