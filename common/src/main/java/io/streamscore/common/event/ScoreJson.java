package io.streamscore.common.event;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.streamscore.common.Contributions;
import io.streamscore.common.Json;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The score's JSON form on the scores topic:
 *
 * <pre>{@code
 * {"schemaVersion":1,"eventId":"e-42","modelId":"fraud","modelVersion":3,"probability":0.7310585786300049,
 *  "label":1,"threshold":0.5,"eventTimestamp":1763856000000,"scoredAt":1763856000012,
 *  "modelPublishedAt":"2025-11-22T09:30:00.250Z","selection":"event-time"}
 * }</pre>
 *
 * {@code eventId} is left out when the event had none, {@code modelPublishedAt} when it is unknown. The probability and
 * threshold are written as {@link Double#toString} writes them, so they read back bit for bit.
 *
 * <p>This is the scorer's hot path, so the writer is hand-made: fixed field names are pre-encoded bytes, the document
 * goes into one buffer per thread and leaves as one exact-size array, and the output is byte for byte what Jackson's
 * generator wrote before (strings a plain ASCII fast path cannot take, e.g. with quotes, control characters or non-ASCII
 * letters, are escaped by Jackson itself; the tests hold the two writers to the same bytes).
 *
 * <p>Reading accepts scores written before {@code modelPublishedAt} and {@code selection} existed (same schema
 * version: the fields are additions): the publish time is then unknown (null) and the selection {@code latest}, the
 * only one there was.
 *
 * <p>A challenger's score on the shadow topic is the same document with one more field, {@code "role":"challenger"}
 * ({@link #toChallengerBytes}); {@link #fromBytes} reads both.
 *
 * <p>A score with {@link Contributions} (the scorer's {@code --contributions}) adds, after {@code selection}:
 *
 * <pre>{@code
 *  "logit":0.75,"intercept":0.1,"contributions":{"amount":1.0,"age":-0.6,"night":0.25}
 * }</pre>
 *
 * every term in the model's feature order, or, for a selection ({@code --contributions-top K}), the K largest by
 * magnitude, largest first, followed by {@code "contributionsOmitted":n,"contributionsOmittedSum":s}. These numbers are
 * written in the shortest form that reads back exactly: Raffaello Giulietti's Schubfach algorithm, the one behind
 * Jackson's {@code NumberOutput.toString(d, true)} and JDK 19's {@link Double#toString}, with the same text, here
 * written straight into the output buffer: a score carries one such number per feature, and this spares each of them
 * the String and the copies that Jackson's API needs. A term or logit that overflowed to ±Infinity
 * (the probability is then exactly 0 or 1) is written as the string {@code "Infinity"} or {@code "-Infinity"}, which
 * JSON numbers cannot hold. Older scores without these fields read back with null contributions.
 */
public final class ScoreJson {
    /** The score schema this code writes and the newest it reads. */
    public static final int SCHEMA_VERSION = 1;
    /** The field that marks a shadow score, and its value for a challenger's. */
    public static final String ROLE_FIELD = "role";
    public static final String ROLE_CHALLENGER = "challenger";

    private static final byte[] SCHEMA_VERSION_FIELD = ascii("{\"schemaVersion\":" + SCHEMA_VERSION);
    private static final byte[] EVENT_ID = ascii(",\"eventId\":");
    private static final byte[] MODEL_ID = ascii(",\"modelId\":");
    private static final byte[] MODEL_VERSION = ascii(",\"modelVersion\":");
    private static final byte[] PROBABILITY = ascii(",\"probability\":");
    private static final byte[] LABEL = ascii(",\"label\":");
    private static final byte[] THRESHOLD = ascii(",\"threshold\":");
    private static final byte[] EVENT_TIMESTAMP = ascii(",\"eventTimestamp\":");
    private static final byte[] SCORED_AT = ascii(",\"scoredAt\":");
    private static final byte[] MODEL_PUBLISHED_AT = ascii(",\"modelPublishedAt\":\"");
    private static final byte[] SELECTION = ascii(",\"selection\":\"");
    private static final byte[] LOGIT = ascii(",\"logit\":");
    private static final byte[] INTERCEPT = ascii(",\"intercept\":");
    private static final byte[] CONTRIBUTIONS = ascii(",\"contributions\":{");
    private static final byte[] OMITTED = ascii(",\"contributionsOmitted\":");
    private static final byte[] OMITTED_SUM = ascii(",\"contributionsOmittedSum\":");
    private static final byte[] ROLE = ascii(",\"" + ROLE_FIELD + "\":\"" + ROLE_CHALLENGER + "\"");

    /**
     * Formatted publish times, by epoch milli: a score's version publish time repeats for every event it scores, and
     * formatting an instant costs about as much as a fifth of writing the whole score. Direct-mapped, racy by design:
     * entries are immutable (final fields), so a reader sees either a whole entry or another one, and checks its key.
     */
    private static final FormattedInstant[] FORMATTED = new FormattedInstant[64];

    /** One writer per thread (the scorer's stream threads are long-lived); a score is written whole before it leaves. */
    private static final ThreadLocal<Writer> WRITER = ThreadLocal.withInitial(Writer::new);

    private record FormattedInstant(Instant instant, String text) {
    }

    private ScoreJson() {
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String iso(Instant instant) {
        long ms = instant.toEpochMilli();
        int slot = (int) (ms ^ (ms >>> 32)) & (FORMATTED.length - 1);
        FormattedInstant f = FORMATTED[slot];
        if (f == null || !f.instant.equals(instant)) {
            f = new FormattedInstant(instant, instant.toString());
            FORMATTED[slot] = f;
        }
        return f.text;
    }

    public static byte[] toBytes(Score s) {
        return write(s, false);
    }

    /**
     * A challenger's score as the shadow topic carries it: exactly what {@link #toBytes} writes for {@code s}, whatever
     * fields that holds, with {@code "role":"challenger"} added as the last field. The same writer with one more field
     * before the closing brace, so that the shadow record can never drift from the score's format.
     */
    public static byte[] toChallengerBytes(Score s) {
        return write(s, true);
    }

    private static byte[] write(Score s, boolean challenger) {
        Writer w = WRITER.get();
        w.pos = 0;
        w.raw(SCHEMA_VERSION_FIELD);
        if (s.eventId() != null) {
            w.raw(EVENT_ID);
            w.string(s.eventId());
        }
        w.raw(MODEL_ID);
        w.string(s.modelId());
        w.raw(MODEL_VERSION);
        w.number(s.modelVersion());
        w.raw(PROBABILITY);
        w.ascii(Double.toString(s.probability()));
        w.raw(LABEL);
        w.number(s.label());
        w.raw(THRESHOLD);
        w.ascii(Double.toString(s.threshold()));
        w.raw(EVENT_TIMESTAMP);
        w.number(s.eventTimestamp());
        w.raw(SCORED_AT);
        w.number(s.scoredAt());
        if (s.modelPublishedAt() != null) {
            w.raw(MODEL_PUBLISHED_AT);
            w.ascii(iso(s.modelPublishedAt()));
            w.ascii('"');
        }
        w.raw(SELECTION);
        w.ascii(s.selection().wireName());
        w.ascii('"');
        if (s.contributions() != null) {
            writeContributions(w, s.contributions());
        }
        if (challenger) {
            w.raw(ROLE);
        }
        w.ascii('}');
        byte[] out = Arrays.copyOf(w.buf, w.pos);
        if (w.buf.length > Writer.KEPT_CAPACITY) { // a very wide model's score: do not hold its buffer forever
            w.buf = new byte[Writer.INITIAL_CAPACITY];
        }
        return out;
    }

    private static void writeContributions(Writer w, Contributions c) {
        w.raw(LOGIT);
        w.exactDouble(c.logit());
        w.raw(INTERCEPT);
        w.exactDouble(c.intercept());
        w.raw(CONTRIBUTIONS);
        // Every term: the names are the model's list, encoded once per thread. A top-K selection's list is new per
        // score, so its few names are written directly.
        byte[][] names = c.isSelection() ? null : w.encodedNames(c.names());
        for (int i = 0; i < c.size(); i++) {
            if (i > 0) {
                w.ascii(',');
            }
            if (names != null) {
                w.raw(names[i]);
            } else {
                w.string(c.name(i));
                w.ascii(':');
            }
            w.exactDouble(c.term(i));
        }
        w.ascii('}');
        if (c.isSelection()) {
            w.raw(OMITTED);
            w.number(c.omitted());
            w.raw(OMITTED_SUM);
            w.exactDouble(c.omittedSum());
        }
    }

    /** The shortest text of a finite double that reads back exactly (for the tests: the writer's own digits). */
    static String shortest(double v) {
        Writer w = new Writer();
        w.exactDouble(v);
        return new String(w.buf, 0, w.pos, StandardCharsets.US_ASCII);
    }

    /** A growable byte buffer with the few JSON writes a score needs. */
    private static final class Writer {
        static final int INITIAL_CAPACITY = 1024;
        static final int KEPT_CAPACITY = 64 * 1024;
        private byte[] buf = new byte[INITIAL_CAPACITY];
        private int pos;
        /**
         * Encoded feature names ({@code "name":}) by names list, direct-mapped on the list's identity: a model's list is
         * one immutable instance, so identity stands for content; a few models per thread is the common case.
         */
        private final Object[] namesKey = new Object[16];
        private final byte[][][] namesEncoded = new byte[16][][];

        private void ensure(int n) {
            if (pos + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
            }
        }

        /** Each name as the contributions object writes it, {@code "name":}, cached for the list (immutable). */
        byte[][] encodedNames(java.util.List<String> names) {
            int slot = System.identityHashCode(names) & (namesKey.length - 1);
            if (namesKey[slot] == names) {
                return namesEncoded[slot];
            }
            byte[][] encoded = new byte[names.size()][];
            int start = pos;
            for (int i = 0; i < encoded.length; i++) {
                string(names.get(i)); // written where the document goes on, copied out, then overwritten
                ascii(':');
                encoded[i] = Arrays.copyOfRange(buf, start, pos);
                pos = start;
            }
            namesKey[slot] = names;
            namesEncoded[slot] = encoded;
            return encoded;
        }

        void raw(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, pos, b.length);
            pos += b.length;
        }

        void ascii(char c) {
            ensure(1);
            buf[pos++] = (byte) c;
        }

        /** Text known to be printable ASCII with nothing to escape (numbers, instants, wire names). */
        void ascii(String s) {
            int n = s.length();
            ensure(n);
            for (int i = 0; i < n; i++) {
                buf[pos++] = (byte) s.charAt(i);
            }
        }

        /**
         * A JSON string. Printable ASCII other than the quote and the backslash is copied as is (ids and feature names
         * are); anything else is left to Jackson's generator, so escapes, UTF-8 and surrogate handling are its own.
         */
        void string(String s) {
            int n = s.length();
            ensure(n + 2);
            int start = pos;
            buf[pos++] = '"';
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x20 || c > 0x7E || c == '"' || c == '\\') {
                    pos = start;
                    raw(jacksonString(s));
                    return;
                }
                buf[pos++] = (byte) c;
            }
            buf[pos++] = '"';
        }

        private static byte[] jacksonString(String s) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(s.length() + 16);
            try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
                g.writeString(s);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write a score", e);
            }
            return out.toByteArray();
        }

        void number(long v) {
            ensure(21);
            if (v < 0) {
                if (v == Long.MIN_VALUE) {
                    ascii(Long.toString(v));
                    return;
                }
                buf[pos++] = '-';
                v = -v;
            }
            int end = pos + 20;
            int p = end;
            do {
                long q = v / 10;
                buf[--p] = (byte) ('0' + (int) (v - q * 10));
                v = q;
            } while (v != 0);
            int len = end - p;
            System.arraycopy(buf, p, buf, pos, len);
            pos += len;
        }

        /** A finite double in its shortest exact form; ±Infinity and NaN as the strings Double.toString gives. */
        void exactDouble(double v) {
            if (Double.isFinite(v)) {
                Schubfach.write(this, v);
            } else {
                ascii('"');
                ascii(Double.toString(v));
                ascii('"');
            }
        }
    }

    /**
     * Raffaello Giulietti, "The Schubfach way to render doubles" (2020): the shortest decimal that rounds back to the
     * double, the one closest to it on a tie, written as {@link Double#toString} writes from JDK 19 on (plain notation
     * for 10^-3 &lt;= |v| &lt; 10^7, otherwise computerized scientific notation, at least one digit after the point).
     * A port of the published algorithm writing into a {@link Writer}; its 126-bit powers of ten are computed once
     * with {@link BigInteger} instead of being listed.
     */
    private static final class Schubfach {
        private static final int P = 53;
        private static final int Q_MIN = -1074;
        private static final long C_TINY = 3;
        private static final int K_MIN = -324;
        private static final int K_MAX = 292;
        /** Digits kept for the rendering: 10^(H-1) &lt;= f &lt; 10^H. */
        private static final int H = 17;
        private static final long C_MIN = 1L << (P - 1);
        private static final int BQ_MASK = (1 << 11) - 1;
        private static final long T_MASK = (1L << (P - 1)) - 1;
        private static final long MASK_63 = (1L << 63) - 1;
        private static final long MASK_47 = (1L << 47) - 1;
        /** For each n in [0, 100): the characters of its two digits, tens in the low byte (written little-endian). */
        private static final long[] DIGIT_PAIRS = new long[100];
        private static final VarHandle LONG_LITTLE_ENDIAN = MethodHandles.byteArrayViewVarHandle(long[].class,
                ByteOrder.LITTLE_ENDIAN);
        private static final long[] POW10 = new long[H + 1];
        /** For each k in [K_MIN, K_MAX]: g1 and g0 with g = g1·2^63 + g0 = floor(10^-k·2^-r) + 1 in [2^125, 2^126]. */
        private static final long[] G = new long[2 * (K_MAX - K_MIN + 1)];

        static {
            for (int n = 0; n < 100; n++) {
                DIGIT_PAIRS[n] = ('0' + n / 10) | ('0' + n % 10) << 8;
            }
            POW10[0] = 1;
            for (int i = 1; i <= H; i++) {
                POW10[i] = POW10[i - 1] * 10;
            }
            BigInteger low63 = BigInteger.ONE.shiftLeft(63).subtract(BigInteger.ONE);
            for (int k = K_MIN; k <= K_MAX; k++) {
                BigInteger beta;
                if (k <= 0) {
                    BigInteger n = BigInteger.TEN.pow(-k);
                    int r = n.bitLength() - 126;
                    beta = r >= 0 ? n.shiftRight(r) : n.shiftLeft(-r);
                } else {
                    BigInteger d = BigInteger.TEN.pow(k);
                    beta = BigInteger.ONE.shiftLeft(125 + d.bitLength()).divide(d);
                }
                BigInteger g = beta.add(BigInteger.ONE);
                G[2 * (k - K_MIN)] = g.shiftRight(63).longValueExact();
                G[2 * (k - K_MIN) + 1] = g.and(low63).longValue();
            }
        }

        private Schubfach() {
        }

        static void write(Writer w, double v) {
            w.ensure(32);
            long bits = Double.doubleToRawLongBits(v);
            long t = bits & T_MASK;
            int bq = (int) (bits >>> (P - 1)) & BQ_MASK;
            if (bits < 0) {
                w.buf[w.pos++] = '-';
            }
            if (bq != 0) {
                int mq = -Q_MIN + 1 - bq;
                long c = C_MIN | t;
                if (0 < mq & mq < P) {
                    long f = c >> mq;
                    if (f << mq == c) { // an integer: its digits
                        toChars(w, f, 0);
                        return;
                    }
                }
                toDecimal(w, -mq, c, 0);
            } else if (t != 0) { // subnormal
                if (t < C_TINY) {
                    toDecimal(w, Q_MIN, 10 * t, -1);
                } else {
                    toDecimal(w, Q_MIN, t, 0);
                }
            } else {
                w.buf[w.pos++] = '0';
                w.buf[w.pos++] = '.';
                w.buf[w.pos++] = '0';
            }
        }

        private static void toDecimal(Writer w, int q, long c, int dk) {
            int out = (int) c & 0x1;
            long cb = c << 2;
            long cbr = cb + 2;
            long cbl;
            int k;
            if (c != C_MIN | q == Q_MIN) {
                cbl = cb - 2;
                k = flog10pow2(q);
            } else {
                cbl = cb - 1;
                k = flog10threeQuartersPow2(q);
            }
            int h = q + flog2pow10(-k) + 2;
            long g1 = G[2 * (k - K_MIN)];
            long g0 = G[2 * (k - K_MIN) + 1];
            long vb = rop(g1, g0, cb << h);
            long vbl = rop(g1, g0, cbl << h);
            long vbr = rop(g1, g0, cbr << h);
            long s = vb >> 2;
            if (s >= 100) {
                // s' = floor(s / 10); is one of s'·10^(k+1) or (s'+1)·10^(k+1) alone in the rounding interval?
                long sp10 = 10 * Math.multiplyHigh(s, 115_292_150_460_684_698L << 4);
                long tp10 = sp10 + 10;
                boolean upin = vbl + out <= sp10 << 2;
                boolean wpin = (tp10 << 2) + out <= vbr;
                if (upin != wpin) {
                    toChars(w, upin ? sp10 : tp10, k);
                    return;
                }
            }
            long t = s + 1;
            boolean uin = vbl + out <= s << 2;
            boolean win = (t << 2) + out <= vbr;
            if (uin != win) {
                toChars(w, uin ? s : t, k + dk);
                return;
            }
            long cmp = vb - (s + t << 1); // both in: the closer one, the even one on a tie
            toChars(w, cmp < 0 || cmp == 0 && (s & 0x1) == 0 ? s : t, k + dk);
        }

        /** Round to odd of the 126-bit g times cp, shifted: see section 9.9 of the paper. */
        private static long rop(long g1, long g0, long cp) {
            long x1 = Math.multiplyHigh(g0, cp);
            long y0 = g1 * cp;
            long y1 = Math.multiplyHigh(g1, cp);
            long z = (y0 >>> 1) + x1;
            long vbp = y1 + (z >>> 63);
            return vbp | (z & MASK_63) + MASK_63 >>> 63;
        }

        private static int flog10pow2(int e) {
            return (int) (e * 661_971_961_083L >> 41);
        }

        private static int flog10threeQuartersPow2(int e) {
            return (int) (e * 661_971_961_083L + -274_743_187_321L >> 41);
        }

        private static int flog2pow10(int e) {
            return (int) (e * 913_124_641_741L >> 38);
        }

        /** Writes f·10^e: f's digits, split into h (1 digit), m and l (8 each) once f is scaled to 17 digits. */
        private static void toChars(Writer w, long f, int e) {
            int len = flog10pow2(Long.SIZE - Long.numberOfLeadingZeros(f));
            if (f >= POW10[len]) {
                len += 1;
            }
            f *= POW10[H - len];
            e += len;
            long hm = Math.multiplyHigh(f, 193_428_131_138_340_668L) >>> 20;
            int l = (int) (f - 100_000_000L * hm);
            int h = (int) (hm * 1_441_151_881L >>> 57);
            int m = (int) (hm - 100_000_000 * h);
            if (0 < e && e <= 7) {
                plainWithoutLeadingZeroes(w, h, m, l, e);
            } else if (-3 < e && e <= 0) {
                plainWithLeadingZeroes(w, h, m, l, e);
            } else {
                scientific(w, h, m, l, e);
            }
        }

        private static void plainWithoutLeadingZeroes(Writer w, int h, int m, int l, int e) {
            // The 9 digits of h and m, then the point slid in after the first e of them (1 <= e <= 7).
            int start = w.pos;
            digit(w, h);
            eightDigits(w, m);
            byte[] b = w.buf;
            for (int j = start + 9; j > start + e; j--) {
                b[j] = b[j - 1];
            }
            b[start + e] = '.';
            w.pos = start + 10;
            lowDigits(w, l);
        }

        private static void plainWithLeadingZeroes(Writer w, int h, int m, int l, int e) {
            digit(w, 0);
            w.buf[w.pos++] = '.';
            for (; e < 0; ++e) {
                digit(w, 0);
            }
            digit(w, h);
            eightDigits(w, m);
            lowDigits(w, l);
        }

        private static void scientific(Writer w, int h, int m, int l, int e) {
            digit(w, h);
            w.buf[w.pos++] = '.';
            eightDigits(w, m);
            lowDigits(w, l);
            exponent(w, e - 1);
        }

        private static void lowDigits(Writer w, int l) {
            if (l != 0) {
                eightDigits(w, l);
            }
            // Trailing zeroes go, but for the one right after the point.
            while (w.buf[w.pos - 1] == '0') {
                --w.pos;
            }
            if (w.buf[w.pos - 1] == '.') {
                ++w.pos;
            }
        }

        /**
         * The 8 digits of m (0 &lt;= m &lt; 10^8, leading zeroes kept) in one 8-byte store: James Anhalt's method, m
         * scaled by ⌈2^47 / 10^6⌉ so that the top bits are its first two digits, then the fraction times 100 for each
         * next two (exact for every 8-digit m), each pair's two characters from a table.
         */
        private static void eightDigits(Writer w, int m) {
            long y1 = m * 140_737_489L;
            long y2 = (y1 & MASK_47) * 100;
            long y3 = (y2 & MASK_47) * 100;
            long y4 = (y3 & MASK_47) * 100;
            long chars = DIGIT_PAIRS[(int) (y1 >> 47)] | DIGIT_PAIRS[(int) (y2 >> 47)] << 16
                    | DIGIT_PAIRS[(int) (y3 >> 47)] << 32 | DIGIT_PAIRS[(int) (y4 >> 47)] << 48;
            LONG_LITTLE_ENDIAN.set(w.buf, w.pos, chars);
            w.pos += 8;
        }

        private static void exponent(Writer w, int e) {
            w.buf[w.pos++] = 'E';
            if (e < 0) {
                w.buf[w.pos++] = '-';
                e = -e;
            }
            if (e < 10) {
                digit(w, e);
                return;
            }
            int d;
            if (e >= 100) {
                d = e * 1_311 >>> 17;
                digit(w, d);
                e -= 100 * d;
            }
            d = e * 103 >>> 10;
            digit(w, d);
            digit(w, e - 10 * d);
        }

        private static void digit(Writer w, int d) {
            w.buf[w.pos++] = (byte) ('0' + d);
        }
    }

    /**
     * Reads a score (for consumers and tests; not on the scorer's path).
     *
     * @throws IllegalArgumentException naming the field that is missing or wrong
     */
    public static Score fromBytes(byte[] json) {
        JsonNode n;
        try {
            n = Json.MAPPER.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("score JSON is malformed: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("score JSON must be an object");
        }
        long schema = required(n, "schemaVersion").asLong();
        if (schema > SCHEMA_VERSION) {
            throw new IllegalArgumentException("score has schemaVersion " + schema + "; this version supports at most "
                    + SCHEMA_VERSION);
        }
        JsonNode eventId = n.get("eventId");
        return new Score(eventId == null || eventId.isNull() ? null : eventId.asText(),
                required(n, "modelId").asText(), required(n, "modelVersion").asLong(),
                required(n, "probability").doubleValue(), required(n, "label").asInt(),
                required(n, "threshold").doubleValue(), required(n, "eventTimestamp").asLong(),
                required(n, "scoredAt").asLong(), publishedAt(n.get("modelPublishedAt")), selection(n.get("selection")), contributions(n));
    }

    private static Instant publishedAt(JsonNode v) {
        if (v == null || v.isNull()) {
            return null; // written before the field existed
        }
        try {
            return Instant.parse(v.asText());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("score field 'modelPublishedAt' is '" + v.asText()
                    + "'; must be an ISO-8601 instant such as 2025-11-22T09:30:00.250Z", e);
        }
    }

    private static ModelSelection selection(JsonNode v) {
        if (v == null || v.isNull()) {
            return ModelSelection.LATEST; // written before the field existed, when latest was the only selection
        }
        try {
            return ModelSelection.parse(v.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("score field 'selection' is '" + v.asText()
                    + "'; must be latest or event-time", e);
        }
    }

    /** Null when the score has none (the default, and every score written before they existed). */
    private static Contributions contributions(JsonNode n) {
        JsonNode terms = n.get("contributions");
        if (terms == null || terms.isNull()) {
            return null;
        }
        if (!terms.isObject()) {
            throw new IllegalArgumentException("score JSON field 'contributions' must be an object");
        }
        Map<String, Double> byName = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : terms.properties()) {
            byName.put(e.getKey(), number(e.getValue(), "contributions." + e.getKey()));
        }
        JsonNode omitted = n.get("contributionsOmitted");
        boolean selection = omitted != null && !omitted.isNull();
        return Contributions.of(byName, number(required(n, "intercept"), "intercept"),
                number(required(n, "logit"), "logit"), selection ? omitted.asInt() : -1,
                selection ? number(required(n, "contributionsOmittedSum"), "contributionsOmittedSum") : 0.0);
    }

    /** A JSON number, or one of the strings a non-finite double is written as. */
    private static double number(JsonNode v, String field) {
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isTextual()) {
            switch (v.asText()) {
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                case "NaN":
                    return Double.NaN;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException("score JSON field '" + field + "' must be a number (or \"Infinity\", "
                + "\"-Infinity\", \"NaN\"), not " + v);
    }

    private static JsonNode required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            throw new IllegalArgumentException("score JSON is missing required field '" + field + "'");
        }
        return v;
    }
}
