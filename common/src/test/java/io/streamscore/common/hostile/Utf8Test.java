package io.streamscore.common.hostile;

import io.streamscore.common.ModelFormatException;
import io.streamscore.common.ModelJson;
import io.streamscore.common.Utf8;
import io.streamscore.common.event.FeatureEventException;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.common.event.ReasonCode;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class Utf8Test {

    private static byte[] bytes(int... b) {
        byte[] out = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = (byte) b[i];
        }
        return out;
    }

    @Test
    void shouldAcceptEveryWellFormedSequenceAndTheBoundaries() {
        assertEquals(-1, Utf8.firstInvalidInJson("plain {\"a\":1} é € 😀 ｆ".getBytes(StandardCharsets.UTF_8)));
        assertEquals(-1, Utf8.firstInvalidInJson(bytes(0xc2, 0x80, 0xdf, 0xbf)));                 // U+0080, U+07FF
        assertEquals(-1, Utf8.firstInvalidInJson(bytes(0xe0, 0xa0, 0x80, 0xed, 0x9f, 0xbf)));     // U+0800, U+D7FF
        assertEquals(-1, Utf8.firstInvalidInJson(bytes(0xee, 0x80, 0x80, 0xef, 0xbb, 0xbf)));     // U+E000, BOM
        assertEquals(-1, Utf8.firstInvalidInJson(bytes(0xf0, 0x90, 0x80, 0x80, 0xf4, 0x8f, 0xbf, 0xbf))); // U+10000, U+10FFFF
        assertEquals(-1, Utf8.firstInvalidInJson(new byte[0]));
    }

    @Test
    void shouldRefuseOverlongSurrogatesBeyondTheRangeTruncationStrayBytesAndNul() {
        assertEquals(1, Utf8.firstInvalidInJson(bytes('a', 0xc0, 0x80)));            // overlong NUL
        assertEquals(0, Utf8.firstInvalidInJson(bytes(0xc1, 0xa1)));                 // overlong 'a'
        assertEquals(0, Utf8.firstInvalidInJson(bytes(0xe0, 0x81, 0xa1)));           // overlong 'a', 3 bytes
        assertEquals(0, Utf8.firstInvalidInJson(bytes(0xf0, 0x80, 0x81, 0xa1)));     // overlong 'a', 4 bytes
        assertEquals(0, Utf8.firstInvalidInJson(bytes(0xed, 0xa0, 0x80)));           // encoded surrogate
        assertEquals(0, Utf8.firstInvalidInJson(bytes(0xf4, 0x90, 0x80, 0x80)));     // above U+10FFFF
        assertEquals(0, Utf8.firstInvalidInJson(bytes(0xf5, 0x80, 0x80, 0x80)));
        assertEquals(0, Utf8.firstInvalidInJson(bytes(0x80)));                       // stray continuation
        assertEquals(2, Utf8.firstInvalidInJson(bytes('a', 'b', 0xe2, 0x82)));       // truncated at the end
        assertEquals(0, Utf8.firstInvalidInJson(bytes(0xe2, 0x28, 0xa1)));           // bad continuation
        assertEquals(0, Utf8.firstInvalidInJson(bytes(0xff)));
        assertEquals(1, Utf8.firstInvalidInJson(bytes('{', 0, '"', 0)));             // UTF-16LE of '{"'
    }

    @Test
    void shouldAgreeWithTheJdksStrictDecoderOnRandomBytes() {
        // The JDK's decoder (REPORT) implements the same table; NUL is the one byte JSON adds.
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[1 + random.nextInt(12)];
            for (int k = 0; k < b.length; k++) {
                b[k] = (byte) (random.nextInt(4) == 0 ? 'a' : 0x80 + random.nextInt(0x80));
            }
            boolean jdk = decodes(b);
            boolean ours = Utf8.firstInvalidInJson(b) < 0;
            assertEquals(jdk, ours, () -> java.util.HexFormat.of().formatHex(b));
        }
    }

    @Test
    void shouldMakeTheParsersRefuseOverlongFormsThatWouldDecodeToAnotherId() {
        byte[] event = "{\"modelId\":\"frXXud\",\"features\":[1]}".getBytes(StandardCharsets.UTF_8);
        event[14] = (byte) 0xc1;
        event[15] = (byte) 0xa1;                                                     // 'a', overlong
        FeatureEventException e = assertThrows(FeatureEventException.class, () -> FeatureEventJson.parse(event));
        assertEquals(ReasonCode.MALFORMED_JSON, e.reason());
        assertEquals("malformed JSON: invalid UTF-8 at byte 14", e.getMessage());
        ModelFormatException m = assertThrows(ModelFormatException.class, () -> ModelJson.fromBytes(bytes('{', 0xc0, 0x80, '}')));
        assertTrue(m.getMessage().contains("invalid UTF-8 at byte 1"), m.getMessage());
    }

    private static boolean decodes(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
