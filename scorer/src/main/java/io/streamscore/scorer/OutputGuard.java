package io.streamscore.scorer;

import io.streamscore.common.event.ReasonCode;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Record;

import java.util.Map;

/**
 * The scorer's output checks for processors outside this package (the outcome join): whether the producer will take a
 * record ({@link OutputLimit}, {@link RecordSize}), and the dead letter, cut to fit ({@link OversizedOutput}), that
 * stands in for one it will not. Every output is measured before it is forwarded, for the reason ScoringProcessor
 * gives: under exactly-once a refused send aborts the transaction, and the same input would fail again after every
 * restart.
 */
public final class OutputGuard {
    private final OutputLimit limit;

    private OutputGuard(OutputLimit limit) {
        this.limit = limit;
    }

    /** The guard of the producer Kafka Streams builds from these client properties. */
    public static OutputGuard fromClientConfigs(Map<String, ?> configs) {
        return new OutputGuard(OutputLimit.fromClientConfigs(configs));
    }

    /** The largest record the producer sends, in bytes as the producer counts them. */
    public int maxRecordBytes() {
        return limit.maxRecordBytes();
    }

    /** True when the producer takes a record with this key, value and headers (null for none). */
    public boolean fits(byte[] key, byte[] value, Headers headers) {
        return limit.fits(RecordSize.upperBound(key, value, headers));
    }

    /**
     * The dead letter of {@code input} with {@code reason}: the input's key, value and timestamp, its headers followed
     * by the dead-letter headers; when that is too large for the producer, an {@code OUTPUT_TOO_LARGE} dead letter cut
     * to fit instead.
     *
     * @param exceptionClass what the {@code __streams.errors.exception} header names
     * @param topic          where the input was read (null when unknown), with its partition and offset (-1 when unknown)
     */
    public Record<byte[], byte[]> deadLetter(Record<byte[], byte[]> input, ReasonCode reason, String message,
                                             String exceptionClass, String topic, int partition, long offset) {
        Headers headers = DeadLetters.headers(input.headers(), reason, message, exceptionClass, "", topic, partition,
                offset);
        if (limit.fits(RecordSize.upperBound(input.key(), input.value(), headers))) {
            return input.withHeaders(headers);
        }
        return tooLarge(input, "the dead letter (" + reason + ": " + message + ")", topic, partition, offset);
    }

    /**
     * An {@code OUTPUT_TOO_LARGE} dead letter of {@code input}, cut to fit, for an output (described by {@code output})
     * that the producer would refuse.
     */
    public Record<byte[], byte[]> tooLarge(Record<byte[], byte[]> input, String output, String topic, int partition,
                                           long offset) {
        String message = output + " is over the " + limit.maxRecordBytes()
                + " bytes the producer sends (max.request.size, buffer.memory)";
        OversizedOutput.DeadLetter dl = OversizedOutput.deadLetter(input.key(), input.value(), input.headers(),
                new OversizedOutput.Cause(message, RecordTooLargeException.class.getName(), ""),
                new OversizedOutput.Source(topic, partition, offset), limit.deadLetterBudget());
        return new Record<>(dl.key(), dl.value(), input.timestamp(), dl.headers());
    }

    /** The reason of a dead letter this guard built (the last {@code streamscore.reason} header). */
    public static ReasonCode reasonOf(Record<byte[], byte[]> deadLetter) {
        var h = deadLetter.headers().lastHeader(DeadLetters.HEADER_REASON);
        return ReasonCode.valueOf(new String(h.value(), java.nio.charset.StandardCharsets.UTF_8));
    }
}
