package io.streamscore.scorer;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.util.Map;

/**
 * How large a record the scorer's producer will send, as {@link RecordSize} measures it: the smaller of the effective
 * {@code max.request.size} and {@code buffer.memory} (a {@code producer.}-prefixed setting wins over the plain one, as in
 * Kafka Streams). A larger record fails inside {@code KafkaProducer.send}, and under exactly-once that failure aborts the
 * whole transaction, so the scorer checks every output against this limit before it forwards it.
 *
 * @param maxRecordBytes   the largest record the producer accepts
 * @param deadLetterBudget what an {@code OUTPUT_TOO_LARGE} dead letter is cut to: {@code maxRecordBytes} less a
 *                         headroom of 1/16 (at most 16 KiB), room for headers a producer interceptor may add
 */
record OutputLimit(int maxRecordBytes, int deadLetterBudget) {
    /** Kafka's default {@code max.request.size}. */
    static final int DEFAULT_MAX_REQUEST_SIZE = 1_048_576;
    /** Kafka's default {@code buffer.memory}. */
    static final long DEFAULT_BUFFER_MEMORY = 33_554_432L;
    private static final int MAX_HEADROOM = 16 * 1024;

    OutputLimit {
        if (maxRecordBytes < 1 || deadLetterBudget < 0 || deadLetterBudget > maxRecordBytes) {
            throw new IllegalArgumentException("output limit " + maxRecordBytes + ", dead-letter budget " + deadLetterBudget);
        }
    }

    /** The limit for a producer that accepts records of up to {@code maxRecordBytes}. */
    static OutputLimit of(int maxRecordBytes) {
        return new OutputLimit(maxRecordBytes, maxRecordBytes - Math.min(MAX_HEADROOM, maxRecordBytes / 16));
    }

    /**
     * The limit of the producer Kafka Streams builds from these client properties (Kafka's defaults where unset).
     *
     * @throws IllegalArgumentException naming the property whose value is not a positive integer
     */
    static OutputLimit fromClientConfigs(Map<String, ?> configs) {
        long maxRequest = setting(configs, ProducerConfig.MAX_REQUEST_SIZE_CONFIG, DEFAULT_MAX_REQUEST_SIZE);
        long bufferMemory = setting(configs, ProducerConfig.BUFFER_MEMORY_CONFIG, DEFAULT_BUFFER_MEMORY);
        return of((int) Math.min(Integer.MAX_VALUE, Math.min(maxRequest, bufferMemory)));
    }

    /** True when the producer accepts a record of {@code size} bytes (as {@link RecordSize#upperBound} counts). */
    boolean fits(int size) {
        return size <= maxRecordBytes;
    }

    private static long setting(Map<String, ?> configs, String name, long defaultValue) {
        String key = StreamsConfig.producerPrefix(name);
        Object v = configs.get(key);
        if (v == null) {
            key = name;
            v = configs.get(key);
        }
        if (v == null) {
            return defaultValue;
        }
        try {
            long n = Long.parseLong(v.toString().trim());
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(key + " is '" + v + "'; must be a positive integer");
    }
}
