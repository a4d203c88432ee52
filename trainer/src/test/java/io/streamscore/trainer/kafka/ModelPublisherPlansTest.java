package io.streamscore.trainer.kafka;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.modellog.Challenge;
import io.streamscore.common.modellog.ModelLog;
import io.streamscore.common.modellog.ModelLogKey;
import io.streamscore.common.modellog.Retirement;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The records that challenge, promote, drop and rollback write, checked without a broker: what the scorers serve once
 * they have read the whole transaction, and that no prefix of it (the scorers apply it record by record) serves a
 * version that is neither the champion before nor the champion after.
 */
class ModelPublisherPlansTest {
    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");

    private static LogisticModel model(long version) {
        return new LogisticModel("fraud", version, List.of("a", "b"), new double[]{version, -1}, 0.1, null, 0.5, null);
    }

    /** v1..v{@code n} published; {@code challengers} under challenge; {@code retired} retired. */
    private static ModelLog topic(int n, List<Long> challengers, List<Long> retired) {
        ModelLog log = new ModelLog();
        for (long v = 1; v <= n; v++) {
            log.apply(ModelLogKey.version("fraud", v).toBytes(),
                    ModelJson.toCompactJson(model(v)).getBytes(StandardCharsets.UTF_8), v);
        }
        for (long v : challengers) {
            log.apply(ModelLogKey.challenge("fraud", v).toBytes(), new Challenge("fraud", v, NOW).toBytes(), 0);
        }
        for (long v : retired) {
            log.apply(ModelLogKey.retirement("fraud", v).toBytes(), new Retirement("fraud", v, NOW, "").toBytes(), 0);
        }
        return log;
    }

    private static List<Long> versions(List<LogisticModel> models) {
        return models.stream().map(LogisticModel::version).toList();
    }

    private static Long served(ModelLog log) {
        LogisticModel m = log.served("fraud");
        return m == null ? null : m.version();
    }

    /** Applies {@code writes} one by one; every intermediate champion must be the one before or the one after. */
    private static ModelLog applyStepByStep(ModelLog log, List<ModelPublisher.Write> writes) {
        Long before = served(log);
        Long after = served(ModelPublisher.copyWith(log, writes, 0));
        for (int i = 0; i <= writes.size(); i++) {
            Long now = served(ModelPublisher.copyWith(log, writes.subList(0, i), 0));
            assertTrue(Objects.equals(now, before) || Objects.equals(now, after), "after " + i + " of " + writes.size()
                    + " records the scorers would serve v" + now + ", neither v" + before + " nor v" + after);
        }
        return ModelPublisher.copyWith(log, writes, 0);
    }

    @Test
    void challengeMakesAVersionAShadowAndTheChampionFallsBackWhenItWasServed() throws Exception {
        ModelLog log = topic(3, List.of(), List.of());
        ModelLog after = applyStepByStep(log, ModelPublisher.challengeWrites(log, "fraud", 3, NOW));
        assertEquals(2L, served(after));
        assertEquals(List.of(3L), versions(after.challengers("fraud")));

        after = applyStepByStep(after, ModelPublisher.challengeWrites(after, "fraud", 1, NOW));
        assertEquals(2L, served(after));
        assertEquals(List.of(1L, 3L), versions(after.challengers("fraud")));

        ModelLog twice = after;
        assertTrue(assertThrows(ModelPublisher.PublishException.class,
                () -> ModelPublisher.challengeWrites(twice, "fraud", 3, NOW)).getMessage()
                .contains("fraud version 3 is already a challenger"));
        ModelLog retired = topic(3, List.of(), List.of(3L));
        assertTrue(assertThrows(ModelPublisher.PublishException.class,
                () -> ModelPublisher.challengeWrites(retired, "fraud", 3, NOW)).getMessage()
                .contains("is retired; restore it first"));
        assertTrue(assertThrows(ModelPublisher.PublishException.class,
                () -> ModelPublisher.challengeWrites(retired, "fraud", 9, NOW)).getMessage()
                .contains("model 'fraud' has no version 9"));
    }

    @Test
    void promoteEndsTheChallengeAndRetiresTheVersionsAboveThatCouldServe() throws Exception {
        // v4 serves; v2 and v5 are challengers; promoting v2 retires v3 and v4, and leaves v5 a challenger.
        ModelLog log = topic(5, List.of(2L, 5L), List.of());
        assertEquals(4L, served(log));
        List<ModelPublisher.Write> writes = ModelPublisher.promoteWrites(log, "fraud", 2, NOW, "");
        assertEquals(List.of("fraud@v2", "fraud@v2@challenger", "fraud@v3@retired", "fraud@v4@retired"),
                writes.stream().map(w -> w.key().toString()).toList());
        assertEquals(model(2), ModelJson.fromBytes(writes.get(0).value()), "the version record written again, unchanged");
        assertNull(writes.get(1).value(), "the challenge ends with a tombstone");
        ModelLog after = applyStepByStep(log, writes);
        assertEquals(2L, served(after));
        assertEquals(List.of(5L), versions(after.challengers("fraud")));
        assertEquals("challenger v2 promoted", Retirement.fromBytes(writes.get(2).value()).reason());

        // Event-time selection serves v2 from its promotion on, not from its first publish (time 2): before the
        // promotion (applied at time 1000) the version served at any time is what served then, less the retired.
        ModelLog promoted = ModelPublisher.copyWith(log, writes, 1_000);
        assertEquals(1L, promoted.history("fraud").at(999).model().version());
        assertEquals(2L, promoted.history("fraud").at(1_000).model().version());
        assertEquals(List.of(5L), promoted.history("fraud").challengers().stream()
                .map(c -> c.model().version()).toList());

        // The highest challenger promoted retires nothing: it is above every servable version already.
        ModelLog top = topic(5, List.of(5L), List.of());
        after = applyStepByStep(top, ModelPublisher.promoteWrites(top, "fraud", 5, NOW, "better AUC"));
        assertEquals(5L, served(after));
        assertEquals(List.of(), after.challengers("fraud"));

        assertTrue(assertThrows(ModelPublisher.PublishException.class,
                () -> ModelPublisher.promoteWrites(log, "fraud", 3, NOW, "")).getMessage()
                .contains("cannot promote fraud version 3: it is not a challenger"));
        ModelLog retiredChallenger = topic(3, List.of(3L), List.of(3L));
        assertTrue(assertThrows(ModelPublisher.PublishException.class,
                () -> ModelPublisher.promoteWrites(retiredChallenger, "fraud", 3, NOW, "")).getMessage()
                .contains("it is retired"));
    }

    @Test
    void dropRetiresTheChallengerBeforeItsChallengeEnds() throws Exception {
        // A challenger above the champion: ending the challenge first would serve it for a moment.
        ModelLog log = topic(3, List.of(3L), List.of());
        List<ModelPublisher.Write> writes = ModelPublisher.dropWrites(log, "fraud", 3, NOW, "");
        assertEquals(List.of("fraud@v3@retired", "fraud@v3@challenger"),
                writes.stream().map(w -> w.key().toString()).toList());
        ModelLog after = applyStepByStep(log, writes);
        assertEquals(2L, served(after));
        assertEquals(List.of(), after.challengers("fraud"));
        assertEquals("fraud", after.versions("fraud").get(2).retirement().modelId());

        assertTrue(assertThrows(ModelPublisher.PublishException.class,
                () -> ModelPublisher.dropWrites(log, "fraud", 2, NOW, "")).getMessage()
                .contains("cannot drop fraud version 2: it is not a challenger"));
    }

    @Test
    void rollbackLeavesChallengersAboveAloneAndMakesARetiredChallengerTheChampion() throws Exception {
        // v5 serves, v4 challenges it, v2 is retired and a challenger: roll back to v2.
        ModelLog log = topic(5, List.of(2L, 4L), List.of(2L));
        assertEquals(5L, served(log));
        List<ModelPublisher.Write> writes = ModelPublisher.rollbackWrites(log, "fraud", 2, NOW, "");
        assertEquals(List.of("fraud@v2", "fraud@v2@challenger", "fraud@v2@retired", "fraud@v3@retired",
                        "fraud@v5@retired"),
                writes.stream().map(w -> w.key().toString()).toList());
        ModelLog after = applyStepByStep(log, writes);
        assertEquals(2L, served(after));
        assertEquals(List.of(4L), versions(after.challengers("fraud")));
    }

    @Test
    void publishingAsAChallengerNeverServesTheNewVersion() {
        ModelLog log = topic(2, List.of(), List.of());
        ModelLog after = applyStepByStep(log, ModelPublisher.publishWrites(model(3), true, NOW));
        assertEquals(2L, served(after));
        assertEquals(List.of(3L), versions(after.challengers("fraud")));

        after = applyStepByStep(log, ModelPublisher.publishWrites(model(3), false, NOW));
        assertEquals(3L, served(after));
        assertEquals(List.of(), after.challengers("fraud"));
    }

    private static LogisticModel withFeatures(long version, String... names) {
        return new LogisticModel("churn", version, List.of(names), new double[names.length], 0, null, 0.5, null);
    }

    @Test
    void aPublishNamesTheFeaturesAddedAndRemovedAgainstTheServedVersion() {
        LogisticModel served = withFeatures(2, "age", "income", "customer_id");
        assertNull(new ModelPublisher.Published(withFeatures(3, "age", "income", "customer_id"), 0, 0, served)
                .featureChange());
        assertNull(new ModelPublisher.Published(withFeatures(1, "age"), 0, 0, null).featureChange(), "nothing served");
        LogisticModel next = withFeatures(3, "age", "income", "plan_gold");
        assertEquals("version 3 of 'churn' has other features than the served version 2: added plan_gold; removed"
                + " customer_id. Once it is served, events that lack the added feature are dead-lettered MISSING_FEATURE:"
                + " update the producers first; positional events need its feature schema " + next.featureSchema(),
                new ModelPublisher.Published(next, 0, 0, served).featureChange());
        LogisticModel fewer = withFeatures(3, "age", "income");
        assertEquals("version 3 of 'churn' has other features than the served version 2: removed customer_id. Events"
                + " that still carry the removed features are scored (extra names are ignored); positional events need"
                + " its feature schema " + fewer.featureSchema(), new ModelPublisher.Published(fewer, 0, 0, served)
                .featureChange());
        LogisticModel reordered = withFeatures(3, "income", "age", "customer_id");
        assertEquals("version 3 of 'churn' has other features than the served version 2: the same names in another"
                + " order, so positional events must send its feature schema " + reordered.featureSchema()
                + " (events by name are unaffected)", new ModelPublisher.Published(reordered, 0, 0, served).featureChange());
    }
}
