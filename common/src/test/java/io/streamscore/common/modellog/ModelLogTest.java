package io.streamscore.common.modellog;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.ModelMetadata;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ModelLogTest {
    private static final Instant AT = Instant.parse("2026-12-03T10:00:00Z");

    static LogisticModel model(String id, long version, double weight) {
        return new LogisticModel(id, version, List.of("x1", "x2"), new double[]{weight, -weight}, 0.25, null, 0.5,
                new ModelMetadata(AT, Map.of(), Map.of()));
    }

    static byte[] json(LogisticModel m) {
        return ModelJson.toCompactJson(m).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] key(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] retirement(String id, long version) {
        return new Retirement(id, version, AT, "test").toBytes();
    }

    static byte[] challenge(String id, long version) {
        return new Challenge(id, version, AT).toBytes();
    }

    static List<Long> versionsOf(List<LogisticModel> models) {
        return models.stream().map(LogisticModel::version).toList();
    }

    @Test
    void shouldParseAndWriteEveryKeyForm() {
        assertEquals(ModelLogKey.version("fraud", 3), ModelLogKey.parse(key("fraud@v3")));
        assertEquals(ModelLogKey.retirement("fraud", 12), ModelLogKey.parse(key("fraud@v12@retired")));
        assertEquals(ModelLogKey.challenge("fraud", 7), ModelLogKey.parse(key("fraud@v7@challenger")));
        assertEquals("fraud@v7@challenger", ModelLogKey.challenge("fraud", 7).toString());
        assertEquals(new ModelLogKey(ModelLogKey.Kind.LEGACY, "fraud", 0), ModelLogKey.parse(key("fraud")));
        assertEquals("fraud@v3", ModelLogKey.version("fraud", 3).toString());
        assertEquals("fraud@v3@retired", new String(ModelLogKey.retirement("fraud", 3).toBytes(), StandardCharsets.UTF_8));
        for (String bad : new String[]{"fraud@v03", "fraud@v", "fraud@3", "@v3", "fraud@vx", "a@b@v3", "fraud@v3@gone",
                "fraud@v-1", " ", "fraud@v99999999999999999999", "fraud@v3@challenger@retired", "fraud@v3@challenge",
                "fraud@challenger", "fraud@v03@challenger"}) {
            assertThrows(IllegalArgumentException.class, () -> ModelLogKey.parse(key(bad)), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> ModelLogKey.parse(new byte[]{'a', (byte) 0xC0, (byte) 0x80}));
        assertThrows(IllegalArgumentException.class, () -> ModelLogKey.version("a@b", 1));
    }

    @Test
    void shouldServeTheHighestValidVersionThatIsNotRetired() {
        ModelLog log = new ModelLog();
        log.apply(key("fraud@v1"), json(model("fraud", 1, 1.0)), 1);
        log.apply(key("fraud@v2"), json(model("fraud", 2, 2.0)), 2);
        assertEquals(2, log.served("fraud").version());

        ModelLog.Applied retired = log.apply(key("fraud@v2@retired"), retirement("fraud", 2), 3);
        assertEquals(ModelLog.Effect.RETIRED, retired.effect());
        assertTrue(retired.servingChanged());
        assertEquals(1, log.served("fraud").version());

        assertEquals(ModelLog.Effect.RESTORED, log.apply(key("fraud@v2@retired"), null, 4).effect());
        assertEquals(2, log.served("fraud").version());
        assertEquals(2, log.highestVersionNumber("fraud"));
    }

    @Test
    void shouldShadowAChallengerAndServeTheHighestVersionNotUnderChallenge() {
        ModelLog log = new ModelLog();
        log.apply(key("fraud@v1"), json(model("fraud", 1, 1.0)), 1);
        log.apply(key("fraud@v2"), json(model("fraud", 2, 2.0)), 2);
        log.apply(key("fraud@v3"), json(model("fraud", 3, 3.0)), 3);
        assertEquals(3, log.served("fraud").version());
        assertEquals(List.of(), log.challengers("fraud"));

        ModelLog.Applied started = log.apply(key("fraud@v3@challenger"), challenge("fraud", 3), 4);
        assertEquals(ModelLog.Effect.CHALLENGE_STARTED, started.effect());
        assertTrue(started.servingChanged());
        assertTrue(started.challengersChanged());
        assertEquals(2, log.served("fraud").version(), "a challenger is never the champion");
        assertEquals(List.of(3L), versionsOf(log.challengers("fraud")));

        log.apply(key("fraud@v1@challenger"), challenge("fraud", 1), 5);
        assertEquals(2, log.served("fraud").version(), "a challenger below the champion leaves it alone");
        assertEquals(List.of(1L, 3L), versionsOf(log.challengers("fraud")), "ascending");

        log.apply(key("fraud@v1@retired"), retirement("fraud", 1), 6);
        assertEquals(List.of(3L), versionsOf(log.challengers("fraud")), "a retired version is no challenger");

        ModelLog.Applied ended = log.apply(key("fraud@v3@challenger"), null, 7);
        assertEquals(ModelLog.Effect.CHALLENGE_ENDED, ended.effect());
        assertEquals(3, log.served("fraud").version(), "the challenge ended: v3 is the highest eligible again");
        assertEquals(List.of(), log.challengers("fraud"));
        assertEquals(List.of(3L), versionsOf(ended.challengersBefore()));
    }

    @Test
    void shouldServeNothingWhenEveryValidVersionIsUnderChallenge() {
        ModelLog log = new ModelLog();
        log.apply(key("fraud@v1"), json(model("fraud", 1, 1.0)), 1);
        log.apply(key("fraud@v1@challenger"), challenge("fraud", 1), 2);
        assertNull(log.served("fraud"));
        assertEquals(List.of(1L), versionsOf(log.challengers("fraud")));
        log.apply(key("fraud@v2@challenger"), challenge("fraud", 2), 3);
        assertEquals(List.of(1L), versionsOf(log.challengers("fraud")), "a challenge of a version with no model counts "
                + "for nothing");
        assertEquals(2, log.highestVersionNumber("fraud"), "but it takes its version number");
    }

    @Test
    void shouldRejectAChallengeThatIsNotOneAndLetItEmptyOnlyItsKey() {
        ModelLog log = new ModelLog();
        log.apply(key("fraud@v1"), json(model("fraud", 1, 1.0)), 1);
        log.apply(key("fraud@v2"), json(model("fraud", 2, 2.0)), 2);
        log.apply(key("fraud@v2@challenger"), challenge("fraud", 2), 3);
        assertEquals(1, log.served("fraud").version());

        ModelLog.Applied mismatch = log.apply(key("fraud@v2@challenger"), challenge("fraud", 1), 4);
        assertEquals(ModelRejection.KEY_MISMATCH, mismatch.rejection());
        assertEquals(2, log.served("fraud").version(), "the key now holds no valid challenge");
        assertEquals(List.of(), log.challengers("fraud"));

        log.apply(key("fraud@v2@challenger"), challenge("fraud", 2), 5);
        assertEquals(ModelRejection.MALFORMED, log.apply(key("fraud@v2@challenger"), retirement("fraud", 2), 6)
                .rejection(), "a retirement is no challenge");
        assertEquals(ModelRejection.MALFORMED, log.apply(key("fraud@v1@retired"), challenge("fraud", 1), 7)
                .rejection(), "a challenge is no retirement");
        assertEquals(ModelRejection.KEY_MISMATCH, log.apply(key("fraud@v2@challenger"), challenge("other", 2), 8)
                .rejection());
        assertEquals(2, log.served("fraud").version());
        assertEquals(ModelRejection.MALFORMED, log.apply(key("fraud@v2@challenger"),
                key("{\"schemaVersion\":2,\"modelId\":\"fraud\",\"version\":2,\"startedAt\":\"2026-12-03T10:00:00Z\"}"), 9)
                .rejection(), "a newer schema is refused");
    }

    @Test
    void shouldApplyAChallengeToTheVersionTheOldLayoutNames() {
        ModelLog log = new ModelLog();
        log.apply(key("fraud@v1"), json(model("fraud", 1, 1.0)), 1);
        LogisticModel legacy = model("fraud", 4, 4.0);
        log.apply(key("fraud"), json(legacy), 2);
        assertEquals(legacy, log.served("fraud"));
        log.apply(key("fraud@v4@challenger"), challenge("fraud", 4), 3);
        assertEquals(1, log.served("fraud").version());
        assertEquals(List.of(legacy), log.challengers("fraud"));
    }

    @Test
    void shouldLetABadRecordEmptyOnlyItsOwnKey() {
        ModelLog log = new ModelLog();
        LogisticModel v1 = model("fraud", 1, 1.0);
        log.apply(key("fraud@v1"), json(v1), 1);
        log.apply(key("fraud@v2"), json(model("fraud", 2, 2.0)), 2);

        ModelLog.Applied garbage = log.apply(key("fraud@v2"), key("{not json"), 3);
        assertEquals(ModelRejection.MALFORMED, garbage.rejection());
        assertEquals(v1, log.served("fraud"));

        ModelLog.Applied stale = log.apply(key("fraud@v2"), json(v1), 4);
        assertEquals(ModelRejection.KEY_MISMATCH, stale.rejection());
        assertEquals(v1, log.served("fraud"));

        ModelLog.Applied otherId = log.apply(key("fraud@v3"), json(model("other", 3, 1.0)), 5);
        assertEquals(ModelRejection.KEY_MISMATCH, otherId.rejection());
        assertEquals(v1, log.served("fraud"));
        assertEquals(3, log.highestVersionNumber("fraud"), "a rejected key still takes its version number");

        assertEquals(ModelRejection.BAD_KEY, log.apply(key("fraud@v0x"), json(v1), 6).rejection());
        assertEquals(ModelRejection.MISSING_KEY, log.apply(null, json(v1), 7).rejection());
        assertEquals(ModelRejection.MALFORMED, log.apply(key("fraud@v1@retired"), key("[]"), 8).rejection());
        assertEquals(v1, log.served("fraud"));

        assertEquals(ModelLog.Effect.VERSION_DELETED, log.apply(key("fraud@v1"), null, 9).effect());
        assertNull(log.served("fraud"));
    }

    @Test
    void shouldReadTheOldLayoutAsTheVersionItsDocumentNames() {
        ModelLog log = new ModelLog();
        LogisticModel legacy = model("fraud", 4, 9.0);
        assertEquals(ModelLog.Effect.LEGACY_STORED, log.apply(key("fraud"), json(legacy), 1).effect());
        assertEquals(legacy, log.served("fraud"));
        LogisticModel v4 = model("fraud", 4, 4.0);
        log.apply(key("fraud@v4"), json(v4), 2);
        assertEquals(v4, log.served("fraud"), "a version key beats the old key for the same version");
        log.apply(key("fraud@v4"), null, 3);
        assertEquals(legacy, log.served("fraud"));
        log.apply(key("fraud@v5"), json(model("fraud", 5, 5.0)), 4);
        assertEquals(5, log.served("fraud").version());
        assertEquals(ModelRejection.KEY_MISMATCH, log.apply(key("fraud"), json(model("other", 9, 1.0)), 5).rejection());
        assertEquals(5, log.highestVersionNumber("fraud"));
    }

    @Test
    void shouldNotReportAChangeWhenTheSameRecordIsWrittenAgain() {
        ModelLog log = new ModelLog();
        LogisticModel v1 = model("fraud", 1, 1.0);
        log.apply(key("fraud@v1"), json(v1), 1);
        ModelLog.Applied again = log.apply(key("fraud@v1"), json(v1), 2);
        assertFalse(again.servingChanged());
        assertEquals(v1, again.servedAfter());
    }

    @Test
    void shouldListVersionsWithTheirState() {
        ModelLog log = new ModelLog();
        log.apply(key("fraud@v1"), json(model("fraud", 1, 1.0)), 10);
        log.apply(key("fraud@v2"), key("garbage"), 20);
        log.apply(key("fraud@v3"), json(model("fraud", 3, 3.0)), 30);
        log.apply(key("fraud@v3@retired"), retirement("fraud", 3), 40);
        log.apply(key("fraud@v4"), json(model("fraud", 4, 4.0)), 50);
        log.apply(key("fraud@v4@challenger"), challenge("fraud", 4), 60);
        log.apply(key("fraud@v5@challenger"), challenge("fraud", 5), 70);
        List<ModelLog.Version> versions = log.versions("fraud");
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), versions.stream().map(ModelLog.Version::version).toList());
        assertTrue(versions.get(0).servable());
        assertTrue(versions.get(0).championEligible());
        assertNull(versions.get(1).model());
        assertEquals(30, versions.get(2).publishedAt());
        assertFalse(versions.get(2).servable());
        assertSame(log.served("fraud"), versions.get(0).model());
        assertTrue(versions.get(3).challenger());
        assertFalse(versions.get(3).championEligible());
        assertEquals(AT, versions.get(3).challenge().startedAt());
        assertNull(versions.get(4).model(), "a challenge without a model is listed, with no model");
        assertFalse(versions.get(4).challenger());
    }

    /**
     * The property the model topic rests on: whatever is written, reading the whole history and reading only the last
     * record per key (what compaction leaves, in any order) serve the same model, and that model is the one the
     * documented rule names, computed here independently.
     */
    @Test
    void shouldServeTheSameModelFromTheFullHistoryAsFromWhatCompactionKeeps() {
        java.util.Set<String> outcomes = new java.util.TreeSet<>();
        for (int seed = 0; seed < 500; seed++) {
            Random random = new Random(seed);
            List<Write> writes = randomWrites(random, 5 + random.nextInt(60));
            ModelLog full = new ModelLog();
            for (Write w : writes) {
                full.apply(w.key, w.value, w.timestamp);
            }
            Map<String, Write> lastPerKey = new LinkedHashMap<>();
            for (Write w : writes) {
                lastPerKey.put(w.keyText, w);
            }
            List<Write> compacted = new ArrayList<>(lastPerKey.values());
            Collections.shuffle(compacted, random);
            ModelLog fresh = new ModelLog();
            for (Write w : compacted) {
                fresh.apply(w.key, w.value, w.timestamp);
            }
            for (String id : List.of("a", "b")) {
                LogisticModel expected = documentedRule(id, lastPerKey);
                assertEquals(expected, full.served(id), "seed " + seed + ", id " + id + ", full history");
                assertEquals(expected, fresh.served(id), "seed " + seed + ", id " + id + ", after compaction");
                List<LogisticModel> challengers = documentedChallengers(id, lastPerKey);
                assertEquals(challengers, full.challengers(id), "seed " + seed + ", id " + id + ", challengers, full");
                assertEquals(challengers, fresh.challengers(id), "seed " + seed + ", id " + id
                        + ", challengers after compaction");
                outcomes.add((expected == null ? "none" : "champion") + "+" + challengers.size());
            }
        }
        // The histories must reach the interesting cases, or the agreement above says little.
        for (String needed : List.of("none+0", "none+1", "champion+0", "champion+1", "champion+2")) {
            assertTrue(outcomes.contains(needed), "no history ended in " + needed + "; outcomes " + outcomes);
        }
    }

    /**
     * Event-time selection over the same random histories: for every timestamp it picks the highest valid, unretired
     * version not under challenge published at or before it (computed here by brute force from {@link ModelLog#versions}), and for a
     * timestamp after every publish it picks exactly what {@link ModelLog#served} serves, so the two selections never
     * disagree about which versions are eligible.
     */
    @Test
    void shouldSelectByEventTimeTheHighestEligibleVersionPublishedByThenAndAgreeWithTheServedRule() {
        for (int seed = 0; seed < 500; seed++) {
            Random random = new Random(seed);
            List<Write> writes = randomWrites(random, 5 + random.nextInt(60));
            ModelLog log = new ModelLog();
            for (Write w : writes) {
                log.apply(w.key, w.value, w.timestamp);
            }
            for (String id : List.of("a", "b")) {
                ServingHistory h = log.history(id);
                LogisticModel served = log.served(id);
                assertSame(served, h.served() == null ? null : h.served().model(), "seed " + seed + ", id " + id);
                assertSame(served, model(h.at(Long.MAX_VALUE)), "seed " + seed + ", id " + id + ": event-time at +inf");
                assertEquals(served == null && log.challengers(id).isEmpty(), h.isEmpty());
                assertEquals(log.challengers(id), h.challengers().stream().map(ServingHistory.ServedVersion::model)
                        .toList(), "seed " + seed + ", id " + id + ": the challengers");
                for (long t = -1; t <= writes.size(); t++) {
                    LogisticModel expected = null;
                    for (ModelLog.Version v : log.versions(id)) {
                        if (v.model() != null && v.retirement() == null && v.challenge() == null && v.publishedAt() <= t
                                && (expected == null || v.version() > expected.version())) {
                            expected = v.model();
                        }
                    }
                    ServingHistory.ServedVersion got = h.at(t);
                    assertSame(expected, model(got), "seed " + seed + ", id " + id + ", t=" + t);
                    if (got != null) {
                        long publishedAt = log.versions(id).stream().filter(v -> v.model() == got.model())
                                .findFirst().orElseThrow().publishedAt();
                        assertEquals(publishedAt, got.publishedAt().toEpochMilli());
                    }
                }
            }
        }
    }

    private static LogisticModel model(ServingHistory.ServedVersion v) {
        return v == null ? null : v.model();
    }

    private record Write(String keyText, byte[] key, byte[] value, long timestamp) {
    }

    private static List<Write> randomWrites(Random random, int n) {
        List<Write> writes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = random.nextBoolean() ? "a" : "b";
            long version = 1 + random.nextInt(5);
            int form = random.nextInt(13);
            String keyText = form < 6 ? id + "@v" + version : form < 9 ? id + "@v" + version + "@retired"
                    : form < 12 ? id + "@v" + version + "@challenger" : id;
            byte[] value = switch (random.nextInt(10)) {
                case 0 -> null;
                case 1 -> key("{\"schemaVersion\":1,\"modelId\":");
                case 2 -> json(model(id, 1 + random.nextInt(5), random.nextDouble()));   // maybe a stale copy
                case 3 -> retirement(id, 1 + random.nextInt(5));
                case 4 -> json(model(random.nextBoolean() ? "a" : "b", version, random.nextDouble()));
                case 5 -> challenge(random.nextBoolean() ? "a" : "b", 1 + random.nextInt(5)); // maybe another's
                default -> keyText.endsWith("@retired") ? retirement(id, version)
                        : keyText.endsWith("@challenger") ? challenge(id, version)
                        : json(model(id, version, random.nextDouble()));
            };
            writes.add(new Write(keyText, key(keyText), value, i));
        }
        return writes;
    }

    /** The champion by the rule of docs/model-topic.md, written from the text, not from ModelLog. */
    private static LogisticModel documentedRule(String id, Map<String, Write> lastPerKey) {
        LogisticModel best = null;
        for (long v = 5; v >= 1 && best == null; v--) {
            if (retired(id, v, lastPerKey) || challenged(id, v, lastPerKey)) {
                continue;
            }
            best = counted(id, v, lastPerKey);
        }
        return best;
    }

    /** The challengers by the same text: counted, under challenge, not retired; ascending. */
    private static List<LogisticModel> documentedChallengers(String id, Map<String, Write> lastPerKey) {
        List<LogisticModel> out = new ArrayList<>();
        for (long v = 1; v <= 5; v++) {
            LogisticModel m = counted(id, v, lastPerKey);
            if (m != null && challenged(id, v, lastPerKey) && !retired(id, v, lastPerKey)) {
                out.add(m);
            }
        }
        return out;
    }

    /** Version v counts: a valid document for (id, v) under id@vN, or else under the old key id. */
    private static LogisticModel counted(String id, long v, Map<String, Write> lastPerKey) {
        LogisticModel viaVersionKey = validModel(lastPerKey.get(id + "@v" + v), id, v);
        LogisticModel viaLegacyKey = validModel(lastPerKey.get(id), id, v);
        return viaVersionKey != null ? viaVersionKey : viaLegacyKey;
    }

    private static boolean retired(String id, long v, Map<String, Write> lastPerKey) {
        Write w = lastPerKey.get(id + "@v" + v + "@retired");
        return w != null && w.value != null && isRetirement(w.value, id, v);
    }

    private static boolean challenged(String id, long v, Map<String, Write> lastPerKey) {
        Write w = lastPerKey.get(id + "@v" + v + "@challenger");
        if (w == null || w.value == null) {
            return false;
        }
        try {
            Challenge c = Challenge.fromBytes(w.value);
            return c.modelId().equals(id) && c.version() == v;
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static LogisticModel validModel(Write w, String id, long version) {
        if (w == null || w.value == null) {
            return null;
        }
        try {
            LogisticModel m = ModelJson.fromBytes(w.value);
            return m.modelId().equals(id) && m.version() == version ? m : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static boolean isRetirement(byte[] value, String id, long version) {
        try {
            Retirement r = Retirement.fromBytes(value);
            return r.modelId().equals(id) && r.version() == version;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
