package io.streamscore.scorer.hostile;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.modellog.ModelRejection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of {@link ModelCorpus} reaches the model gate while fraud v1 is served: the gate counts exactly the
 * expected rejection, applies nothing, and v1 still scores the probe event bit for bit. Afterwards a good v3 is
 * applied, so the global thread survived the whole corpus.
 */
class HostileModelRecordsTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyKindOfBadModelIsRejectedWithItsReasonAndTheLastGoodModelKeepsServing() {
        long generating = System.nanoTime();
        List<ModelCorpus.Kind> kinds = ModelCorpus.all();
        double generated = (System.nanoTime() - generating) / 1e9;
        assertTrue(kinds.size() >= 20, "at least 20 kinds, got " + kinds.size());
        LogisticModel v1 = Harness.fraud(1);
        List<String> deviations = new ArrayList<>();
        Map<ModelRejection, Integer> byReason = new EnumMap<>(ModelRejection.class);
        long start = System.nanoTime();
        try (Harness h = new Harness()) {
            h.publish(v1);
            for (ModelCorpus.Kind kind : kinds) {
                Map<ModelRejection, Long> before = rejections(h);
                long applied = h.metrics.modelsAppliedCount();
                long retired = h.metrics.modelsRetiredCount();
                h.pipeModel(kind.key(), kind.value());
                Map<ModelRejection, Long> after = rejections(h);
                for (ModelRejection r : ModelRejection.values()) {
                    long delta = after.get(r) - before.get(r);
                    long want = r == kind.expected() ? 1 : 0;
                    if (delta != want) {
                        deviations.add(kind.name() + ": " + r + " counted " + delta + " times, expected " + want);
                    }
                    if (delta > 0) {
                        byReason.merge(r, (int) delta, Integer::sum);
                    }
                }
                if (h.metrics.modelsAppliedCount() != applied || h.metrics.modelsRetiredCount() != retired) {
                    deviations.add(kind.name() + ": the store changed");
                }
                if (!Map.of("fraud", 1L).equals(h.metrics.servingVersions())) {
                    deviations.add(kind.name() + ": serving " + h.metrics.servingVersions());
                }
                try {
                    h.assertServing(v1);
                } catch (AssertionError e) {
                    throw new AssertionError("after '" + kind.name() + "': " + e.getMessage() + "; so far: " + deviations, e);
                }
            }
            LogisticModel v3 = Harness.fraud(3);
            h.publish(v3);
            h.assertServing(v3);
            h.assertCountersMatch();
        }
        assertEquals(List.of(), deviations, "model records the gate treated differently from the contract");
        System.out.printf("hostile model corpus: %d kinds, rejections by reason %s, generated in %.1f s, run in %.1f s%n",
                kinds.size(), byReason, generated, (System.nanoTime() - start) / 1e9);
    }

    private static Map<ModelRejection, Long> rejections(Harness h) {
        Map<ModelRejection, Long> m = new EnumMap<>(ModelRejection.class);
        for (ModelRejection r : ModelRejection.values()) {
            m.put(r, h.metrics.modelsRejectedCount(r));
        }
        return m;
    }
}
