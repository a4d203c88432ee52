package io.streamscore.common;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FeatureSchemaTest {

    /** The documented definition, written out again independently: length-prefixed UTF-8, SHA-256, 8 bytes in hex. */
    private static String reference(List<String> names) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (String name : names) {
                byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
                out.writeInt(utf8.length);               // DataOutputStream writes big-endian
                out.write(utf8);
            }
        }
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray());
        StringBuilder hex = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            hex.append(String.format("%02x", digest[i] & 0xff));
        }
        return hex.toString();
    }

    @Test
    void isTheDocumentedFunctionOfTheOrderedNames() throws Exception {
        for (List<String> names : List.of(List.of("amount", "age", "night"), List.of("a"), List.of("b", "a"),
                List.of("Größe", "年齢", "\uD83D\uDE00", "e\u0301"), List.of("x".repeat(70_000), "y"))) {
            assertEquals(reference(names), FeatureSchema.fingerprint(names), names.toString());
        }
    }

    @Test
    void matchesTheWorkedExamplesInTheDocs() {
        // docs/scorer.md and README.md show these values, computed there with the Python snippet; if this fails the
        // docs (and every producer that followed them) disagree with the code.
        assertEquals("7393a6baca9600cd", FeatureSchema.fingerprint(List.of("amount", "age")));
        assertEquals("195bf048ccc12200", FeatureSchema.fingerprint(List.of("age", "amount")));
    }

    @Test
    void isSixteenLowercaseHexDigits() {
        String f = FeatureSchema.fingerprint(List.of("amount", "age", "night"));
        assertEquals(FeatureSchema.LENGTH, f.length());
        assertTrue(f.matches("[0-9a-f]{16}"), f);
    }

    @Test
    void dependsOnTheOrder() {
        assertNotEquals(FeatureSchema.fingerprint(List.of("a", "b")), FeatureSchema.fingerprint(List.of("b", "a")));
    }

    @Test
    void hasNoAmbiguityBetweenDifferentSplitsOfTheSameCharacters() {
        assertNotEquals(FeatureSchema.fingerprint(List.of("ab", "c")), FeatureSchema.fingerprint(List.of("a", "bc")));
        assertNotEquals(FeatureSchema.fingerprint(List.of("abc")), FeatureSchema.fingerprint(List.of("a", "bc")));
        // A NUL-separated encoding would confuse these two; the length prefix does not.
        assertNotEquals(FeatureSchema.fingerprint(List.of("a\u0000b")), FeatureSchema.fingerprint(List.of("a", "b")));
        assertNotEquals(FeatureSchema.fingerprint(List.of("a")), FeatureSchema.fingerprint(List.of("a", "")));
    }

    @Test
    void takesNamesAsTheyAre() {
        assertNotEquals(FeatureSchema.fingerprint(List.of("Age")), FeatureSchema.fingerprint(List.of("age")));
        assertNotEquals(FeatureSchema.fingerprint(List.of(" age")), FeatureSchema.fingerprint(List.of("age")));
        // é precomposed vs e + combining acute: no normalization.
        assertNotEquals(FeatureSchema.fingerprint(List.of("\u00e9")), FeatureSchema.fingerprint(List.of("e\u0301")));
    }

    @Test
    void refusesANameWithNoUtf8Form() throws IOException {
        // String.getBytes would encode both as '?', so they would share a fingerprint with the name "?".
        assertThrows(IllegalArgumentException.class, () -> FeatureSchema.fingerprint(List.of("a\uD800")));
        assertThrows(IllegalArgumentException.class, () -> FeatureSchema.fingerprint(List.of("\uDC00a")));
        assertFalse(FeatureSchema.isValidUnicode("\uDE00\uD83D"));
        assertTrue(FeatureSchema.isValidUnicode("\uD83D\uDE00"));
    }
}
