package io.streamscore.common.event;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ScoreJsonTest {

    @Test
    void shouldWriteTheDocumentedFieldsInOrder() {
        Score s = new Score("e-1", "fraud", 3, 0.75, 1, 0.5, 1_000L, 2_000L);
        assertEquals("{\"schemaVersion\":1,\"eventId\":\"e-1\",\"modelId\":\"fraud\",\"modelVersion\":3,\"probability\":0.75,"
                + "\"label\":1,\"threshold\":0.5,\"eventTimestamp\":1000,\"scoredAt\":2000}",
                new String(ScoreJson.toBytes(s), StandardCharsets.UTF_8));
    }

    @Test
    void shouldWriteAChallengersScoreAsTheScorePlusItsRole() throws Exception {
        Score s = new Score("e-1", "fraud", 4, 0.25, 0, 0.5, 1_000L, 2_000L);
        String score = new String(ScoreJson.toBytes(s), StandardCharsets.UTF_8);
        String shadow = new String(ScoreJson.toChallengerBytes(s), StandardCharsets.UTF_8);
        assertEquals(score.substring(0, score.length() - 1) + ",\"role\":\"challenger\"}", shadow);
        assertEquals(s, ScoreJson.fromBytes(shadow.getBytes(StandardCharsets.UTF_8)), "read like any score");
        assertEquals("challenger", io.streamscore.common.Json.MAPPER.readTree(shadow).get("role").asText());
    }

    @Test
    void shouldRoundTripProbabilitiesBitForBit() {
        double p = 0.1 + 0.2;   // 0.30000000000000004: needs all 17 digits
        Score s = new Score(null, "m", 1, p, 0, 0.5, 5L, 6L);
        Score back = ScoreJson.fromBytes(ScoreJson.toBytes(s));
        assertEquals(Double.doubleToRawLongBits(p), Double.doubleToRawLongBits(back.probability()));
        assertEquals(s, back);
    }

    @Test
    void shouldRefuseANewerSchemaAndInvalidScores() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScoreJson.fromBytes(
                "{\"schemaVersion\":2,\"modelId\":\"m\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("score has schemaVersion 2; this version supports at most 1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Score(null, "m", 1, Double.NaN, 0, 0.5, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Score(null, "m", 1, 0.5, 2, 0.5, 0, 0));
    }
}
