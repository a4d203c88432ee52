package io.streamscore.scorer;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.processor.StateRestoreListener;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * What the liveness and readiness probes answer, from what the scorer has observed: the Kafka Streams state (from the
 * state listener), the stream-thread replacements (from the uncaught-exception handler), the model topic's restore
 * into the global store (this class is the global state restore listener) and the age of the oldest record in flight
 * in the scoring processors. A probe only reads these fields, so it never blocks on Kafka.
 *
 * <ul>
 *   <li><b>Live</b> unless the instance cannot repair itself: the client is {@code ERROR} or {@code PENDING_ERROR}, or
 *   more than {@value #MAX_REPLACEMENTS} stream threads were replaced within a minute (each new thread dies again:
 *   restarting the process is the next thing to try).</li>
 *   <li><b>Ready</b> when live, the client is {@code RUNNING}, the model topic has been restored into the global store,
 *   and no record has been in flight longer than {@code streamscore.stuck.record.ms}.</li>
 * </ul>
 *
 * <p>Why the restore listener as well as {@code RUNNING}: in Kafka Streams 4.2, {@code KafkaStreams.start()} waits for
 * the global thread's bootstrap (the restore) and the client only turns {@code RUNNING} once the global thread is, so
 * {@code RUNNING} already implies the restore; the listener's own signal keeps readiness right should that ordering
 * change, and lets the probe say how far the restore is.
 */
public final class ScorerHealth implements StateRestoreListener {
    /** More stream-thread replacements than this within {@link #REPLACEMENT_WINDOW} fail liveness. */
    public static final int MAX_REPLACEMENTS = 3;
    public static final Duration REPLACEMENT_WINDOW = Duration.ofMinutes(1);
    /** Replacement times kept: enough to count past the limit, bounded however fast threads die. */
    private static final int REPLACEMENTS_KEPT = 16;

    /** One probe's answer: ok or not, and why, in one line without the verdict word. */
    public record Verdict(boolean ok, String why) {
    }

    private final String modelStore;
    private final InFlightRecords inFlight;
    private final Duration stuckLimit;
    private final LongSupplier nanoClock;
    private volatile KafkaStreams.State state = KafkaStreams.State.CREATED;
    private final ArrayDeque<Long> replacements = new ArrayDeque<>(); // guarded by itself
    /** Model-topic partitions being restored → {current offset, end offset}. */
    private final Map<TopicPartition, long[]> restoring = new ConcurrentHashMap<>();
    private final AtomicInteger partitionsRestored = new AtomicInteger();

    /**
     * @param modelStore the global store the model topic is restored into
     * @param stuckLimit readiness fails once a record has been in flight longer than this
     * @param nanoClock  {@link System#nanoTime()}, or a test's clock
     */
    public ScorerHealth(String modelStore, InFlightRecords inFlight, Duration stuckLimit, LongSupplier nanoClock) {
        this.modelStore = modelStore;
        this.inFlight = inFlight;
        this.stuckLimit = stuckLimit;
        this.nanoClock = nanoClock;
    }

    /** From the Kafka Streams state listener. */
    public void stateChanged(KafkaStreams.State now) {
        state = now;
    }

    public KafkaStreams.State state() {
        return state;
    }

    /** From the uncaught-exception handler, each time it answers REPLACE_THREAD. */
    public void threadReplaced() {
        long now = nanoClock.getAsLong();
        synchronized (replacements) {
            replacements.addLast(now);
            while (replacements.size() > REPLACEMENTS_KEPT) {
                replacements.removeFirst();
            }
        }
    }

    /** Replacements within the last {@link #REPLACEMENT_WINDOW} (at most {@value #REPLACEMENTS_KEPT} are counted). */
    int recentReplacements() {
        long since = nanoClock.getAsLong() - REPLACEMENT_WINDOW.toNanos();
        synchronized (replacements) {
            return (int) replacements.stream().filter(t -> t - since > 0).count();
        }
    }

    /** True once every model-topic partition whose restore started has ended, and at least one has. */
    boolean modelTopicRestored() {
        return partitionsRestored.get() > 0 && restoring.isEmpty();
    }

    public Verdict live() {
        return liveness(state, recentReplacements());
    }

    public Verdict ready() {
        return readiness(live(), state, modelTopicRestored(), restoreProgress(),
                inFlight.oldestAgeNanos(nanoClock.getAsLong()), stuckLimit);
    }

    /** The liveness rule, a pure function of what was observed. */
    static Verdict liveness(KafkaStreams.State state, int recentReplacements) {
        if (state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR) {
            return new Verdict(false, "Kafka Streams is " + state + " (stopped by a fatal error; see the log)");
        }
        if (recentReplacements > MAX_REPLACEMENTS) {
            return new Verdict(false, recentReplacements + " stream threads replaced in the last "
                    + REPLACEMENT_WINDOW.toSeconds() + " s (limit " + MAX_REPLACEMENTS + "; each new thread dies again, "
                    + "see the log)");
        }
        return new Verdict(true, "Kafka Streams is " + state);
    }

    /** The readiness rule, a pure function of what was observed. */
    static Verdict readiness(Verdict live, KafkaStreams.State state, boolean modelTopicRestored, String restoreProgress,
                             long oldestInFlightNanos, Duration stuckLimit) {
        if (!live.ok()) {
            return live;
        }
        if (state != KafkaStreams.State.RUNNING) {
            return new Verdict(false, "Kafka Streams is " + state
                    + (restoreProgress == null ? "" : ", restoring the model topic: " + restoreProgress));
        }
        if (!modelTopicRestored) {
            return new Verdict(false, "Kafka Streams is RUNNING but the model topic has not been restored"
                    + (restoreProgress == null ? "" : ": " + restoreProgress));
        }
        if (oldestInFlightNanos > stuckLimit.toNanos()) {
            return new Verdict(false, String.format(Locale.ROOT,
                    "a stream thread has been on one record for %.1f s (limit %d ms, %s)", oldestInFlightNanos / 1e9,
                    stuckLimit.toMillis(), ScorerConfig.STUCK_RECORD_MS));
        }
        return new Verdict(true, "Kafka Streams is RUNNING, model topic restored, no record in flight longer than "
                + stuckLimit.toMillis() + " ms");
    }

    /** Where the model-topic restore is, e.g. {@code models-0 at offset 120 of 5000}; null when none is under way. */
    String restoreProgress() {
        StringBuilder b = new StringBuilder();
        restoring.forEach((tp, offsets) -> b.append(b.length() == 0 ? "" : ", ").append(tp)
                .append(" at offset ").append(offsets[0]).append(" of ").append(offsets[1]));
        return b.length() == 0 ? null : b.toString();
    }

    // --- StateRestoreListener: called on the global thread while it bootstraps the global store ---

    @Override
    public void onRestoreStart(TopicPartition partition, String storeName, long startingOffset, long endingOffset) {
        if (modelStore.equals(storeName)) {
            restoring.put(partition, new long[]{startingOffset, endingOffset});
        }
    }

    @Override
    public void onBatchRestored(TopicPartition partition, String storeName, long batchEndOffset, long numRestored) {
        long[] offsets = modelStore.equals(storeName) ? restoring.get(partition) : null;
        if (offsets != null) {
            restoring.put(partition, new long[]{batchEndOffset, offsets[1]});
        }
    }

    @Override
    public void onRestoreEnd(TopicPartition partition, String storeName, long totalRestored) {
        if (modelStore.equals(storeName)) {
            restoring.remove(partition);
            partitionsRestored.incrementAndGet();
        }
    }
}
