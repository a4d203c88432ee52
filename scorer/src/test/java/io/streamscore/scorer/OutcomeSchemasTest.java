package io.streamscore.scorer;

import io.streamscore.common.event.ModelSelection;
import io.streamscore.common.outcome.Outcome;
import io.streamscore.common.outcome.OutcomeJson;
import io.streamscore.common.outcome.QualityAccumulator;
import io.streamscore.common.outcome.QualityJson;
import io.streamscore.common.outcome.QualityWindow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The outcome and quality schemas accept what the writers write, and are strict enough to catch drift. */
class OutcomeSchemasTest {
    private static final String OUTCOME = new String(OutcomeJson.toBytes(new Outcome("e-1", "fraud", 3, 0.25, 0, 0.5, 1,
            List.of("amount", "age"), new double[]{1.5, -2}, 1, 2, 3, null, ModelSelection.LATEST, false)),
            StandardCharsets.UTF_8);

    private static String quality() {
        QualityAccumulator a = new QualityAccumulator();
        a.add(0.9, 1, 1, 0.5);
        a.add(0.2, 0, 1, 0.5);
        a.add(0.95, 1, 0, 0.5);
        return new String(QualityJson.toBytes(new QualityWindow("fraud", 3, "1h", 3_600_000, 0, 1, 5, a.figures())),
                StandardCharsets.UTF_8);
    }

    @Test
    void whatTheWritersWriteIsValid() {
        assertEquals(List.of(), PublishedSchemas.violations(PublishedSchemas.OUTCOME, PublishedSchemas.read(OUTCOME)));
        assertEquals(List.of(), PublishedSchemas.violations(PublishedSchemas.QUALITY, PublishedSchemas.read(quality())));
        // A window of one class: AUC, precision or recall null.
        QualityAccumulator one = new QualityAccumulator();
        one.add(0.1, 0, 0, 0.5);
        String json = new String(QualityJson.toBytes(new QualityWindow("m", 1, "15m", 900_000, 0, 2, 5, one.figures())),
                StandardCharsets.UTF_8);
        assertEquals(List.of(), PublishedSchemas.violations(PublishedSchemas.QUALITY, PublishedSchemas.read(json)), json);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"label\":1|\"label\":2", "\"predictedLabel\":0|\"predictedLabel\":true",
            "\"labelFirst\":false|\"labelFirst\":false,\"extra\":1", "\"schemaVersion\":1|\"schemaVersion\":2",
            "\"features\":{\"amount\":1.5,\"age\":-2.0}|\"features\":[1.5,-2.0]", ",\"labelledAt\":3|"})
    void theOutcomeSchemaRefusesWhatTheScorerNeverWrites(String edit) {
        String[] e = edit.split("\\|", -1);
        String json = OUTCOME.replace(e[0], e[1]);
        assertFalse(json.equals(OUTCOME), "the edit applies: " + edit);
        assertFalse(PublishedSchemas.violations(PublishedSchemas.OUTCOME, PublishedSchemas.read(json)).isEmpty(), json);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"revision\":1|\"revision\":0", "\"window\":\"1h\"|\"window\":\"60 minutes\"",
            "\"rocAucBins\":1000|\"rocAucBins\":1000,\"extra\":1", "{\"lower\":0.0,|{\"lower\":-1.0,",
            "\"accuracy\":|\"accuracy\":1.5,\"x\":"})
    void theQualitySchemaRefusesWhatTheScorerNeverWrites(String edit) {
        String[] e = edit.split("\\|", -1);
        String original = quality();
        String json = original.replace(e[0], e[1]);
        assertFalse(json.equals(original), "the edit applies: " + edit);
        assertFalse(PublishedSchemas.violations(PublishedSchemas.QUALITY, PublishedSchemas.read(json)).isEmpty(), json);
    }
}
