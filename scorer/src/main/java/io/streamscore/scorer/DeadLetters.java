package io.streamscore.scorer;

import io.streamscore.common.event.ReasonCode;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;

/**
 * The dead-letter record's headers. The six {@code __streams.errors.*} names are exactly those Kafka Streams writes
 * on its own dead-letter records (KIP-1034, {@code org.apache.kafka.streams.errors.internals.ExceptionHandlerUtils};
 * a test pins them), so one consumer reads both kinds; {@value #HEADER_REASON} adds the stable {@link ReasonCode}.
 * Like Kafka's, the original record's headers come first, then these.
 */
public final class DeadLetters {
    public static final String HEADER_EXCEPTION = "__streams.errors.exception";
    public static final String HEADER_STACKTRACE = "__streams.errors.stacktrace";
    public static final String HEADER_MESSAGE = "__streams.errors.message";
    public static final String HEADER_TOPIC = "__streams.errors.topic";
    public static final String HEADER_PARTITION = "__streams.errors.partition";
    public static final String HEADER_OFFSET = "__streams.errors.offset";
    public static final String HEADER_REASON = "streamscore.reason";
    /**
     * On an {@code OUTPUT_TOO_LARGE} dead letter whose value was cut: the original value's length in bytes (decimal);
     * the value holds its first bytes. Absent when the whole value is there.
     */
    public static final String HEADER_TRUNCATED_ORIGINAL_BYTES = "streamscore.truncated.original.bytes";
    /** As {@value #HEADER_TRUNCATED_ORIGINAL_BYTES}, for the key (cut only when the key alone does not fit). */
    public static final String HEADER_TRUNCATED_ORIGINAL_KEY_BYTES = "streamscore.truncated.original.key.bytes";
    /**
     * On an {@code OUTPUT_TOO_LARGE} dead letter: how many of the input's own headers were left out (largest first) to
     * make it fit (decimal). Absent when none were.
     */
    public static final String HEADER_TRUNCATED_DROPPED_HEADERS = "streamscore.truncated.dropped.headers";

    /**
     * What {@value #HEADER_EXCEPTION} says on a dead letter the topology classified itself (no exception was thrown
     * for it): the parser's classification type.
     */
    public static final String CLASSIFIED_EXCEPTION = "io.streamscore.common.event.FeatureEventException";

    private DeadLetters() {
    }

    /**
     * @param original  the input record's headers (copied, not modified); null for none
     * @param stacktrace empty for a classified input error
     */
    public static Headers headers(Headers original, ReasonCode reason, String message, String exceptionClass,
                                  String stacktrace, String topic, int partition, long offset) {
        RecordHeaders h = new RecordHeaders();
        if (original != null) {
            for (Header header : original) {
                h.add(header);
            }
        }
        h.add(HEADER_EXCEPTION, utf8(exceptionClass));
        h.add(HEADER_MESSAGE, utf8(message));
        h.add(HEADER_STACKTRACE, utf8(stacktrace));
        h.add(HEADER_TOPIC, utf8(topic));
        h.add(HEADER_PARTITION, utf8(String.valueOf(partition)));
        h.add(HEADER_OFFSET, utf8(String.valueOf(offset)));
        h.add(HEADER_REASON, utf8(reason.name()));
        return h;
    }

    private static byte[] utf8(String s) {
        return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
    }
}
