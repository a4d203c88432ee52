package io.streamscore.common.event;

import io.streamscore.common.Contributions;
import io.streamscore.common.LogisticModel;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

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

    private static final LogisticModel MODEL = new LogisticModel("fraud", 3, List.of("amount", "age", "night"),
            new double[] {0.5, -0.3, 0.25}, 0.1, null, 0.5, null);

    @Test
    void shouldWriteContributionsAfterTheDocumentedFieldsInTheModelsOrder() {
        Contributions c = MODEL.contributions(new double[] {2, 2, 1});   // terms 1.0, -0.6, 0.25
        // Summed from 0 in this order with the intercept last: 0.75. Intercept first would give 0.7500000000000001.
        assertEquals(0.75, c.logit());
        Score s = new Score("e-1", "fraud", 3, 0.75, 1, 0.5, 1_000L, 2_000L, null, ModelSelection.LATEST, c);
        assertEquals("{\"schemaVersion\":1,\"eventId\":\"e-1\",\"modelId\":\"fraud\",\"modelVersion\":3,\"probability\":0.75,"
                + "\"label\":1,\"threshold\":0.5,\"eventTimestamp\":1000,\"scoredAt\":2000,\"selection\":\"latest\",\"logit\":0.75,\"intercept\":0.1,"
                + "\"contributions\":{\"amount\":1.0,\"age\":-0.6,\"night\":0.25}}",
                new String(ScoreJson.toBytes(s), StandardCharsets.UTF_8));
        assertEquals(s, ScoreJson.fromBytes(ScoreJson.toBytes(s)));
    }

    @Test
    void shouldWriteATopKSelectionLargestFirstWithWhatWasLeftOut() {
        Contributions top = MODEL.contributions(new double[] {2, 2, 1}).top(2);
        Score s = new Score(null, "fraud", 3, 0.75, 1, 0.5, 1_000L, 2_000L, null, ModelSelection.LATEST, top);
        assertEquals("{\"schemaVersion\":1,\"modelId\":\"fraud\",\"modelVersion\":3,\"probability\":0.75,"
                + "\"label\":1,\"threshold\":0.5,\"eventTimestamp\":1000,\"scoredAt\":2000,\"selection\":\"latest\",\"logit\":0.75,\"intercept\":0.1,"
                + "\"contributions\":{\"amount\":1.0,\"age\":-0.6},\"contributionsOmitted\":1,\"contributionsOmittedSum\":0.25}",
                new String(ScoreJson.toBytes(s), StandardCharsets.UTF_8));
        Score back = ScoreJson.fromBytes(ScoreJson.toBytes(s));
        assertEquals(s, back);
        assertEquals(1, back.contributions().omitted());
    }

    @Test
    void shouldWriteAnOverflowedTermAsAString() {
        LogisticModel m = new LogisticModel("m", 1, List.of("a"), new double[] {1e10}, 0.0, null, 0.5, null);
        Score s = new Score(null, "m", 1, 1.0, 1, 0.5, 1L, 2L, null, ModelSelection.LATEST,
                m.contributions(new double[] {1e300}));
        String json = new String(ScoreJson.toBytes(s), StandardCharsets.UTF_8);
        assertEquals(true, json.endsWith("\"logit\":\"Infinity\",\"intercept\":0.0,\"contributions\":{\"a\":\"Infinity\"}}"), json);
        assertEquals(s, ScoreJson.fromBytes(ScoreJson.toBytes(s)));
    }

    @Test
    void shouldReadAScoreWrittenBeforeContributionsExistedAndIgnoreFieldsItDoesNotKnow() {
        Score old = ScoreJson.fromBytes(("{\"schemaVersion\":1,\"eventId\":\"e-42\",\"modelId\":\"fraud\",\"modelVersion\":3,"
                + "\"probability\":0.7310585786300049,\"label\":1,\"threshold\":0.5,\"eventTimestamp\":1763856000000,"
                + "\"scoredAt\":1763856000012}").getBytes(StandardCharsets.UTF_8));
        assertEquals(new Score("e-42", "fraud", 3, 0.7310585786300049, 1, 0.5, 1763856000000L, 1763856000012L), old);
        assertNull(old.contributions());
        Score newer = ScoreJson.fromBytes(("{\"schemaVersion\":1,\"modelId\":\"fraud\",\"modelVersion\":3,"
                + "\"modelPublishedAt\":\"2026-11-23T10:00:00Z\",\"selection\":\"event-time\",\"role\":\"challenger\","
                + "\"probability\":0.5,\"label\":1,\"threshold\":0.5,\"eventTimestamp\":1,\"scoredAt\":2}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(3, newer.modelVersion());
    }

    @Test
    void shouldRefuseContributionsThatAreNotNumbers() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScoreJson.fromBytes((
                "{\"schemaVersion\":1,\"modelId\":\"m\",\"modelVersion\":1,\"probability\":0.5,\"label\":1,"
                + "\"threshold\":0.5,\"eventTimestamp\":1,\"scoredAt\":2,\"logit\":0,\"intercept\":0,"
                + "\"contributions\":{\"a\":\"big\"}}").getBytes(StandardCharsets.UTF_8)));
        assertEquals(true, e.getMessage().startsWith("score JSON field 'contributions.a' must be a number"), e.getMessage());
    }
}
