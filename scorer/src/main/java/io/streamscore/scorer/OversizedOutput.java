package io.streamscore.scorer;

import io.streamscore.common.event.ReasonCode;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Builds the {@code OUTPUT_TOO_LARGE} dead letter that replaces an output the producer or broker would not take: the
 * usual dead-letter headers with the input's coordinates, and as much of the input as fits in a byte budget. What is
 * cut, in this order, and only as far as needed:
 * <ol>
 *   <li>the input's own headers, largest first, while they and the key alone exceed the budget
 *       ({@value DeadLetters#HEADER_TRUNCATED_DROPPED_HEADERS} says how many);</li>
 *   <li>the value's tail ({@value DeadLetters#HEADER_TRUNCATED_ORIGINAL_BYTES} gives the original length);</li>
 *   <li>the key's tail, the value then empty ({@value DeadLetters#HEADER_TRUNCATED_ORIGINAL_KEY_BYTES});</li>
 *   <li>the stack trace and all but the start of the message (only under an absurdly small budget).</li>
 * </ol>
 * A pure function: the caller forwards or returns the result.
 */
final class OversizedOutput {
    private static final byte[] EMPTY = new byte[0];
    private static final int SHORT_MESSAGE_CHARS = 200;

    private OversizedOutput() {
    }

    /** Where the input record was read. */
    record Source(String topic, int partition, long offset) {
    }

    /** Why the output did not fit, for the dead letter's message, exception and stack trace headers. */
    record Cause(String message, String exceptionClass, String stacktrace) {
    }

    /** The dead letter's key, value and headers, and its size as {@link RecordSize} counts it. */
    record DeadLetter(byte[] key, byte[] value, Headers headers, int size) {
    }

    /** What was cut: original lengths (-1 = not cut) and the number of the input's headers left out. */
    private record Cuts(int valueBytes, int keyBytes, int droppedHeaders) {
    }

    /**
     * @param key      the input's key (null for none)
     * @param value    the input's value (null for a tombstone, which stays null)
     * @param original the input's own headers (null for none); copied, not modified
     * @param budget   the largest size the result may have
     */
    static DeadLetter deadLetter(byte[] key, byte[] value, Headers original, Cause cause, Source source, int budget) {
        List<Header> kept = new ArrayList<>();
        if (original != null) {
            original.forEach(kept::add);
        }
        DeadLetter whole = build(key, value, kept, new Cuts(-1, -1, 0), cause, source);
        if (whole.size() <= budget) {
            return whole;
        }
        // 1. The input's headers, largest first, while they and the key alone leave no room even for an empty value.
        byte[] emptyValue = value == null ? null : EMPTY;
        Cuts valueCut = new Cuts(value == null ? -1 : value.length, -1, 0);
        List<Header> largestFirst = new ArrayList<>(kept);
        largestFirst.sort(Comparator.comparingInt(RecordSize::header).reversed());
        int dropped = 0;
        while (dropped < largestFirst.size()
                && build(key, emptyValue, kept, withDropped(valueCut, dropped), cause, source).size() > budget) {
            kept.remove(largestFirst.get(dropped));
            dropped++;
        }
        DeadLetter withValue = build(key, value, kept, new Cuts(-1, -1, dropped), cause, source);
        if (withValue.size() <= budget) {
            return withValue;
        }
        // 2. The value's first bytes.
        Cuts cuts = withDropped(valueCut, dropped);
        DeadLetter noValue = build(key, emptyValue, kept, cuts, cause, source);
        if (value != null && noValue.size() <= budget) {
            return build(key, prefix(value, noValue.size(), budget), kept, cuts, cause, source);
        }
        // 3. The key's first bytes, with an empty value.
        if (key != null) {
            cuts = new Cuts(cuts.valueBytes(), key.length, dropped);
            DeadLetter noKey = build(EMPTY, emptyValue, kept, cuts, cause, source);
            if (noKey.size() <= budget) {
                return build(prefix(key, noKey.size(), budget), emptyValue, kept, cuts, cause, source);
            }
            key = EMPTY;
        }
        // 4. A budget below a few hundred bytes: keep the coordinates and the reason, shorten the rest.
        String message = cause.message() == null || cause.message().length() <= SHORT_MESSAGE_CHARS ? cause.message()
                : cause.message().substring(0, SHORT_MESSAGE_CHARS);
        return build(key, emptyValue, kept, cuts, new Cause(message, cause.exceptionClass(), ""), source);
    }

    private static Cuts withDropped(Cuts c, int dropped) {
        return new Cuts(c.valueBytes(), c.keyBytes(), dropped);
    }

    /**
     * The longest prefix of {@code bytes} that keeps a record within {@code budget}, given the record's size with
     * {@code bytes} empty: n bytes add n plus the growth of their varint length over that of 0 (one byte).
     */
    private static byte[] prefix(byte[] bytes, int sizeWhenEmpty, int budget) {
        int n = Math.min(bytes.length, budget - sizeWhenEmpty);
        while (n > 0 && sizeWhenEmpty + n + RecordSize.varintSize(n) - 1 > budget) {
            n--;
        }
        return Arrays.copyOf(bytes, n);
    }

    private static DeadLetter build(byte[] key, byte[] value, List<Header> kept, Cuts cuts, Cause cause, Source source) {
        Headers h = DeadLetters.headers(new RecordHeaders(kept.toArray(new Header[0])), ReasonCode.OUTPUT_TOO_LARGE,
                cause.message(), cause.exceptionClass(), cause.stacktrace(), source.topic(), source.partition(),
                source.offset());
        if (cuts.valueBytes() >= 0) {
            h.add(DeadLetters.HEADER_TRUNCATED_ORIGINAL_BYTES, decimal(cuts.valueBytes()));
        }
        if (cuts.keyBytes() >= 0) {
            h.add(DeadLetters.HEADER_TRUNCATED_ORIGINAL_KEY_BYTES, decimal(cuts.keyBytes()));
        }
        if (cuts.droppedHeaders() > 0) {
            h.add(DeadLetters.HEADER_TRUNCATED_DROPPED_HEADERS, decimal(cuts.droppedHeaders()));
        }
        return new DeadLetter(key, value, h, RecordSize.upperBound(key, value, h));
    }

    private static byte[] decimal(int n) {
        return String.valueOf(n).getBytes(StandardCharsets.UTF_8);
    }
}
