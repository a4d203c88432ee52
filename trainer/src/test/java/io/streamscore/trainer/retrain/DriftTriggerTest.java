package io.streamscore.trainer.retrain;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DriftTriggerTest {

    private static DriftRecord record(String model, long version, long windowEnd, double scorePsi,
                                      Map<String, Double> featurePsi, List<String> alerts) {
        return new DriftRecord(model, version, windowEnd, 1000, scorePsi, featurePsi, alerts);
    }

    private static DriftRecord alert(long version, long windowEnd) {
        return record("fraud", version, windowEnd, 0.05, Map.of("amount", 0.4), List.of("amount"));
    }

    private static DriftRecord quiet(long version, long windowEnd) {
        return record("fraud", version, windowEnd, 0.05, Map.of("amount", 0.1), List.of());
    }

    @Test
    void readsTheScorersDriftRecord() {
        DriftRecord r = DriftRecord.parse(("{\"modelId\":\"fraud\",\"modelVersion\":3,\"windowStartMs\":1764770400000,"
                + "\"windowEndMs\":1764774000000,\"revision\":2,\"count\":812,\"scorePsi\":0.31,"
                + "\"featurePsi\":{\"amount\":0.27,\"age\":0.01,\"night\":null},\"alerts\":[\"score\",\"amount\"]}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("fraud", r.modelId());
        assertEquals(3, r.modelVersion());
        assertEquals(1764774000000L, r.windowEndMs());
        assertEquals(812, r.count());
        assertEquals(0.31, r.scorePsi());
        assertEquals(Map.of("amount", 0.27, "age", 0.01), r.featurePsi());
        assertEquals(List.of("score", "amount"), r.alerts());
        assertThrows(IllegalArgumentException.class, () -> DriftRecord.parse("{\"windowEndMs\":1}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> DriftRecord.parse("{\"modelId\":\"m\"}".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> DriftRecord.parse("[1]".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> DriftRecord.parse(null));
    }

    @Test
    void firesOnAlertsOrOnAnyPsiAtTheThreshold() {
        assertTrue(alert(1, 10).fires(0.2));
        assertFalse(quiet(1, 10).fires(0.2));
        assertTrue(quiet(1, 10).fires(0.1), "a feature PSI equal to the threshold fires");
        assertTrue(record("fraud", 1, 10, 0.25, Map.of(), List.of()).fires(0.2), "the score's PSI counts");
        assertFalse(record("fraud", 1, 10, Double.NaN, Map.of(), List.of()).fires(0.2));
        assertEquals("alerts amount", alert(1, 10).firedBy(0.2));
        assertEquals("amount PSI 0.1 (--drift-threshold 0.1)", quiet(1, 10).firedBy(0.1));
    }

    @Test
    void aWindowTriggersOnceWhateverItsRevisions() {
        DriftTrigger t = new DriftTrigger("fraud", 0.2, Long.MIN_VALUE, 0);
        assertFalse(t.offer(quiet(1, 100)));
        assertTrue(t.offer(alert(1, 100)));
        assertFalse(t.offer(alert(1, 100)), "revision 2 of the pending window");
        DriftRecord pending = t.pending();
        t.handled(pending);
        assertNull(t.pending());
        assertFalse(t.offer(alert(1, 100)), "revision 3 after the round");
        assertFalse(t.offer(alert(1, 90)), "an older window");
        assertTrue(t.offer(alert(1, 200)), "a newer window triggers again");
    }

    @Test
    void windowsThatArriveBeforeARoundCoalesceIntoOneForTheNewest() {
        DriftTrigger t = new DriftTrigger("fraud", 0.2, Long.MIN_VALUE, 0);
        assertTrue(t.offer(alert(1, 100)));
        assertTrue(t.offer(alert(1, 200)));
        assertFalse(t.offer(alert(1, 150)));
        assertEquals(200, t.pending().windowEndMs());
        t.handled(t.pending());
        assertFalse(t.offer(alert(1, 150)), "older than the window handled");
    }

    @Test
    void windowsDecidedBeforeARestartAndOtherModelsAndReplacedVersionsDoNotTrigger() {
        DriftTrigger t = new DriftTrigger("fraud", 0.2, 100, 2);
        assertFalse(t.offer(alert(2, 100)), "decided before the restart");
        assertFalse(t.offer(alert(1, 300)), "drift of v1, replaced by v2");
        assertFalse(t.offer(record("churn", 2, 300, 0.9, Map.of(), List.of("score"))));
        assertTrue(t.offer(alert(2, 300)));
        DriftRecord pending = t.pending();
        t.championPublished(3);
        assertNull(t.pending(), "v2's drift is moot once v3 is served");
        assertFalse(t.offer(pending));
        assertTrue(t.offer(alert(3, 400)));
        assertEquals(400, t.pending().windowEndMs());
    }
}
