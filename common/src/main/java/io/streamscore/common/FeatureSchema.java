package io.streamscore.common;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The feature-schema fingerprint: a short name for an <em>ordered</em> list of feature names, so that a positional
 * feature event (an array of values) can say which order it was built for, and the scorer can refuse it when the served
 * model's order differs (a retrain from a CSV with reordered columns gives the same feature count in another order).
 *
 * <p>Definition, so that producers in any language compute the same string:
 * <ol>
 *   <li>for each feature name, in the model's order: its UTF-8 encoding, preceded by that encoding's length in bytes as
 *       a 4-byte big-endian unsigned integer;</li>
 *   <li>SHA-256 over the concatenation of those;</li>
 *   <li>the first 8 bytes of the digest as 16 lowercase hexadecimal digits.</li>
 * </ol>
 * The length prefixes make the encoding unambiguous ({@code ["ab","c"]} and {@code ["a","bc"]} differ) with no
 * restriction on the characters of a name. Names are taken as they are: no trimming, no case folding, no Unicode
 * normalization; a name must be valid Unicode (no unpaired surrogate), which {@link LogisticModel} enforces. 64 bits
 * are ample against accidental collisions between a model's versions: the fingerprint detects mistakes, it is not a
 * security boundary. A model's own is {@link LogisticModel#featureSchema()}; the event field that carries it is
 * {@code featureSchema} (see {@code FeatureEventJson}).
 */
public final class FeatureSchema {
    /** Hex digits in a fingerprint. */
    public static final int LENGTH = 16;

    private FeatureSchema() {
    }

    /**
     * The fingerprint of these names in this order.
     *
     * @throws IllegalArgumentException for a null name, or a name that is not valid Unicode (see {@link #isValidUnicode})
     */
    public static String fingerprint(List<String> names) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
        ByteBuffer length = ByteBuffer.allocate(Integer.BYTES);
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            if (name == null || !isValidUnicode(name)) {
                throw new IllegalArgumentException("feature name " + i + (name == null ? " is null"
                        : " has an unpaired surrogate, so it has no UTF-8 form"));
            }
            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
            sha256.update(length.clear().putInt(utf8.length).array());
            sha256.update(utf8);
        }
        return HexFormat.of().formatHex(sha256.digest(), 0, LENGTH / 2);
    }

    /**
     * False when the string has an unpaired UTF-16 surrogate (possible in JSON through an escape such as
     * <code>&#92;ud800</code>), which has no UTF-8 form: {@link String#getBytes} would silently turn it into '?', so two
     * different names could share a fingerprint.
     */
    public static boolean isValidUnicode(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
