package io.streamscore.trainer.retrain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamscore.common.Json;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DecisionJsonTest {
    private static final Instant FROM = Instant.parse("2026-12-02T16:00:00Z");
    private static final Instant TO = Instant.parse("2026-12-03T16:00:00Z");

    private static Decision published() {
        return new Decision("fraud", Instant.parse("2026-12-03T16:00:00.125Z"), Decision.Trigger.DRIFT,
                Decision.Kind.PUBLISHED, "candidate log-loss 0.31 vs champion v3 0.44 (lower is better): better by 0.13",
                GateMetric.LOG_LOSS, 0.31, 0.44, 0.0, 3L, 4L, 3200, 800, FROM, TO,
                Instant.parse("2026-12-03T11:12:00Z"), "outcomes", Instant.parse("2026-12-03T15:00:00Z").toEpochMilli());
    }

    private static Decision skipped() {
        return new Decision("fraud", Instant.parse("2026-12-03T16:00:00Z"), Decision.Trigger.MANUAL,
                Decision.Kind.SKIPPED, "no rows in the range", GateMetric.AUC, null, null, 0.01, null, null, 0, 0,
                FROM, TO, null, "outcomes", null);
    }

    @Test
    void roundTripsAndValidatesAgainstThePublishedSchema() {
        for (Decision d : new Decision[] {published(), skipped()}) {
            byte[] json = DecisionJson.toBytes(d);
            DecisionSchema.assertValid(json);
            assertEquals(d, DecisionJson.fromBytes(json));
        }
        ObjectNode tree = (ObjectNode) DecisionSchema.tree(DecisionJson.toBytes(skipped()));
        assertTrue(tree.get("candidateValue").isNull(), "fields that do not apply are written as null");
        assertEquals("manual", tree.get("trigger").asText());
        assertEquals("SKIPPED", tree.get("decision").asText());
        assertEquals("auc", tree.get("metric").asText());
    }

    @Test
    void theSchemaRefusesWhatTheFormatForbids() throws Exception {
        ObjectNode ok = (ObjectNode) DecisionSchema.tree(DecisionJson.toBytes(published()));
        ObjectNode noVersion = ok.deepCopy();
        noVersion.putNull("candidateVersion");
        assertFalse(DecisionSchema.violations(Json.MAPPER.writeValueAsBytes(noVersion)).isEmpty(),
                "a published decision names its version");
        ObjectNode unknown = ok.deepCopy();
        unknown.put("extra", 1);
        assertFalse(DecisionSchema.violations(Json.MAPPER.writeValueAsBytes(unknown)).isEmpty());
        ObjectNode badTrigger = ok.deepCopy();
        badTrigger.put("trigger", "cron");
        assertFalse(DecisionSchema.violations(Json.MAPPER.writeValueAsBytes(badTrigger)).isEmpty());
        ObjectNode noWindow = ok.deepCopy();
        noWindow.putNull("driftWindowEndMs");
        assertFalse(DecisionSchema.violations(Json.MAPPER.writeValueAsBytes(noWindow)).isEmpty(),
                "a drift decision names its window");
    }

    @Test
    void theRecordRefusesInconsistentDecisions() {
        assertThrows(IllegalArgumentException.class, () -> new Decision("m", TO, Decision.Trigger.MANUAL,
                Decision.Kind.REJECTED, "r", GateMetric.LOG_LOSS, 0.5, 0.4, 0, 1L, 2L, 100, 100, FROM, TO, TO, "t", null));
        assertThrows(IllegalArgumentException.class, () -> new Decision("m", TO, Decision.Trigger.SCHEDULE,
                Decision.Kind.REJECTED, "r", GateMetric.LOG_LOSS, 0.5, 0.4, 0, 1L, null, 100, 100, FROM, TO, TO, "t", 5L));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DecisionJson.fromBytes("{\"schemaVersion\":2}".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals("decision has schemaVersion 2; this version reads at most 1", e.getMessage());
    }

    @Test
    void theSummarySaysWhatWasReadTheFiguresAndTheDecision() {
        String s = Retrainer.summary(published());
        assertTrue(s.contains("retrain 'fraud' (drift, drift window ending 2026-12-03T15:00:00Z): topic 'outcomes'"
                + " [2026-12-02T16:00:00Z, 2026-12-03T16:00:00Z): 3200 rows to train on, 800 held out (from"
                + " 2026-12-03T11:12:00Z)"), s);
        assertTrue(s.contains("log-loss on the held-out rows: candidate 0.31, champion v3 0.44, margin 0"), s);
        assertTrue(s.contains("decision: PUBLISHED as v4: candidate log-loss 0.31"), s);
        String skip = Retrainer.summary(skipped());
        assertTrue(skip.contains(": no rows") && skip.contains("candidate not trained, no champion")
                && skip.contains("decision: SKIPPED: no rows in the range"), skip);
    }
}
