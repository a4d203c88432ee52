package io.streamscore.common.modellog;

import io.streamscore.common.InvalidModelException;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelFormatException;
import io.streamscore.common.ModelJson;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The model topic read as the truth: which version of each model id is served (the champion) and which versions are
 * shadow-scored next to it (the challengers), for any sequence of records on the topic, before and after compaction
 * (docs/model-topic.md).
 *
 * <p>The rule depends only on the last record under each key, never on the order in which keys arrived or on records a
 * key held before. Compaction keeps exactly the last record per key, so an instance that has read the topic for hours
 * and one that started after compaction compute the same thing:
 *
 * <ol>
 *   <li>a version key {@code ID@vN} counts when its last record is a valid model document with modelId ID and version
 *       N; anything else (garbage, a stale copy of another version, a tombstone) leaves version N absent;</li>
 *   <li>a legacy key {@code ID} (layout 1) counts as the version its valid document names;</li>
 *   <li>version N is retired when the last record under {@code ID@vN@retired} is a valid retirement for ID and N;</li>
 *   <li>version N is under challenge when the last record under {@code ID@vN@challenger} is a valid challenge for ID
 *       and N;</li>
 *   <li>the served model (the champion) is the highest counted version that is neither retired nor under challenge;
 *       between a version key and the legacy key naming the same version, the version key wins. No such version:
 *       nothing is served for ID;</li>
 *   <li>the challengers are the counted versions that are under challenge and not retired, in ascending order.</li>
 * </ol>
 *
 * <p>Not thread-safe: one writer (the scorer's global thread, or a CLI reading a snapshot).
 */
public final class ModelLog {
    private final Map<String, History> byId = new HashMap<>();

    /** What one record did. */
    public enum Effect {
        /** A version key now holds a valid model. */
        VERSION_STORED,
        /** A version key was tombstoned (pruned): the version is gone. */
        VERSION_DELETED,
        /** A retirement key now holds a valid retirement. */
        RETIRED,
        /** A retirement key was tombstoned: the version may be served again. */
        RESTORED,
        /** A challenge key now holds a valid challenge: the version is shadow-scored, never the champion. */
        CHALLENGE_STARTED,
        /** A challenge key was tombstoned: the version may be the champion again. */
        CHALLENGE_ENDED,
        /** The legacy (layout-1) key now holds a valid model. */
        LEGACY_STORED,
        /** The legacy key was tombstoned. */
        LEGACY_DELETED,
        /** The record is not a valid model, retirement or challenge; see {@link Applied#rejection()}. */
        REJECTED
    }

    /**
     * The outcome of one record.
     *
     * @param key          the parsed key; null for a missing or malformed key
     * @param rejection    why the record does not count; null unless {@code effect} is REJECTED
     * @param detail       a one-line explanation for logs
     * @param servedBefore the model served for the key's id before the record; null for none
     * @param servedAfter  the model served for the key's id after it; null for none
     * @param challengersBefore the id's challengers before the record, ascending by version; empty for none
     * @param challengersAfter  the id's challengers after it
     */
    public record Applied(ModelLogKey key, Effect effect, ModelRejection rejection, String detail,
                          LogisticModel servedBefore, LogisticModel servedAfter,
                          List<LogisticModel> challengersBefore, List<LogisticModel> challengersAfter) {
        /** The id the record was filed under, or null for a missing or malformed key. */
        public String modelId() {
            return key == null ? null : key.modelId();
        }

        /** Whether a different model (or none) is served for the id now. */
        public boolean servingChanged() {
            return !java.util.Objects.equals(servedBefore, servedAfter);
        }

        /** Whether the id's challengers are different models now. */
        public boolean challengersChanged() {
            return !challengersBefore.equals(challengersAfter);
        }
    }

    /**
     * One version of a model id as the topic holds it now.
     *
     * @param model       the valid model under the version key; null when the key holds no valid model (rejected or
     *                    tombstoned) — the version number stays taken
     * @param problem     why the key holds no valid model; null when it does
     * @param publishedAt the timestamp of the record that holds the model (its publish time)
     * @param retirement  the retirement of this version; null when it is not retired
     * @param legacy      true when the model is held by the layout-1 key only
     * @param challenge   the challenge of this version; null when it is not under challenge
     */
    public record Version(long version, LogisticModel model, String problem, long publishedAt, Retirement retirement,
                          boolean legacy, Challenge challenge) {
        /** Holds a valid model and is not retired: it scores, as the champion or as a challenger. */
        public boolean servable() {
            return model != null && retirement == null;
        }

        /** Servable and not under challenge: the champion is the highest such version. */
        public boolean championEligible() {
            return servable() && challenge == null;
        }

        /** Servable and under challenge: shadow-scored next to the champion. */
        public boolean challenger() {
            return servable() && challenge != null;
        }
    }

    /** Applies the record under {@code key} (raw bytes), replacing whatever the key held. Never throws for bad input. */
    public Applied apply(byte[] key, byte[] value, long timestamp) {
        ModelLogKey k;
        try {
            k = ModelLogKey.parse(key);
        } catch (IllegalArgumentException e) {
            return new Applied(null, Effect.REJECTED, key == null ? ModelRejection.MISSING_KEY : ModelRejection.BAD_KEY,
                    e.getMessage(), null, null, List.of(), List.of());
        }
        History h = byId.computeIfAbsent(k.modelId(), id -> new History());
        LogisticModel before = h.served;
        List<LogisticModel> challengersBefore = h.challengers;
        Effect effect;
        ModelRejection rejection = null;
        String detail;
        switch (k.kind()) {
            case VERSION -> {
                if (value == null) {
                    h.versions.put(k.version(), Slot.empty("deleted (tombstone)", timestamp));
                    effect = Effect.VERSION_DELETED;
                    detail = "version " + k.version() + " deleted";
                } else {
                    Parsed p = parseModel(k, value);
                    h.versions.put(k.version(), p.model == null ? Slot.empty(p.problem, timestamp)
                            : new Slot(p.model, null, timestamp));
                    effect = p.model == null ? Effect.REJECTED : Effect.VERSION_STORED;
                    rejection = p.rejection;
                    detail = p.model == null ? p.problem : "version " + k.version() + " stored";
                }
            }
            case RETIREMENT -> {
                if (value == null) {
                    h.retired.remove(k.version());
                    effect = Effect.RESTORED;
                    detail = "version " + k.version() + " restored (retirement tombstoned)";
                } else {
                    Retirement r = null;
                    try {
                        r = Retirement.fromBytes(value);
                        if (!r.modelId().equals(k.modelId()) || r.version() != k.version()) {
                            rejection = ModelRejection.KEY_MISMATCH;
                            detail = "the retirement names " + r.modelId() + " v" + r.version() + ", its key " + k;
                            r = null;
                        } else {
                            detail = "version " + k.version() + " retired" + (r.reason().isEmpty() ? "" : ": " + r.reason());
                        }
                    } catch (ModelFormatException e) {
                        rejection = ModelRejection.MALFORMED;
                        detail = e.getMessage();
                    }
                    if (r == null) {
                        h.retired.remove(k.version());
                        effect = Effect.REJECTED;
                    } else {
                        h.retired.put(k.version(), r);
                        effect = Effect.RETIRED;
                    }
                }
            }
            case CHALLENGE -> {
                if (value == null) {
                    h.challenges.remove(k.version());
                    effect = Effect.CHALLENGE_ENDED;
                    detail = "version " + k.version() + " no longer under challenge (challenge tombstoned)";
                } else {
                    Challenge c = null;
                    try {
                        c = Challenge.fromBytes(value);
                        if (!c.modelId().equals(k.modelId()) || c.version() != k.version()) {
                            rejection = ModelRejection.KEY_MISMATCH;
                            detail = "the challenge names " + c.modelId() + " v" + c.version() + ", its key " + k;
                            c = null;
                        } else {
                            detail = "version " + k.version() + " under challenge since " + c.startedAt();
                        }
                    } catch (ModelFormatException e) {
                        rejection = ModelRejection.MALFORMED;
                        detail = e.getMessage();
                    }
                    if (c == null) {
                        h.challenges.remove(k.version());
                        effect = Effect.REJECTED;
                    } else {
                        h.challenges.put(k.version(), c);
                        effect = Effect.CHALLENGE_STARTED;
                    }
                }
            }
            case LEGACY -> {
                if (value == null) {
                    h.legacy = null;
                    effect = Effect.LEGACY_DELETED;
                    detail = "legacy key deleted (tombstone)";
                } else {
                    Parsed p = parseModel(k, value);
                    h.legacy = p.model == null ? null : new Slot(p.model, null, timestamp);
                    effect = p.model == null ? Effect.REJECTED : Effect.LEGACY_STORED;
                    rejection = p.rejection;
                    detail = p.model == null ? p.problem : "legacy key holds version " + p.model.version();
                }
            }
            default -> throw new IllegalStateException("unknown key kind " + k.kind());
        }
        h.recompute();
        return new Applied(k, effect, rejection, detail, before, h.served, challengersBefore, h.challengers);
    }

    /** The model served for {@code modelId}, or null. */
    public LogisticModel served(String modelId) {
        History h = byId.get(modelId);
        return h == null ? null : h.served;
    }

    /**
     * An immutable snapshot of which version of {@code modelId} scores an event, under either selection (latest, or the
     * version served at the event's time); empty when the id has no key or nothing eligible. Safe to hand to other
     * threads: later records do not change it.
     */
    public ServingHistory history(String modelId) {
        return ServingHistory.of(versions(modelId), served(modelId));
    }

    /**
     * The challengers of {@code modelId}: every counted version under challenge and not retired, ascending by version;
     * empty for none. Immutable.
     */
    public List<LogisticModel> challengers(String modelId) {
        History h = byId.get(modelId);
        return h == null ? List.of() : h.challengers;
    }

    /** Every model id that has a key on the topic, served or not. */
    public Set<String> modelIds() {
        return Collections.unmodifiableSet(byId.keySet());
    }

    /**
     * The highest version number any key of {@code modelId} names or holds, whether or not it is valid, retired or
     * tombstoned; 0 when there is none. A publisher takes the next number, so numbers are never reused while a record
     * for them remains.
     */
    public long highestVersionNumber(String modelId) {
        History h = byId.get(modelId);
        if (h == null) {
            return 0;
        }
        long max = h.versions.isEmpty() ? 0 : h.versions.lastKey();
        if (!h.retired.isEmpty()) {
            max = Math.max(max, h.retired.lastKey());
        }
        if (!h.challenges.isEmpty()) {
            max = Math.max(max, h.challenges.lastKey());
        }
        if (h.legacy != null) {
            max = Math.max(max, h.legacy.model.version());
        }
        return max;
    }

    /** Every version of {@code modelId} the topic holds a key for, ascending. */
    public List<Version> versions(String modelId) {
        History h = byId.get(modelId);
        List<Version> out = new ArrayList<>();
        if (h == null) {
            return out;
        }
        NavigableMap<Long, Version> all = new TreeMap<>();
        if (h.legacy != null) {
            long v = h.legacy.model.version();
            all.put(v, new Version(v, h.legacy.model, null, h.legacy.timestamp, h.retired.get(v), true,
                    h.challenges.get(v)));
        }
        h.versions.forEach((v, slot) -> {
            if (slot.model != null || !all.containsKey(v)) {
                all.put(v, new Version(v, slot.model, slot.problem, slot.timestamp, h.retired.get(v), false,
                        h.challenges.get(v)));
            }
        });
        h.retired.forEach((v, r) -> all.putIfAbsent(v, new Version(v, null, "no model under this version",
                0, r, false, h.challenges.get(v))));
        h.challenges.forEach((v, c) -> all.putIfAbsent(v, new Version(v, null, "no model under this version",
                0, null, false, c)));
        out.addAll(all.values());
        return out;
    }

    private static Parsed parseModel(ModelLogKey key, byte[] value) {
        LogisticModel model;
        try {
            model = ModelJson.fromBytes(value);
        } catch (ModelFormatException e) {
            return new Parsed(null, ModelRejection.MALFORMED, e.getMessage());
        } catch (InvalidModelException e) {
            return new Parsed(null, ModelRejection.INVALID, e.getMessage());
        }
        if (!model.modelId().equals(key.modelId())) {
            return new Parsed(null, ModelRejection.KEY_MISMATCH, "the document's modelId is '" + model.modelId()
                    + "', its key '" + key + "'");
        }
        if (key.kind() == ModelLogKey.Kind.VERSION && model.version() != key.version()) {
            return new Parsed(null, ModelRejection.KEY_MISMATCH, "the document is version " + model.version()
                    + ", its key '" + key + "'");
        }
        return new Parsed(model, null, null);
    }

    private record Parsed(LogisticModel model, ModelRejection rejection, String problem) {
    }

    /** What one key holds: a valid model, or nothing (with why). */
    private record Slot(LogisticModel model, String problem, long timestamp) {
        static Slot empty(String problem, long timestamp) {
            return new Slot(null, problem, timestamp);
        }
    }

    private static final class History {
        final NavigableMap<Long, Slot> versions = new TreeMap<>();
        final NavigableMap<Long, Retirement> retired = new TreeMap<>();
        final NavigableMap<Long, Challenge> challenges = new TreeMap<>();
        Slot legacy;
        LogisticModel served;
        List<LogisticModel> challengers = List.of();

        /** Derives the champion and the challengers from what the keys hold now. */
        void recompute() {
            // Every counted version: the legacy key's as the version it names, a valid version key over it.
            NavigableMap<Long, LogisticModel> counted = new TreeMap<>();
            if (legacy != null) {
                counted.put(legacy.model.version(), legacy.model);
            }
            versions.forEach((v, slot) -> {
                if (slot.model != null) {
                    counted.put(v, slot.model);
                }
            });
            LogisticModel champion = null;
            List<LogisticModel> shadow = new ArrayList<>();
            for (Map.Entry<Long, LogisticModel> e : counted.entrySet()) {
                long v = e.getKey();
                if (retired.containsKey(v)) {
                    continue;
                }
                if (challenges.containsKey(v)) {
                    shadow.add(e.getValue());
                } else {
                    champion = e.getValue(); // ascending: the last one left is the highest
                }
            }
            served = champion;
            challengers = shadow.equals(challengers) ? challengers : List.copyOf(shadow);
        }
    }
}
