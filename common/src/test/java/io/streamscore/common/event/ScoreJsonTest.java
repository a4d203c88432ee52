package io.streamscore.common.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.NumberOutput;
import io.streamscore.common.Contributions;
import io.streamscore.common.Json;
import io.streamscore.common.LogisticModel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

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

    @Test
    void shouldWriteEachDoubleAsJacksonsShortestWriterDoes() {
        // The writer's own Schubfach against Jackson's (NumberOutput.toString(d, true)), which wrote these numbers before.
        List<Double> edges = new ArrayList<>(List.of(0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, 2 * Double.MIN_VALUE,
                3 * Double.MIN_VALUE, Double.MIN_NORMAL, Math.nextDown(Double.MIN_NORMAL), Double.MAX_VALUE,
                -Double.MAX_VALUE, 1.0, -1.0, 0.1, 0.2, 0.3, 0.1 + 0.2, 2e23, 1e23, 8.41e21, 5e-324, 9007199254740993.0,
                4.35, 0.001, 1e7, 1e-3, 123456789.0, 1.0E22, 2.0E-3, 1.0E-5));
        for (int e = -325; e <= 309; e++) {
            double p = Double.parseDouble("1e" + e);
            edges.add(p);
            edges.add(Math.nextUp(p));
            edges.add(Math.nextDown(p));
            edges.add(Math.scalb(1.0, Math.max(-1074, Math.min(1023, e * 3))));
        }
        for (long i = 0; i < 2_000; i++) {
            edges.add((double) i);
            edges.add(i / 1000.0);
            edges.add(Math.scalb((double) i, 60));
        }
        for (double d : edges) {
            assertSameText(d);
        }
        SplittableRandom random = new SplittableRandom(20261203L);
        for (int i = 0; i < 60_000; i++) {
            assertSameText(Double.longBitsToDouble(random.nextLong()));          // every exponent, subnormals, NaNs
            assertSameText(random.nextGaussian() * Math.pow(10, random.nextInt(-8, 9)));   // terms as models give them
            assertSameText(random.nextLong(-(1L << 53), 1L << 53));              // integers
        }
    }

    private static void assertSameText(double d) {
        if (!Double.isFinite(d)) {
            return;
        }
        String expected = NumberOutput.toString(d, true);
        String actual = ScoreJson.shortest(d);
        if (!expected.equals(actual)) {
            assertEquals(expected, actual, "bits " + Long.toHexString(Double.doubleToRawLongBits(d)));
        }
        if (Double.doubleToRawLongBits(Double.parseDouble(actual)) != Double.doubleToRawLongBits(d)) {
            assertEquals(d, Double.parseDouble(actual), "reads back: " + actual);
        }
    }

    @Test
    void shouldWriteTheSameBytesAsJacksonsGenerator() {
        // Random scores, with every optional part and strings that need escaping, against the generator-based writer
        // this one replaced (kept below as the reference).
        SplittableRandom random = new SplittableRandom(42);
        String[] strings = {"e-1", "fraud", "", "a\"b", "back\\slash", "tab\there", "new\nline", "\u0000\u001f\u007f",
                "é", "naïve-ü", "日本", "emoji \uD83D\uDE00", "slash/ok", "ctrl\b\f\r", "x".repeat(300)};
        // Models share their names list across scores (the writer caches encoded names per list): more models than
        // the cache has slots, so entries are evicted and rebuilt.
        List<LogisticModel> models = new ArrayList<>();
        for (int m = 0; m < 40; m++) {
            int n = random.nextInt(1, 25);
            List<String> names = new ArrayList<>();
            double[] w = new double[n];
            for (int f = 0; f < n; f++) {
                names.add(random.nextInt(5) == 0 ? strings[random.nextInt(strings.length)] + "#" + f : "feature_" + m + "_" + f);
                w[f] = random.nextGaussian() * Math.pow(10, random.nextInt(-3, 4));
            }
            models.add(new LogisticModel("m" + m, 1, names, w, random.nextGaussian(), null, 0.5, null));
        }
        for (int i = 0; i < 4_000; i++) {
            LogisticModel model = models.get(random.nextInt(models.size()));
            double[] x = new double[model.featureCount()];
            for (int f = 0; f < x.length; f++) {
                x[f] = random.nextInt(8) == 0 ? 0.0 : random.nextGaussian() * Math.pow(10, random.nextInt(-3, 4));
            }
            int n = random.nextInt(0, 8);
            Map<String, Double> terms = new LinkedHashMap<>();
            for (int f = 0; f < n; f++) {
                String name = random.nextInt(4) == 0 ? strings[random.nextInt(strings.length)] + f : "feature_" + f;
                double t = switch (random.nextInt(12)) {
                    case 0 -> Double.POSITIVE_INFINITY;
                    case 1 -> Double.NEGATIVE_INFINITY;
                    case 2 -> 0.0;
                    case 3 -> Double.longBitsToDouble(random.nextLong() & 0x7fefffffffffffffL);
                    default -> random.nextGaussian() * Math.pow(10, random.nextInt(-5, 6));
                };
                terms.put(name, t);
            }
            Contributions c = switch (random.nextInt(5)) {
                case 0 -> null;
                case 3 -> model.contributions(x);
                case 4 -> model.contributions(x).top(random.nextInt(1, 6));
                case 1 -> Contributions.of(terms, random.nextGaussian(), random.nextGaussian(), -1, 0.0);
                default -> Contributions.of(terms, random.nextGaussian(), random.nextBoolean() ? Double.NaN
                        : random.nextGaussian(), random.nextInt(0, 30), random.nextBoolean() ? Double.NaN : random.nextGaussian());
            };
            double p = random.nextInt(10) == 0 ? random.nextInt(2) : random.nextDouble();
            long ts = random.nextInt(10) == 0 ? Long.MIN_VALUE : random.nextInt(10) == 0 ? Long.MAX_VALUE
                    : random.nextLong(-5_000_000_000_000L, 5_000_000_000_000L);
            Instant published = random.nextInt(3) == 0 ? null : Instant.ofEpochMilli(random.nextLong(0, 4_000_000_000_000L));
            Score s = new Score(random.nextInt(5) == 0 ? null : strings[random.nextInt(strings.length)] + i,
                    random.nextInt(4) == 0 ? strings[random.nextInt(strings.length)] + "m" : "fraud",
                    random.nextLong(-1, Long.MAX_VALUE), p, random.nextInt(2), random.nextDouble(0.01, 0.99), ts,
                    random.nextLong(), published, random.nextBoolean() ? ModelSelection.LATEST : ModelSelection.EVENT_TIME, c);
            byte[] reference = JacksonReference.toBytes(s);
            assertEquals(new String(reference, StandardCharsets.UTF_8), new String(ScoreJson.toBytes(s), StandardCharsets.UTF_8));
            assertEquals(java.util.Arrays.toString(reference), java.util.Arrays.toString(ScoreJson.toBytes(s)));
            String shadow = new String(ScoreJson.toChallengerBytes(s), StandardCharsets.UTF_8);
            String score = new String(reference, StandardCharsets.UTF_8);
            assertEquals(score.substring(0, score.length() - 1) + ",\"role\":\"challenger\"}", shadow);
        }
    }

    @Test
    void shouldTreatALoneSurrogateAsJacksonsGeneratorDoes() {
        Score s = new Score("half \uD800 a pair", "m", 1, 0.5, 1, 0.5, 1, 2);
        String reference;
        try {
            reference = new String(JacksonReference.toBytes(s), StandardCharsets.UTF_8);
        } catch (RuntimeException e) {
            assertThrows(RuntimeException.class, () -> ScoreJson.toBytes(s));
            return;
        }
        assertEquals(reference, new String(ScoreJson.toBytes(s), StandardCharsets.UTF_8));
    }

    @Test
    void shouldWriteAScoreWiderThanTheWritersBufferAndTheNextOneAfterIt() {
        Map<String, Double> terms = new LinkedHashMap<>();
        for (int f = 0; f < 5_000; f++) {
            terms.put("a_rather_long_feature_name_" + f, f * 0.1 - 7.3);
        }
        Score wide = new Score("e", "m", 1, 0.5, 1, 0.5, 1, 2, null, ModelSelection.LATEST,
                Contributions.of(terms, 0.25, 1.5, -1, 0.0));
        assertEquals(new String(JacksonReference.toBytes(wide), StandardCharsets.UTF_8),
                new String(ScoreJson.toBytes(wide), StandardCharsets.UTF_8));
        Score small = new Score("e", "m", 1, 0.5, 1, 0.5, 1, 2);
        assertEquals(new String(JacksonReference.toBytes(small), StandardCharsets.UTF_8),
                new String(ScoreJson.toBytes(small), StandardCharsets.UTF_8));
    }

    /** The score writer as it was, on Jackson's streaming generator: the reference for the bytes. */
    private static final class JacksonReference {
        static byte[] toBytes(Score s) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(192);
            try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
                g.writeStartObject();
                g.writeNumberField("schemaVersion", ScoreJson.SCHEMA_VERSION);
                if (s.eventId() != null) {
                    g.writeStringField("eventId", s.eventId());
                }
                g.writeStringField("modelId", s.modelId());
                g.writeNumberField("modelVersion", s.modelVersion());
                g.writeNumberField("probability", s.probability());
                g.writeNumberField("label", s.label());
                g.writeNumberField("threshold", s.threshold());
                g.writeNumberField("eventTimestamp", s.eventTimestamp());
                g.writeNumberField("scoredAt", s.scoredAt());
                if (s.modelPublishedAt() != null) {
                    g.writeStringField("modelPublishedAt", s.modelPublishedAt().toString());
                }
                g.writeStringField("selection", s.selection().wireName());
                Contributions c = s.contributions();
                if (c != null) {
                    g.writeFieldName("logit");
                    writeDouble(g, c.logit());
                    g.writeFieldName("intercept");
                    writeDouble(g, c.intercept());
                    g.writeFieldName("contributions");
                    g.writeStartObject();
                    for (int i = 0; i < c.size(); i++) {
                        g.writeFieldName(c.name(i));
                        writeDouble(g, c.term(i));
                    }
                    g.writeEndObject();
                    if (c.isSelection()) {
                        g.writeNumberField("contributionsOmitted", c.omitted());
                        g.writeFieldName("contributionsOmittedSum");
                        writeDouble(g, c.omittedSum());
                    }
                }
                g.writeEndObject();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return out.toByteArray();
        }

        private static void writeDouble(JsonGenerator g, double v) throws IOException {
            if (Double.isFinite(v)) {
                g.writeNumber(NumberOutput.toString(v, true));
            } else {
                g.writeString(Double.toString(v));
            }
        }
    }
}
