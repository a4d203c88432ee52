package io.streamscore.trainer.retrain;

import io.streamscore.common.outcome.DurationText;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code retrain --watch}: runs rounds on a schedule ({@code --every}) and/or when drift fires ({@code --on-drift}),
 * until {@link #stop(String)} (SIGTERM, Ctrl-C) or {@code --max-rounds}. With a schedule the first round runs at the start,
 * then every D after the previous scheduled time (missed times are skipped, not caught up). A drift round runs as soon
 * as a drift record fires ({@link DriftTrigger}); it goes before a scheduled round that is due at the same time. A
 * round that fails (a broker away, records it cannot read) is logged and does not end the watch: it is tried again
 * after {@code retryAfter}, or at the next scheduled round if that comes first. Drift triggers wait until the decisions
 * topic has been read, so that a restart does not act again on a drift window an earlier run decided on.
 */
public final class RetrainWatch {
    /** Longest wait between checks of the stop flag and the clock. */
    private static final long TICK_MS = 500;

    /** One round; what {@link Retrainer#round} does. */
    @FunctionalInterface
    public interface Round {
        Retrainer.Result run(Decision.Trigger trigger, DriftRecord drift) throws Exception;
    }

    /** The drift records of the drift topic, in the order they arrive. */
    public interface DriftSource extends AutoCloseable {
        /** The records that came within {@code max}; empty when none (or the topic is not there yet). */
        List<DriftRecord> poll(Duration max);

        /** Makes a {@link #poll} in progress return at once; from any thread. */
        void wakeup();

        @Override
        void close();
    }

    /** Reads what earlier decisions say (the decisions topic). */
    @FunctionalInterface
    public interface HistorySource {
        DecisionLog.History read() throws Exception;
    }

    /**
     * @param every          the schedule; null for none
     * @param drift          the drift records; null without {@code --on-drift}
     * @param staleAfter     drift windows that ended more than this before now are ignored (older than the rows a
     *                       round reads); null to take any
     * @param retryAfter     how long after a failed round it is tried again
     * @param maxRounds      stop after this many rounds (decided or failed); 0 for no bound
     */
    public record Settings(String modelId, Duration every, double driftThreshold, Duration staleAfter,
                           Duration retryAfter, int maxRounds) {
        public Settings {
            if (every != null && (every.isNegative() || every.isZero())) {
                throw new IllegalArgumentException("--every must be positive");
            }
            if (retryAfter.isNegative() || retryAfter.isZero()) {
                throw new IllegalArgumentException("--retry-after must be positive");
            }
            if (maxRounds < 0) {
                throw new IllegalArgumentException("--max-rounds must be >= 0, got " + maxRounds);
            }
        }
    }

    private final Settings settings;
    private final DriftSource drift;
    private final HistorySource history;
    private final Round round;
    private final Clock clock;
    private final PrintWriter out;
    private final PrintWriter err;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile String stopReason;

    public RetrainWatch(Settings settings, DriftSource drift, HistorySource history, Round round, Clock clock,
                        PrintWriter out, PrintWriter err) {
        if (settings.every() == null && drift == null) {
            throw new IllegalArgumentException("--watch needs --every D and/or --on-drift");
        }
        this.settings = settings;
        this.drift = drift;
        this.history = history;
        this.round = round;
        this.clock = clock;
        this.out = out;
        this.err = err;
    }

    /** Ends the watch after the round in progress, if any; from any thread. */
    public void stop(String why) {
        stopReason = why;
        stopped.countDown();
        if (drift != null) {
            drift.wakeup();
        }
    }

    private boolean isStopped() {
        return stopped.getCount() == 0;
    }

    /** Runs until stopped or {@code maxRounds}; returns the rounds run. */
    public int run() {
        long now = clock.millis();
        long nextSchedule = settings.every() != null ? now : Long.MAX_VALUE;
        long retryAt = Long.MIN_VALUE; // a failed drift round waits until then
        long historyAt = now;
        DriftTrigger trigger = null;
        int rounds = 0;
        say("watching '" + settings.modelId() + "'" + (settings.every() == null ? ""
                : ": a round every " + DurationText.format(settings.every())) + (drift == null ? ""
                : (settings.every() == null ? ": " : ", and ") + "a round when drift fires")
                + (settings.maxRounds() > 0 ? " (at most " + settings.maxRounds() + " rounds)" : ""));
        while (!isStopped() && (settings.maxRounds() == 0 || rounds < settings.maxRounds())) {
            now = clock.millis();
            if (drift != null && trigger == null && now >= historyAt) {
                try {
                    DecisionLog.History h = history.read();
                    trigger = new DriftTrigger(settings.modelId(), settings.driftThreshold(), h.driftWindowEndMs(),
                            h.publishedVersion());
                    say("drift: acting on windows " + (h.driftWindowEndMs() == Long.MIN_VALUE ? "(none decided before)"
                            : "ending after " + Instant.ofEpochMilli(h.driftWindowEndMs()) + " (decided before)")
                            + (h.publishedVersion() > 0 ? " of versions from v" + h.publishedVersion() + " on" : ""));
                } catch (Exception e) {
                    historyAt = now + settings.retryAfter().toMillis();
                    warn("cannot read the earlier decisions (" + message(e) + "); drift waits, trying again in "
                            + DurationText.format(settings.retryAfter()));
                }
            }
            Decision.Trigger due = null;
            DriftRecord firing = null;
            if (trigger != null && trigger.pending() != null && now >= retryAt) {
                due = Decision.Trigger.DRIFT;
                firing = trigger.pending();
            } else if (now >= nextSchedule) {
                due = Decision.Trigger.SCHEDULE;
                long every = settings.every().toMillis();
                while (nextSchedule <= now) {
                    nextSchedule += every;
                }
            }
            if (due == null) {
                long wait = Math.min(TICK_MS, Math.min(nextSchedule, trigger == null && drift != null ? historyAt
                        : trigger != null && trigger.pending() != null ? retryAt : Long.MAX_VALUE) - now);
                wait = Math.max(1, wait);
                if (trigger != null) {
                    for (DriftRecord r : drift.poll(Duration.ofMillis(wait))) {
                        offer(trigger, r);
                    }
                } else {
                    pause(wait);
                }
                continue;
            }
            rounds++;
            say("round " + rounds + " (" + due.wireName() + (firing == null ? "" : ": " + describe(firing)) + ")");
            try {
                Retrainer.Result result = round.run(due, firing);
                decided(trigger, firing, result.decision());
                retryAt = Long.MIN_VALUE;
            } catch (Exception e) {
                Decision made = e instanceof Retrainer.RoundException r ? r.decision() : null;
                long retry = clock.millis() + settings.retryAfter().toMillis();
                if (made != null) {
                    // Decided (perhaps published) but not recorded: acting on the trigger again would retrain twice.
                    decided(trigger, firing, made);
                } else if (due == Decision.Trigger.DRIFT) {
                    retryAt = retry;
                } else {
                    nextSchedule = Math.min(nextSchedule, retry);
                }
                warn("round " + rounds + " failed: " + message(e) + (made != null ? ""
                        : "; trying again in " + DurationText.format(settings.retryAfter())
                        + (due == Decision.Trigger.SCHEDULE && nextSchedule < retry ? " or at the next scheduled round"
                        : "")));
            }
        }
        say("stopped after " + rounds + " round" + (rounds == 1 ? "" : "s") + (isStopped() ? " (" + stopReason + ")"
                : " (--max-rounds " + settings.maxRounds() + ")"));
        return rounds;
    }

    private void offer(DriftTrigger trigger, DriftRecord r) {
        if (settings.staleAfter() != null && r.windowEndMs() < clock.millis() - settings.staleAfter().toMillis()) {
            return;
        }
        if (trigger.offer(r)) {
            say("drift fires: " + describe(r) + "; a round follows");
        }
    }

    private String describe(DriftRecord r) {
        return "v" + r.modelVersion() + " window ending " + Instant.ofEpochMilli(r.windowEndMs()) + ", "
                + r.firedBy(settings.driftThreshold());
    }

    private static void decided(DriftTrigger trigger, DriftRecord firing, Decision d) {
        if (trigger == null) {
            return;
        }
        if (firing != null) {
            trigger.handled(firing);
        }
        if (d.kind() == Decision.Kind.PUBLISHED) {
            trigger.championPublished(d.candidateVersion());
        }
    }

    private void pause(long ms) {
        try {
            stopped.await(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stop("interrupted");
        }
    }

    private static String message(Exception e) {
        return e.getMessage() == null ? e.toString() : e.getMessage();
    }

    private void say(String line) {
        out.println("watch: " + line);
        out.flush();
    }

    private void warn(String line) {
        err.println("warning: watch: " + line);
        err.flush();
    }
}
