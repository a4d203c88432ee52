package io.streamscore.common.modellog;

import io.streamscore.common.Utf8;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The key of a record on the model topic (layout 2, docs/model-topic.md). One key per (model id, version), so that
 * compaction keeps every published version and a record can only ever overwrite its own version:
 *
 * <ul>
 *   <li>{@code ID@vN}: version N of model ID; the value is the model document, a tombstone deletes the version.</li>
 *   <li>{@code ID@vN@retired}: version N is retired (never served); a tombstone un-retires it.</li>
 *   <li>{@code ID@vN@challenger}: version N is a challenger (shadow-scored, never the champion); a tombstone ends the
 *       challenge.</li>
 *   <li>{@code ID}: the layout-1 key (one record per model id), still read; its value counts as the version it names.</li>
 * </ul>
 *
 * N is a decimal without leading zeros. A model id of layout 2 contains no {@code @}; a key with an {@code @} that is
 * not one of the forms above is refused ({@link ModelRejection#BAD_KEY}).
 *
 * @param version the version the key names; 0 for a legacy key (its version is in the value)
 */
public record ModelLogKey(Kind kind, String modelId, long version) {
    static final String VERSION_MARK = "@v";
    static final String RETIRED_SUFFIX = "@retired";
    static final String CHALLENGER_SUFFIX = "@challenger";

    /** What a key files its record under. */
    public enum Kind {
        /** {@code ID@vN}: a model version. */
        VERSION,
        /** {@code ID@vN@retired}: a retirement of a version. */
        RETIREMENT,
        /** {@code ID@vN@challenger}: a version under challenge (shadow-scored next to the champion). */
        CHALLENGE,
        /** {@code ID}: the one-record-per-id key of layout 1. */
        LEGACY
    }

    public ModelLogKey {
        Objects.requireNonNull(kind, "kind");
        checkModelId(modelId);
        if (kind == Kind.LEGACY ? version != 0 : version < 0) {
            throw new IllegalArgumentException("version " + version + " does not fit a " + kind + " key");
        }
    }

    /** The key of version {@code version} of {@code modelId}. */
    public static ModelLogKey version(String modelId, long version) {
        return new ModelLogKey(Kind.VERSION, modelId, version);
    }

    /** The key of the retirement of version {@code version} of {@code modelId}. */
    public static ModelLogKey retirement(String modelId, long version) {
        return new ModelLogKey(Kind.RETIREMENT, modelId, version);
    }

    /** The key of the challenge of version {@code version} of {@code modelId}. */
    public static ModelLogKey challenge(String modelId, long version) {
        return new ModelLogKey(Kind.CHALLENGE, modelId, version);
    }

    /**
     * Refuses a model id the topic's keys cannot carry.
     *
     * @throws IllegalArgumentException naming the id and what is wrong with it
     */
    public static void checkModelId(String modelId) {
        if (modelId == null || modelId.isBlank()) {
            throw new IllegalArgumentException("model id must be a non-empty string");
        }
        if (modelId.indexOf('@') >= 0) {
            throw new IllegalArgumentException("model id '" + modelId + "' contains '@', which the model topic's keys "
                    + "reserve (ID@vN); choose an id without it");
        }
    }

    /**
     * Parses a record key.
     *
     * @throws IllegalArgumentException saying why the bytes are not a model-topic key
     */
    public static ModelLogKey parse(byte[] key) {
        if (key == null) {
            throw new IllegalArgumentException("the record has no key");
        }
        int bad = Utf8.firstInvalidInJson(key);
        if (bad >= 0) {
            throw new IllegalArgumentException("the key is not valid UTF-8 text (byte " + bad + ")");
        }
        String text = new String(key, StandardCharsets.UTF_8);
        int at = text.indexOf('@');
        if (at < 0) {
            if (text.isBlank()) {
                throw new IllegalArgumentException("the key is blank");
            }
            return new ModelLogKey(Kind.LEGACY, text, 0);
        }
        Kind kind = Kind.VERSION;
        String rest = text;
        if (rest.endsWith(RETIRED_SUFFIX)) {
            kind = Kind.RETIREMENT;
            rest = rest.substring(0, rest.length() - RETIRED_SUFFIX.length());
        } else if (rest.endsWith(CHALLENGER_SUFFIX)) {
            kind = Kind.CHALLENGE;
            rest = rest.substring(0, rest.length() - CHALLENGER_SUFFIX.length());
        }
        int mark = rest.indexOf(VERSION_MARK);
        String id = mark < 0 ? "" : rest.substring(0, mark);
        String digits = mark < 0 ? "" : rest.substring(mark + VERSION_MARK.length());
        if (id.isBlank() || id.indexOf('@') >= 0 || !canonicalDecimal(digits)) {
            throw new IllegalArgumentException("key '" + text + "' is none of ID@vN, ID@vN@retired, ID@vN@challenger or ID (an id "
                    + "without '@'; N a decimal without leading zeros)");
        }
        return new ModelLogKey(kind, id, Long.parseLong(digits));
    }

    private static boolean canonicalDecimal(String s) {
        if (s.isEmpty() || s.length() > 18 || (s.length() > 1 && s.charAt(0) == '0')) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    public byte[] toBytes() {
        return toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The key as written on the topic. */
    @Override
    public String toString() {
        return switch (kind) {
            case VERSION -> modelId + VERSION_MARK + version;
            case RETIREMENT -> modelId + VERSION_MARK + version + RETIRED_SUFFIX;
            case CHALLENGE -> modelId + VERSION_MARK + version + CHALLENGER_SUFFIX;
            case LEGACY -> modelId;
        };
    }
}
