package io.streamscore.common.outcome;

import io.streamscore.common.event.FeatureEvent;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.common.event.ModelSelection;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OutcomeJsonTest {
    static final Outcome OUTCOME = new Outcome("e-42", "fraud", 3, 0.7310585786300049, 1, 0.5, 0,
            List.of("amount", "age", "night"), new double[]{12.5, 41, 0.1 + 0.2}, 1763856000000L, 1763856000012L,
            1763859600000L, Instant.parse("2025-11-22T09:30:00.250Z"), ModelSelection.EVENT_TIME, true);

    @Test
    void readsBackBitForBit() {
        assertEquals(OUTCOME, OutcomeJson.fromBytes(OutcomeJson.toBytes(OUTCOME)));
        Outcome noPublishTime = new Outcome("e-1", "m", 1, 0.0, 0, 0.3, 1, List.of(), new double[0], 1, 2, 3, null,
                ModelSelection.LATEST, false);
        assertEquals(noPublishTime, OutcomeJson.fromBytes(OutcomeJson.toBytes(noPublishTime)));
    }

    @Test
    void isALabelledFeatureEventForTheFeatureEventParser() throws Exception {
        FeatureEvent e = FeatureEventJson.parse(OutcomeJson.toBytes(OUTCOME));
        assertEquals("e-42", e.eventId());
        assertEquals("fraud", e.modelId());
        assertEquals(0, e.label(), "the true label, not the predicted one");
        assertEquals(Map.of("amount", 12.5, "age", 41.0, "night", 0.1 + 0.2), e.namedFeatures());
        assertEquals(List.of("amount", "age", "night"), List.copyOf(e.namedFeatures().keySet()), "the model's order");
    }

    @Test
    void theObservationIsWhatTheQualityFiguresNeed() {
        assertEquals(new QualityObservation("fraud", 3, 0.7310585786300049, 1, 0, 0.5, 1763859600000L),
                OutcomeJson.observation(OutcomeJson.toBytes(OUTCOME)));
    }

    @Test
    void namesTheFieldThatIsMissingOrWrong() {
        String json = new String(OutcomeJson.toBytes(OUTCOME), StandardCharsets.UTF_8);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OutcomeJson.observation(
                json.replace("\"labelledAt\":1763859600000,", "").getBytes(StandardCharsets.UTF_8)));
        assertEquals("outcome JSON is missing required field 'labelledAt'", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OutcomeJson.observation(
                json.replace("\"label\":0", "\"label\":2").getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> OutcomeJson.observation(
                json.replace("\"probability\":0.7310585786300049", "\"probability\":1.5").getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> OutcomeJson.observation(
                json.replace("\"schemaVersion\":1", "\"schemaVersion\":2").getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> OutcomeJson.observation("[]".getBytes(StandardCharsets.UTF_8)));
        assertThrows(IllegalArgumentException.class, () -> OutcomeJson.observation(null));
    }
}
