package io.streamscore.scorer;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScorerHealthTest {
    private static final Duration STUCK = Duration.ofSeconds(30);
    private static final TopicPartition MODELS_0 = new TopicPartition("models", 0);
    private static final TopicPartition MODELS_1 = new TopicPartition("models", 1);

    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    private final InFlightRecords inFlight = new InFlightRecords();
    private final ScorerHealth health = new ScorerHealth(ScorerTopology.MODEL_STORE, inFlight, STUCK, now::get);

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    private void restoreModelTopic() {
        health.onRestoreStart(MODELS_0, ScorerTopology.MODEL_STORE, 0, 5);
        health.onBatchRestored(MODELS_0, ScorerTopology.MODEL_STORE, 5, 5);
        health.onRestoreEnd(MODELS_0, ScorerTopology.MODEL_STORE, 5);
    }

    // ---- the pure rules: state x replacements x restore x stuck ----

    @ParameterizedTest
    @EnumSource(State.class)
    void livenessFailsOnlyInErrorStatesOrAfterTooManyReplacements(State state) {
        boolean broken = state == State.ERROR || state == State.PENDING_ERROR;
        for (int replacements = 0; replacements <= ScorerHealth.MAX_REPLACEMENTS + 2; replacements++) {
            ScorerHealth.Verdict v = ScorerHealth.liveness(state, replacements);
            boolean expected = !broken && replacements <= ScorerHealth.MAX_REPLACEMENTS;
            assertEquals(expected, v.ok(), state + " with " + replacements + " replacements: " + v);
            if (broken) {
                assertEquals("Kafka Streams is " + state + " (stopped by a fatal error; see the log)", v.why());
            } else if (!expected) {
                assertTrue(v.why().startsWith(replacements + " stream threads replaced in the last 60 s (limit 3"), v.why());
            } else {
                assertEquals("Kafka Streams is " + state, v.why());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(State.class)
    void readinessNeedsRunningRestoredNotStuckAndLive(State state) {
        ScorerHealth.Verdict live = ScorerHealth.liveness(state, 0);
        for (boolean restored : new boolean[]{false, true}) {
            for (long inFlightMs : new long[]{0, STUCK.toMillis(), STUCK.toMillis() + 1}) {
                ScorerHealth.Verdict v = ScorerHealth.readiness(live, state, restored, null,
                        Duration.ofMillis(inFlightMs).toNanos(), STUCK);
                boolean expected = state == State.RUNNING && restored && inFlightMs <= STUCK.toMillis();
                assertEquals(expected, v.ok(), state + ", restored " + restored + ", in flight " + inFlightMs + " ms: " + v);
                if (state != State.RUNNING) {
                    assertTrue(v.why().startsWith("Kafka Streams is " + state), v.why());
                } else if (!restored) {
                    assertEquals("Kafka Streams is RUNNING but the model topic has not been restored", v.why());
                } else if (!expected) {
                    assertEquals("a stream thread has been on one record for 30.0 s (limit 30000 ms, "
                            + "streamscore.stuck.record.ms)", v.why());
                }
            }
        }
    }

    @Test
    void readinessFailsWithLivenessEvenWhenRunning() {
        ScorerHealth.Verdict notLive = ScorerHealth.liveness(State.RUNNING, ScorerHealth.MAX_REPLACEMENTS + 1);
        ScorerHealth.Verdict v = ScorerHealth.readiness(notLive, State.RUNNING, true, null, 0, STUCK);
        assertFalse(v.ok());
        assertEquals(notLive.why(), v.why());
    }

    // ---- what the scorer observed, through the listener and handler callbacks ----

    @Test
    void startsNotReadyAndBecomesReadyWhenRunningAfterTheModelTopicIsRestored() {
        assertEquals(State.CREATED, health.state());
        assertTrue(health.live().ok(), health.live().toString());
        assertEquals("Kafka Streams is CREATED", health.ready().why());

        health.stateChanged(State.REBALANCING);
        health.onRestoreStart(MODELS_0, ScorerTopology.MODEL_STORE, 0, 5000);
        health.onBatchRestored(MODELS_0, ScorerTopology.MODEL_STORE, 120, 120);
        assertTrue(health.live().ok(), "restoring is live");
        assertEquals("Kafka Streams is REBALANCING, restoring the model topic: models-0 at offset 120 of 5000",
                health.ready().why());
        health.onRestoreEnd(MODELS_0, ScorerTopology.MODEL_STORE, 5000);
        assertFalse(health.ready().ok(), "restored but not RUNNING yet");

        health.stateChanged(State.RUNNING);
        ScorerHealth.Verdict ready = health.ready();
        assertTrue(ready.ok(), ready.toString());
        assertEquals("Kafka Streams is RUNNING, model topic restored, no record in flight longer than 30000 ms", ready.why());

        health.stateChanged(State.REBALANCING);
        assertEquals("Kafka Streams is REBALANCING", health.ready().why());
        assertTrue(health.live().ok());
    }

    @Test
    void runningWithoutAnObservedRestoreIsNotReady() {
        health.stateChanged(State.RUNNING);
        assertEquals("Kafka Streams is RUNNING but the model topic has not been restored", health.ready().why());
        health.onRestoreStart(MODELS_0, "some-other-store", 0, 10);
        health.onRestoreEnd(MODELS_0, "some-other-store", 10);
        assertFalse(health.ready().ok(), "another store's restore is not the model topic's");
    }

    @Test
    void everyStartedPartitionMustEnd() {
        health.onRestoreStart(MODELS_0, ScorerTopology.MODEL_STORE, 0, 5);
        health.onRestoreEnd(MODELS_0, ScorerTopology.MODEL_STORE, 5);
        health.onRestoreStart(MODELS_1, ScorerTopology.MODEL_STORE, 0, 7);
        health.stateChanged(State.RUNNING);
        assertFalse(health.modelTopicRestored());
        assertEquals("models-1 at offset 0 of 7", health.restoreProgress());
        health.onRestoreEnd(MODELS_1, ScorerTopology.MODEL_STORE, 7);
        assertTrue(health.modelTopicRestored());
        assertNull(health.restoreProgress());
        assertTrue(health.ready().ok());
    }

    @Test
    void moreThanThreeReplacementsWithinAMinuteFailLivenessUntilTheyAgeOut() {
        health.stateChanged(State.RUNNING);
        restoreModelTopic();
        for (int i = 0; i < ScorerHealth.MAX_REPLACEMENTS; i++) {
            health.threadReplaced();
            advance(Duration.ofSeconds(10));
        }
        assertTrue(health.live().ok(), "3 replacements in 30 s: " + health.live());
        health.threadReplaced();
        assertFalse(health.live().ok());
        assertEquals("4 stream threads replaced in the last 60 s (limit 3; each new thread dies again, see the log)",
                health.live().why());
        assertEquals(health.live().why(), health.ready().why(), "not live, so not ready either");
        advance(Duration.ofSeconds(31)); // the first replacement is now 61 s old
        assertTrue(health.live().ok(), health.live().toString());
        assertEquals(3, health.recentReplacements());
    }

    @Test
    void replacementsSpreadOverMoreThanAMinuteStayLive() {
        for (int i = 0; i < 20; i++) {
            health.threadReplaced();
            advance(Duration.ofSeconds(21));
            assertTrue(health.live().ok(), "replacement " + i + ": " + health.live());
        }
    }

    @Test
    void aRecordInFlightLongerThanTheLimitFailsReadinessButNotLiveness() {
        health.stateChanged(State.RUNNING);
        restoreModelTopic();
        InFlightRecords.Marker idle = inFlight.register();
        InFlightRecords.Marker busy = inFlight.register();
        busy.start(now.get());
        advance(STUCK);
        assertTrue(health.ready().ok(), "exactly at the limit: " + health.ready());
        advance(Duration.ofMillis(12_345));
        ScorerHealth.Verdict ready = health.ready();
        assertFalse(ready.ok());
        assertEquals("a stream thread has been on one record for 42.3 s (limit 30000 ms, streamscore.stuck.record.ms)",
                ready.why());
        assertTrue(health.live().ok(), "a stuck thread is for readiness only");
        busy.end();
        assertTrue(health.ready().ok(), health.ready().toString());
        idle.start(now.get());
        inFlight.unregister(idle);
        advance(STUCK.multipliedBy(2));
        assertTrue(health.ready().ok(), "an unregistered processor no longer counts");
    }

    @Test
    void theOldestInFlightRecordIsTheOneThatCounts() {
        InFlightRecords.Marker a = inFlight.register();
        InFlightRecords.Marker b = inFlight.register();
        assertEquals(0, inFlight.oldestAgeNanos(now.get()));
        a.start(now.get());
        advance(Duration.ofSeconds(5));
        b.start(now.get());
        advance(Duration.ofSeconds(1));
        assertEquals(Duration.ofSeconds(6).toNanos(), inFlight.oldestAgeNanos(now.get()));
        a.end();
        assertEquals(Duration.ofSeconds(1).toNanos(), inFlight.oldestAgeNanos(now.get()));
        b.end();
        assertEquals(0, inFlight.oldestAgeNanos(now.get()));
    }
}
