package io.streamscore.scorer;

import io.streamscore.common.drift.DriftJson;
import io.streamscore.common.drift.DriftWindow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The drift schema accepts what the writer writes, reads back, and refuses what the scorer never writes. */
class DriftSchemaTest {
    private static String record() {
        long[] counts = new long[DriftTopologyTest.BASELINE.slots()];
        DriftTopologyTest.BASELINE.count(new double[]{0.1, 35, 1}, 0.3, counts);
        DriftTopologyTest.BASELINE.count(new double[]{5, 70, 0}, 0.9, counts);
        return new String(DriftJson.toBytes(DriftWindow.of("fraud", 3, "1h", 3_600_000, 0, 1, 5, 0.2,
                DriftTopologyTest.BASELINE, counts)), StandardCharsets.UTF_8);
    }

    @Test
    void whatTheWriterWritesIsValidAndReadsBack() {
        String json = record();
        assertEquals(List.of(), PublishedSchemas.violations(PublishedSchemas.DRIFT, PublishedSchemas.read(json)), json);
        DriftWindow back = DriftJson.fromBytes(json.getBytes(StandardCharsets.UTF_8));
        assertEquals(json, new String(DriftJson.toBytes(back), StandardCharsets.UTF_8));
        assertEquals(2, back.count());
        assertEquals(List.of("amount", "age", "night"), List.copyOf(back.featurePsi().keySet()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"revision\":1|\"revision\":0", "\"window\":\"1h\"|\"window\":\"60 minutes\"",
            "\"schemaVersion\":1|\"schemaVersion\":2", "\"count\":2|\"count\":0", "\"alerts\":[|\"alerts\":[7,",
            "\"scoreBins\":{|\"extra\":1,\"scoreBins\":{", "\"observed\":[|\"observed\":[-1,",
            "\"featurePsi\":{\"amount\":|\"featurePsi\":{\"amount\":-1,\"x\":"})
    void theDriftSchemaRefusesWhatTheScorerNeverWrites(String edit) {
        String[] e = edit.split("\\|", -1);
        String original = record();
        String json = original.replaceFirst(java.util.regex.Pattern.quote(e[0]),
                java.util.regex.Matcher.quoteReplacement(e[1]));
        assertFalse(json.equals(original), "the edit applies: " + edit);
        assertFalse(PublishedSchemas.violations(PublishedSchemas.DRIFT, PublishedSchemas.read(json)).isEmpty(), json);
    }
}
