package io.streamscore.trainer.retrain;

import java.time.Duration;
import java.time.Instant;

/**
 * The record timestamps a round reads: from {@code from} (inclusive) to {@code to} (exclusive), so consecutive ranges
 * that share a bound never count a record twice.
 */
public record TimeRange(Instant from, Instant to) {

    public TimeRange {
        if (!from.isBefore(to)) {
            throw new IllegalArgumentException("the range is empty: from " + from + " is not before to " + to);
        }
    }

    /** The last {@code length} up to {@code now}: [now − length, now). */
    public static TimeRange last(Duration length, Instant now) {
        if (length.isNegative() || length.isZero()) {
            throw new IllegalArgumentException("the range's length must be positive, got " + length);
        }
        return new TimeRange(now.minus(length), now);
    }

    public long fromMs() {
        return from.toEpochMilli();
    }

    public long toMs() {
        return to.toEpochMilli();
    }

    public boolean contains(long timestampMs) {
        return timestampMs >= fromMs() && timestampMs < toMs();
    }

    @Override
    public String toString() {
        return "[" + from + ", " + to + ")";
    }
}
