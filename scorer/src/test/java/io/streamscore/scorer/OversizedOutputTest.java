package io.streamscore.scorer;

import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OversizedOutputTest {
    private static final OversizedOutput.Cause CAUSE = new OversizedOutput.Cause("too big", "x.TooBig", "");
    private static final OversizedOutput.Source SOURCE = new OversizedOutput.Source("features", 3, 1234L);

    private static String header(Headers h, String name) {
        Header last = h.lastHeader(name);
        return last == null ? null : new String(last.value(), StandardCharsets.UTF_8);
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static void assertCoordinatesAndReason(Headers h) {
        assertEquals("OUTPUT_TOO_LARGE", header(h, DeadLetters.HEADER_REASON));
        assertEquals("features", header(h, DeadLetters.HEADER_TOPIC));
        assertEquals("3", header(h, DeadLetters.HEADER_PARTITION));
        assertEquals("1234", header(h, DeadLetters.HEADER_OFFSET));
        assertEquals("too big", header(h, DeadLetters.HEADER_MESSAGE));
        assertEquals("x.TooBig", header(h, DeadLetters.HEADER_EXCEPTION));
    }

    @Test
    void shouldKeepEverythingWhenItFits() {
        byte[] value = bytes(500, 1);
        Headers in = new RecordHeaders().add("trace-id", "t-1".getBytes(StandardCharsets.UTF_8));
        OversizedOutput.DeadLetter dl = OversizedOutput.deadLetter("k".getBytes(StandardCharsets.UTF_8), value, in, CAUSE,
                SOURCE, 2000);
        assertArrayEquals(value, dl.value());
        assertEquals("t-1", header(dl.headers(), "trace-id"));
        assertCoordinatesAndReason(dl.headers());
        assertNull(dl.headers().lastHeader(DeadLetters.HEADER_TRUNCATED_ORIGINAL_BYTES));
        assertNull(dl.headers().lastHeader(DeadLetters.HEADER_TRUNCATED_DROPPED_HEADERS));
        assertEquals(RecordSize.upperBound(dl.key(), dl.value(), dl.headers()), dl.size());
    }

    @Test
    void shouldCutTheValueToTheLongestPrefixWithinTheBudgetAndSayHowLongItWas() {
        byte[] value = bytes(1_100_000, 2);
        Headers in = new RecordHeaders().add("trace-id", "t-1".getBytes(StandardCharsets.UTF_8));
        int budget = OutputLimit.of(1_048_576).deadLetterBudget();
        OversizedOutput.DeadLetter dl = OversizedOutput.deadLetter("k".getBytes(StandardCharsets.UTF_8), value, in, CAUSE,
                SOURCE, budget);

        assertEquals(RecordSize.upperBound(dl.key(), dl.value(), dl.headers()), dl.size());
        assertTrue(dl.size() <= budget, dl.size() + " > " + budget);
        assertArrayEquals(Arrays.copyOf(value, dl.value().length), dl.value(), "a prefix of the original");
        byte[] oneMore = Arrays.copyOf(value, dl.value().length + 1);
        assertTrue(RecordSize.upperBound(dl.key(), oneMore, dl.headers()) > budget, "one more byte would not fit");
        assertEquals("1100000", header(dl.headers(), DeadLetters.HEADER_TRUNCATED_ORIGINAL_BYTES));
        assertEquals("t-1", header(dl.headers(), "trace-id"), "small input headers are kept");
        assertNull(dl.headers().lastHeader(DeadLetters.HEADER_TRUNCATED_DROPPED_HEADERS));
        assertEquals("k", new String(dl.key(), StandardCharsets.UTF_8));
        assertCoordinatesAndReason(dl.headers());
    }

    @Test
    void shouldStayWithinTheBudgetAtEverySizeAroundVarintBoundaries() {
        for (int budget = 400; budget < 20_000; budget += 37) { // from just above the headers' own size
            for (int valueLength : new int[]{budget, budget + 1, 3 * budget}) {
                OversizedOutput.DeadLetter dl = OversizedOutput.deadLetter(null, bytes(valueLength, budget), null,
                        CAUSE, SOURCE, budget);
                assertTrue(dl.size() <= budget, "budget " + budget + ": " + dl.size());
                assertTrue(dl.size() >= budget - 4, "budget " + budget + " nearly used: " + dl.size());
            }
        }
    }

    @Test
    void shouldDropAnOversizedInputHeaderAndKeepTheWholeValue() {
        byte[] value = "{\"modelId\":\"fraud\",\"features\":[1,2,3]}".getBytes(StandardCharsets.UTF_8);
        Headers in = new RecordHeaders().add("trace-id", "t-1".getBytes(StandardCharsets.UTF_8))
                .add("blob", bytes(1_100_000, 3)).add("tenant", "acme".getBytes(StandardCharsets.UTF_8));
        OversizedOutput.DeadLetter dl = OversizedOutput.deadLetter(null, value, in, CAUSE, SOURCE, 1_000_000);

        assertTrue(dl.size() <= 1_000_000);
        assertArrayEquals(value, dl.value());
        assertNull(dl.headers().lastHeader("blob"));
        assertEquals("t-1", header(dl.headers(), "trace-id"));
        assertEquals("acme", header(dl.headers(), "tenant"));
        assertEquals("1", header(dl.headers(), DeadLetters.HEADER_TRUNCATED_DROPPED_HEADERS));
        assertNull(dl.headers().lastHeader(DeadLetters.HEADER_TRUNCATED_ORIGINAL_BYTES));
        assertCoordinatesAndReason(dl.headers());
        // The input's headers come first, in their order, then the dead-letter headers.
        assertEquals("trace-id", dl.headers().toArray()[0].key());
        assertEquals("tenant", dl.headers().toArray()[1].key());
    }

    @Test
    void shouldDropOnlyAsManyHeadersAsNeededLargestFirstThenCutTheValue() {
        Headers in = new RecordHeaders().add("a", bytes(600_000, 4)).add("b", bytes(500_000, 5))
                .add("c", bytes(10_000, 6));
        OversizedOutput.DeadLetter dl = OversizedOutput.deadLetter(null, bytes(600_000, 7), in, CAUSE, SOURCE, 700_000);

        assertTrue(dl.size() <= 700_000);
        assertNull(dl.headers().lastHeader("a"));
        assertEquals(500_000, dl.headers().lastHeader("b").value().length);
        assertEquals(10_000, dl.headers().lastHeader("c").value().length);
        assertEquals("1", header(dl.headers(), DeadLetters.HEADER_TRUNCATED_DROPPED_HEADERS));
        assertEquals("600000", header(dl.headers(), DeadLetters.HEADER_TRUNCATED_ORIGINAL_BYTES));
        assertTrue(dl.value().length > 180_000 && dl.value().length < 190_000, "value kept " + dl.value().length);
    }

    @Test
    void shouldKeepATombstoneNullAndCutAnOversizedKey() {
        OversizedOutput.DeadLetter dl = OversizedOutput.deadLetter(bytes(50_000, 8), null, null, CAUSE, SOURCE, 10_000);
        assertNull(dl.value());
        assertTrue(dl.size() <= 10_000);
        assertEquals("50000", header(dl.headers(), DeadLetters.HEADER_TRUNCATED_ORIGINAL_KEY_BYTES));
        assertNull(dl.headers().lastHeader(DeadLetters.HEADER_TRUNCATED_ORIGINAL_BYTES));
        assertTrue(dl.key().length > 9_000, "key kept " + dl.key().length);
        assertCoordinatesAndReason(dl.headers());
    }

    @Test
    void shouldKeepTheCoordinatesAndReasonUnderABudgetSmallerThanItsOwnHeaders() {
        OversizedOutput.Cause wordy = new OversizedOutput.Cause("m".repeat(5000), "x.TooBig", "s".repeat(5000));
        OversizedOutput.DeadLetter dl = OversizedOutput.deadLetter(bytes(100, 9), bytes(100, 10),
                new RecordHeaders().add("h", bytes(100, 11)), wordy, SOURCE, 700);
        assertTrue(dl.size() <= 700, "size " + dl.size());
        assertEquals("OUTPUT_TOO_LARGE", header(dl.headers(), DeadLetters.HEADER_REASON));
        assertEquals("1234", header(dl.headers(), DeadLetters.HEADER_OFFSET));
        assertEquals(200, header(dl.headers(), DeadLetters.HEADER_MESSAGE).length());
    }
}
