package io.streamscore.common;

/**
 * Strict UTF-8 for JSON bytes read from Kafka. Jackson's byte parser decodes overlong forms ({@code C1 A1} as 'a'),
 * encoded surrogates and sequences beyond U+10FFFF without complaint, so {@code "fr\xC1\xA1ud"} would read as
 * {@code "fraud"}; and it silently detects UTF-16/32 (RFC 4627 section 3). Both are refused here, before parsing.
 *
 * <p>Well-formed sequences are those of RFC 3629 section 4 (Unicode Table 3-7). A raw NUL byte is refused too: JSON
 * text never holds one (RFC 8259 section 7: control characters in strings are escaped), and UTF-16/32 text of ASCII
 * characters always does.
 */
public final class Utf8 {
    private Utf8() {
    }

    /** The offset of the first byte that starts an ill-formed UTF-8 sequence or is a NUL; −1 when there is none. */
    public static int firstInvalidInJson(byte[] b) {
        int n = b.length;
        int i = 0;
        while (i < n) {
            int c = b[i];
            if (c > 0) {            // ASCII other than NUL: the common case
                i++;
                continue;
            }
            if (c == 0) {
                return i;
            }
            int u = c & 0xff;
            int len;
            int lo = 0x80;
            int hi = 0xbf;
            if (u >= 0xc2 && u <= 0xdf) {
                len = 2;
            } else if (u == 0xe0) {
                len = 3;
                lo = 0xa0;          // E0 80..9F would be overlong
            } else if (u == 0xed) {
                len = 3;
                hi = 0x9f;          // ED A0..BF would encode a surrogate
            } else if (u >= 0xe1 && u <= 0xef) {
                len = 3;
            } else if (u == 0xf0) {
                len = 4;
                lo = 0x90;          // F0 80..8F would be overlong
            } else if (u >= 0xf1 && u <= 0xf3) {
                len = 4;
            } else if (u == 0xf4) {
                len = 4;
                hi = 0x8f;          // F4 90.. would be above U+10FFFF
            } else {
                return i;           // 80..C1 (continuation or overlong lead), F5..FF
            }
            if (i + len > n) {
                return i;
            }
            int second = b[i + 1] & 0xff;
            if (second < lo || second > hi) {
                return i;
            }
            for (int k = 2; k < len; k++) {
                int cont = b[i + k] & 0xff;
                if (cont < 0x80 || cont > 0xbf) {
                    return i;
                }
            }
            i += len;
        }
        return -1;
    }
}
