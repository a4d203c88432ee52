package io.streamscore.common.event;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ScoreJsonTest {
    private static final Instant PUBLISHED = Instant.parse("2025-11-22T09:30:00.250Z");

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteTheDocumentedFieldsInOrder() {
        Score s = new Score("e-1", "fraud", 3, 0.75, 1, 0.5, 1_000L, 2_000L, PUBLISHED, ModelSelection.EVENT_TIME);
        assertEquals("{\"schemaVersion\":1,\"eventId\":\"e-1\",\"modelId\":\"fraud\",\"modelVersion\":3,\"probability\":0.75,"
                + "\"label\":1,\"threshold\":0.5,\"eventTimestamp\":1000,\"scoredAt\":2000,"
                + "\"modelPublishedAt\":\"2025-11-22T09:30:00.250Z\",\"selection\":\"event-time\"}",
                new String(ScoreJson.toBytes(s), StandardCharsets.UTF_8));
    }

    @Test
    void shouldWriteWholeSecondsAndEpochZeroAsIsoInstants() {
        Score whole = new Score(null, "m", 1, 0.5, 1, 0.5, 0, 0, Instant.parse("2026-01-01T00:00:00Z"), ModelSelection.LATEST);
        assertEquals(Instant.parse("2026-01-01T00:00:00Z"), ScoreJson.fromBytes(ScoreJson.toBytes(whole)).modelPublishedAt());
        String json = new String(ScoreJson.toBytes(new Score(null, "m", 1, 0.5, 1, 0.5, 0, 0, Instant.EPOCH,
                ModelSelection.LATEST)), StandardCharsets.UTF_8);
        assertEquals(true, json.contains("\"modelPublishedAt\":\"1970-01-01T00:00:00Z\",\"selection\":\"latest\""), json);
    }

    @Test
    void shouldGiveEachPublishTimeItsOwnTextWhenManyAlternate() {
        // The formatting cache is shared and direct-mapped: times that collide in it must still come out right.
        for (long ms = 0; ms < 1_000; ms++) {
            Instant at = Instant.ofEpochMilli(1_763_856_000_000L + ms * 64);
            Score s = new Score(null, "m", 1, 0.5, 1, 0.5, 0, 0, at, ModelSelection.EVENT_TIME);
            assertEquals(at, ScoreJson.fromBytes(ScoreJson.toBytes(s)).modelPublishedAt());
        }
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
        Score s = new Score(null, "m", 1, p, 0, 0.5, 5L, 6L, PUBLISHED, ModelSelection.LATEST);
        Score back = ScoreJson.fromBytes(ScoreJson.toBytes(s));
        assertEquals(Double.doubleToRawLongBits(p), Double.doubleToRawLongBits(back.probability()));
        assertEquals(s, back);
    }

    @Test
    void shouldReadAScoreWrittenBeforeThePublishTimeAndSelectionExistedAsUnknownAndLatest() {
        Score old = ScoreJson.fromBytes(utf8("{\"schemaVersion\":1,\"eventId\":\"e-1\",\"modelId\":\"fraud\","
                + "\"modelVersion\":3,\"probability\":0.75,\"label\":1,\"threshold\":0.5,\"eventTimestamp\":1000,"
                + "\"scoredAt\":2000}"));
        assertEquals(new Score("e-1", "fraud", 3, 0.75, 1, 0.5, 1_000L, 2_000L, null, ModelSelection.LATEST), old);
        assertNull(old.modelPublishedAt());
        assertEquals("{\"schemaVersion\":1,\"eventId\":\"e-1\",\"modelId\":\"fraud\",\"modelVersion\":3,"
                + "\"probability\":0.75,\"label\":1,\"threshold\":0.5,\"eventTimestamp\":1000,\"scoredAt\":2000,"
                + "\"selection\":\"latest\"}", new String(ScoreJson.toBytes(old), StandardCharsets.UTF_8),
                "an unknown publish time is left out");
    }

    @Test
    void shouldRefuseANewerSchemaAndInvalidScores() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScoreJson.fromBytes(
                utf8("{\"schemaVersion\":2,\"modelId\":\"m\"}")));
        assertEquals("score has schemaVersion 2; this version supports at most 1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Score(null, "m", 1, Double.NaN, 0, 0.5, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Score(null, "m", 1, 0.5, 2, 0.5, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Score(null, "m", 1, 0.5, 1, 0.5, 0, 0, null, null));
        String base = "{\"schemaVersion\":1,\"modelId\":\"m\",\"modelVersion\":1,\"probability\":0.5,\"label\":1,"
                + "\"threshold\":0.5,\"eventTimestamp\":1,\"scoredAt\":2,";
        e = assertThrows(IllegalArgumentException.class, () -> ScoreJson.fromBytes(utf8(base
                + "\"selection\":\"newest\"}")));
        assertEquals("score field 'selection' is 'newest'; must be latest or event-time", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScoreJson.fromBytes(utf8(base
                + "\"modelPublishedAt\":\"yesterday\"}")));
        assertEquals("score field 'modelPublishedAt' is 'yesterday'; must be an ISO-8601 instant such as "
                + "2025-11-22T09:30:00.250Z", e.getMessage());
    }
}
