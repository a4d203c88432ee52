package io.streamscore.common.modellog;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.event.ModelSelection;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Which version of one model id scores an event: an immutable snapshot of the id's eligible versions, built by
 * {@link ModelLog#history} after every model record and read by any number of threads without a lock.
 *
 * <p>The one place the selection rule lives ({@link #select}):
 * <ul>
 *   <li>{@code latest}: the version {@link ModelLog#served} names (the highest valid, unretired version);</li>
 *   <li>{@code event-time}: the version that was being served at the event's timestamp {@code t}, i.e. the highest
 *       eligible version among those whose publish time is at or before {@code t}; none when {@code t} is earlier than
 *       every eligible version's publish time.</li>
 * </ul>
 * A version's publish time is the timestamp of the record under its key {@code ID@vN} (docs/model-topic.md). Which
 * versions are eligible is decided by {@link #eligible} alone, and is what they are now: a retired version is never
 * selected, even for events from the time it was served, and a challenger is never selected while its challenge lasts
 * (a promotion writes its version record again, so that its publish time is the moment it became the champion).
 *
 * <p>The challengers ({@link #challengers}) are the versions under challenge now, whichever selection picks the
 * champion: shadow scoring compares candidates on today's traffic, it does not reconstruct the past.
 *
 * <p>Cost per event: {@code latest} is one field read; {@code event-time} a binary search over the eligible versions
 * sorted by publish time, then one array read (the highest version up to each position is precomputed).
 */
public final class ServingHistory {
    /** One version as it is selected: the model and its publish time. */
    public record ServedVersion(LogisticModel model, Instant publishedAt) {
    }

    private static final ServingHistory EMPTY = new ServingHistory(new long[0], new ServedVersion[0], null, List.of());

    /** Publish times of the eligible versions, ascending (ties: ascending version). */
    private final long[] publishedAt;
    /** {@code newestUpTo[i]}: the highest eligible version among positions 0..i, i.e. published by publishedAt[i]. */
    private final ServedVersion[] newestUpTo;
    /** The version served now; null when no version is eligible. */
    private final ServedVersion served;
    /** The versions under challenge and servable, ascending by version; immutable. */
    private final List<ServedVersion> challengers;

    private ServingHistory(long[] publishedAt, ServedVersion[] newestUpTo, ServedVersion served,
                           List<ServedVersion> challengers) {
        this.publishedAt = publishedAt;
        this.newestUpTo = newestUpTo;
        this.served = served;
        this.challengers = challengers;
    }

    /**
     * Whether {@code v} may be selected to score events by {@code event-time}: it holds a valid model, is not retired and
     * is not under challenge. The only test of eligibility for event-time selection; it must agree with the rule of {@link
     * ModelLog#served} (for an event later than every publish time both selections pick the same version), which
     * ModelLogTest checks over random histories.
     */
    public static boolean eligible(ModelLog.Version v) {
        return v.model() != null && v.retirement() == null && v.challenge() == null;
    }

    /**
     * The history of one id: its {@code versions} (as {@link ModelLog#versions} lists them) and the model {@link
     * ModelLog#served} names for it, which {@code latest} keeps selecting exactly as before event-time selection existed.
     */
    static ServingHistory of(List<ModelLog.Version> versions, LogisticModel servedModel) {
        List<ModelLog.Version> eligible = new ArrayList<>();
        List<ServedVersion> challengers = new ArrayList<>();
        ServedVersion served = null;
        for (ModelLog.Version v : versions) { // ascending by version
            if (eligible(v)) {
                eligible.add(v);
            } else if (v.servable() && v.challenge() != null) {
                challengers.add(new ServedVersion(v.model(), Instant.ofEpochMilli(v.publishedAt())));
            }
            if (servedModel != null && v.model() == servedModel) {
                served = new ServedVersion(v.model(), Instant.ofEpochMilli(v.publishedAt()));
            }
        }
        if (eligible.isEmpty() && served == null && challengers.isEmpty()) {
            return EMPTY;
        }
        eligible.sort(Comparator.comparingLong(ModelLog.Version::publishedAt).thenComparingLong(ModelLog.Version::version));
        int n = eligible.size();
        long[] times = new long[n];
        ServedVersion[] newest = new ServedVersion[n];
        ServedVersion best = null;
        for (int i = 0; i < n; i++) {
            ModelLog.Version v = eligible.get(i);
            times[i] = v.publishedAt();
            if (best == null || v.version() > best.model().version()) {
                // the same object as `served` when it is that version, so both selections hand out one instance
                best = served != null && served.model() == v.model() ? served
                        : new ServedVersion(v.model(), Instant.ofEpochMilli(v.publishedAt()));
            }
            newest[i] = best;
        }
        return new ServingHistory(times, newest, served, List.copyOf(challengers));
    }

    /** True when nothing is served for the id, in either selection, and nothing is under challenge. */
    public boolean isEmpty() {
        return served == null && publishedAt.length == 0 && challengers.isEmpty();
    }

    /**
     * The challengers: every servable version under challenge now, ascending by version; empty for none. What {@link
     * ModelLog#challengers} names, with publish times.
     */
    public List<ServedVersion> challengers() {
        return challengers;
    }

    /** The version {@code latest} selects: the one served now; null when none is eligible. */
    public ServedVersion served() {
        return served;
    }

    /**
     * The version {@code event-time} selects for an event at {@code eventTimestamp} (ms since the epoch): the highest
     * eligible version published at or before it; null when the event is older than every eligible version.
     */
    public ServedVersion at(long eventTimestamp) {
        int lo = 0;
        int hi = publishedAt.length - 1;
        int found = -1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (publishedAt[mid] <= eventTimestamp) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found < 0 ? null : newestUpTo[found];
    }

    /** The version {@code selection} picks for an event at {@code eventTimestamp}; null when none. */
    public ServedVersion select(ModelSelection selection, long eventTimestamp) {
        return selection == ModelSelection.LATEST ? served : at(eventTimestamp);
    }

    /** The first eligible version to be published (what an event must not predate); null when none is eligible. */
    public ServedVersion earliest() {
        return newestUpTo.length == 0 ? null : newestUpTo[0];
    }
}
