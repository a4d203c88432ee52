package io.streamscore.scorer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each scoring processor started the record it is working on, so that a stream thread stuck on one record shows
 * in the metrics and fails readiness. Each processor instance owns one {@link Marker}; the stream thread writes it
 * twice per record (no allocation, no lock, a release store only) and the HTTP thread reads all of them on a probe or
 * a scrape.
 */
public final class InFlightRecords {
    private final Set<Marker> markers = ConcurrentHashMap.newKeySet();

    /** A marker for one processor instance, counted until {@link #unregister}. Not on the hot path. */
    Marker register() {
        Marker m = new Marker();
        markers.add(m);
        return m;
    }

    void unregister(Marker marker) {
        markers.remove(marker);
    }

    /**
     * How long the oldest record still in flight has been so, in nanoseconds; 0 when no processor is inside a record.
     *
     * @param nowNanos {@link System#nanoTime()} now
     */
    public long oldestAgeNanos(long nowNanos) {
        long oldest = 0;
        for (Marker m : markers) {
            long started = m.startedNanos();
            if (started != Marker.IDLE) {
                oldest = Math.max(oldest, nowNanos - started);
            }
        }
        return oldest;
    }

    /** One processor's record in flight: the {@link System#nanoTime()} it started at, or {@link #IDLE}. */
    static final class Marker {
        /** No record in flight. nanoTime has an arbitrary origin, so no value is impossible; this one is improbable. */
        static final long IDLE = Long.MIN_VALUE;
        private static final VarHandle STARTED;

        static {
            try {
                STARTED = MethodHandles.lookup().findVarHandle(Marker.class, "started", long.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        @SuppressWarnings("unused") // written and read through STARTED
        private volatile long started = IDLE;

        /**
         * The stream thread starts a record. A release store: the reader needs the value soon, not a full fence per
         * record (a plain volatile write costs a StoreLoad barrier on every record).
         */
        void start(long nanos) {
            STARTED.setRelease(this, nanos);
        }

        /** The stream thread is done with the record (also when it threw). */
        void end() {
            STARTED.setRelease(this, IDLE);
        }

        long startedNanos() {
            return (long) STARTED.getAcquire(this);
        }
    }
}
