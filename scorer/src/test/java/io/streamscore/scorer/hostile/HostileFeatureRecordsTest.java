package io.streamscore.scorer.hostile;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.event.ReasonCode;
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
 * Every kind of {@link FeatureCorpus} through the real topology: no exception escapes, each record yields exactly one
 * output, and each gets the outcome the documented contract demands (the reason code, or the exact score).
 * Mismatches are collected and reported together, so one run shows every deviation.
 */
class HostileFeatureRecordsTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyKindOfMalformedFeatureRecordGetsExactlyOneOutputWithTheDocumentedOutcome() {
        List<FeatureCorpus.Kind> kinds = FeatureCorpus.all();
        assertTrue(kinds.size() >= 50, "at least 50 kinds, got " + kinds.size());
        LogisticModel fraud = Harness.fraud(1);
        List<String> deviations = new ArrayList<>();
        Map<ReasonCode, Integer> byReason = new EnumMap<>(ReasonCode.class);
        int records = 0;
        long start = System.nanoTime();
        try (Harness h = new Harness()) {
            h.publish(fraud);
            h.publish(Harness.wide());
            for (FeatureCorpus.Kind kind : kinds) {
                for (FeatureCorpus.Rec rec : kind.records()) {
                    Harness.Outcome o = h.pipe(rec.key(), rec.value());
                    records++;
                    if (!o.isScore()) {
                        byReason.merge(ReasonCode.valueOf(o.reason()), 1, Integer::sum);
                    }
                    String expected = rec.expected() == null ? "scored" : rec.expected().name();
                    String actual = o.isScore() ? "scored" : o.reason();
                    if (!expected.equals(actual)) {
                        deviations.add(kind.name() + ": expected " + expected + ", got " + o);
                    } else if (o.isScore() && rec.x() != null) {
                        double p = fraud.predictProbability(rec.x());
                        if (Double.doubleToRawLongBits(p) != Double.doubleToRawLongBits(o.score().probability())) {
                            deviations.add(kind.name() + ": expected p=" + p + ", got " + o.score().probability());
                        }
                    }
                }
            }
            h.assertCountersMatch();
            assertEquals(records, h.inputs);
            // The topology is still healthy: a good event after the whole corpus is scored exactly.
            h.assertServing(fraud);
        }
        assertEquals(List.of(), deviations, "records whose outcome differs from the documented contract");
        System.out.printf("hostile feature corpus: %d kinds, %d records, dead letters by reason %s, %.1f s%n",
                kinds.size(), records, byReason, (System.nanoTime() - start) / 1e9);
    }
}
