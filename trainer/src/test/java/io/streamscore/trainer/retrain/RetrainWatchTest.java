package io.streamscore.trainer.retrain;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class RetrainWatchTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** Hands out scripted batches of drift records, one per poll, then none. */
    private static final class ScriptedDrift implements RetrainWatch.DriftSource {
        private final Deque<List<DriftRecord>> batches;

        ScriptedDrift(List<List<DriftRecord>> batches) {
            this.batches = new ArrayDeque<>(batches);
        }

        @Override
        public List<DriftRecord> poll(Duration max) {
            if (batches.isEmpty()) {
                try {
                    Thread.sleep(Math.min(max.toMillis(), 20));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return List.of();
            }
            return batches.poll();
        }

        @Override
        public void wakeup() {
        }

        @Override
        public void close() {
        }
    }

    private static DriftRecord alert(long windowEndMs) {
        return new DriftRecord("fraud", 1, windowEndMs, 500, 0.3, Map.of("amount", 0.5), List.of("score", "amount"));
    }

    /** A decision of the kind given for the trigger given, as a round would return it. */
    private static Retrainer.Result decided(Decision.Trigger trigger, DriftRecord drift, Decision.Kind kind) {
        Instant now = Instant.now();
        Decision d = new Decision("fraud", now, trigger, kind, "test", GateMetric.LOG_LOSS, 0.3, 0.4, 0, 1L,
                kind.published() ? 2L : null, 400, 100, now.minusSeconds(3600), now, now.minusSeconds(600),
                "outcomes", drift == null ? null : drift.windowEndMs());
        return new Retrainer.Result(d, new DecisionLog.Written(0, 0));
    }

    private RetrainWatch watch(RetrainWatch.Settings settings, RetrainWatch.DriftSource drift,
                               RetrainWatch.HistorySource history, RetrainWatch.Round round) {
        return new RetrainWatch(settings, drift, history, round, Clock.systemUTC(), new PrintWriter(out, true),
                new PrintWriter(err, true));
    }

    @Test
    void aFailedRoundIsLoggedAndTriedAgainInsteadOfEndingTheWatch() {
        List<String> calls = new ArrayList<>();
        RetrainWatch w = watch(new RetrainWatch.Settings("fraud", null, 0.2, null, Duration.ofMillis(50), 2),
                new ScriptedDrift(List.of(List.of(alert(1000)))), () -> DecisionLog.History.NONE,
                (trigger, drift) -> {
                    calls.add(trigger + "@" + drift.windowEndMs());
                    if (calls.size() == 1) {
                        throw new Retrainer.RoundException(null, "no answer from the brokers", null);
                    }
                    return decided(trigger, drift, Decision.Kind.REJECTED);
                });
        assertEquals(2, w.run());
        assertEquals(List.of("DRIFT@1000", "DRIFT@1000"), calls, "the failed drift round is tried again");
        assertTrue(err.toString().contains("warning: watch: round 1 failed: no answer from the brokers; trying again in"
                + " 50ms"), err.toString());
        assertTrue(out.toString().contains("watch: stopped after 2 rounds (--max-rounds 2)"), out.toString());
    }

    @Test
    void aDriftWindowIsActedOnOnceAndNewerWindowsAgain() {
        List<String> calls = new ArrayList<>();
        RetrainWatch[] w = new RetrainWatch[1];
        w[0] = watch(new RetrainWatch.Settings("fraud", null, 0.2, null, Duration.ofSeconds(1), 0),
                new ScriptedDrift(List.of(List.of(alert(1000)), List.of(alert(1000)), List.of(alert(1000), alert(2000)),
                        List.of(alert(1500)))),
                () -> DecisionLog.History.NONE,
                (trigger, drift) -> {
                    calls.add(trigger + "@" + drift.windowEndMs());
                    if (calls.size() == 2) {
                        w[0].stop("test");
                    }
                    return decided(trigger, drift, Decision.Kind.REJECTED);
                });
        assertEquals(2, w[0].run());
        assertEquals(List.of("DRIFT@1000", "DRIFT@2000"), calls);
        assertTrue(out.toString().contains("watch: stopped after 2 rounds (test)"), out.toString());
    }

    @Test
    void windowsDecidedBeforeARestartAreNotActedOnAgain() {
        List<String> calls = new ArrayList<>();
        RetrainWatch[] w = new RetrainWatch[1];
        int[] historyReads = {0};
        w[0] = watch(new RetrainWatch.Settings("fraud", null, 0.2, null, Duration.ofMillis(20), 0),
                new ScriptedDrift(List.of(List.of(alert(1000), alert(2000)), List.of(alert(3000)))),
                () -> {
                    if (historyReads[0]++ == 0) {
                        throw new IllegalStateException("decisions topic unreachable");
                    }
                    return new DecisionLog.History(2000, 0);
                },
                (trigger, drift) -> {
                    calls.add(trigger + "@" + drift.windowEndMs());
                    w[0].stop("test");
                    return decided(trigger, drift, Decision.Kind.PUBLISHED);
                });
        assertEquals(1, w[0].run());
        assertEquals(List.of("DRIFT@3000"), calls);
        assertEquals(2, historyReads[0]);
        assertTrue(err.toString().contains("cannot read the earlier decisions (decisions topic unreachable); drift"
                + " waits, trying again in 20ms"), err.toString());
    }

    @Test
    void aScheduleRunsAtTheStartAndThenEveryPeriod() {
        List<Long> starts = new ArrayList<>();
        RetrainWatch w = watch(new RetrainWatch.Settings("fraud", Duration.ofMillis(100), 0.2, null,
                        Duration.ofSeconds(1), 3), null, () -> DecisionLog.History.NONE,
                (trigger, drift) -> {
                    assertEquals(Decision.Trigger.SCHEDULE, trigger);
                    starts.add(System.nanoTime());
                    return decided(trigger, drift, Decision.Kind.SKIPPED);
                });
        long t0 = System.nanoTime();
        assertEquals(3, w.run());
        assertTrue(starts.get(0) - t0 < 90_000_000L, "the first round at the start");
        assertTrue(starts.get(2) - starts.get(0) >= 190_000_000L, "then every 100 ms");
    }
}
