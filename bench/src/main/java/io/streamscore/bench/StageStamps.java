package io.streamscore.bench;

import org.apache.kafka.clients.consumer.ConsumerInterceptor;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Per-stage timestamps for the latency bench, carried in record headers (the scorer copies an input's headers onto its
 * score, so they arrive at the bench's consumer on the score).
 *
 * <ul>
 *   <li>{@value #SENT}: the bench's producer, when it creates the record (every record; epoch µs).</li>
 *   <li>{@value #TRACE}: same value, on the traced sample only (every k-th record) instead of {@value #SENT}; the
 *       interceptors below stamp only those.</li>
 *   <li>{@value #IN_APPEND}: the input's broker append time (ms; the features topic uses
 *       {@code message.timestamp.type=LogAppendTime}, so the record timestamp the scorer's consumer sees is it).</li>
 *   <li>{@value #POLLED}: when the scorer's main consumer returned the record from {@code poll()} (epoch µs;
 *       {@link PollInterceptor}).</li>
 *   <li>{@value #PROCESSED}: when the scorer handed the score to its producer, i.e. the processor's forward
 *       ({@link SendInterceptor}; epoch µs).</li>
 * </ul>
 *
 * The score's own broker append time is its record timestamp (the scores topic is {@code LogAppendTime} too) and the
 * arrival is read by the bench's consumer. All clocks are the machine's wall clock: the broker is another JVM on the same
 * host. The interceptors are test instrumentation plugged in through Kafka client configs
 * ({@link #scorerClientConfigs()}), not product code.
 */
final class StageStamps {
    static final String SENT = "ss-sent";
    static final String TRACE = "ss-trace";
    static final String IN_APPEND = "ss-in-append";
    static final String POLLED = "ss-polled";
    static final String PROCESSED = "ss-processed";

    /** Wall-clock times of the scorer's offset commits, epoch ms (ALOS commits show as stalls if they are one). */
    static final ConcurrentLinkedQueue<Long> COMMITS = new ConcurrentLinkedQueue<>();

    private StageStamps() {
    }

    /** Epoch microseconds from the wall clock ({@link Instant#now()} has µs resolution on Linux). */
    static long nowMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    static byte[] bytes(long v) {
        return ByteBuffer.allocate(Long.BYTES).putLong(v).array();
    }

    /** The header's long value, or {@link Long#MIN_VALUE} when absent. */
    static long value(Headers headers, String key) {
        Header h = headers.lastHeader(key);
        return h == null || h.value() == null || h.value().length != Long.BYTES ? Long.MIN_VALUE
                : ByteBuffer.wrap(h.value()).getLong();
    }

    /** The client configs that plug both interceptors into the scorer's Kafka Streams clients. */
    static Map<String, String> scorerClientConfigs() {
        return Map.of(
                StreamsConfig.mainConsumerPrefix(org.apache.kafka.clients.consumer.ConsumerConfig.INTERCEPTOR_CLASSES_CONFIG),
                PollInterceptor.class.getName(),
                StreamsConfig.producerPrefix(org.apache.kafka.clients.producer.ProducerConfig.INTERCEPTOR_CLASSES_CONFIG),
                SendInterceptor.class.getName());
    }

    /** Stamps poll time and input append time on traced records as the scorer's main consumer returns them. */
    public static final class PollInterceptor implements ConsumerInterceptor<byte[], byte[]> {
        @Override
        public ConsumerRecords<byte[], byte[]> onConsume(ConsumerRecords<byte[], byte[]> records) {
            if (records.isEmpty()) {
                return records;
            }
            byte[] polled = bytes(nowMicros());
            for (ConsumerRecord<byte[], byte[]> r : records) {
                Headers h = r.headers();
                if (h.lastHeader(TRACE) != null) {
                    h.add(IN_APPEND, bytes(r.timestamp()));
                    h.add(POLLED, polled);
                }
            }
            return records;
        }

        @Override
        public void onCommit(Map<TopicPartition, OffsetAndMetadata> offsets) {
            COMMITS.add(System.currentTimeMillis());
        }

        @Override
        public void close() {
        }

        @Override
        public void configure(Map<String, ?> configs) {
        }
    }

    /**
     * Stamps the moment the scorer's processor forwarded a traced record's output (the producer's {@code send} runs in
     * the stream thread inside the forward). A new headers object: the input's may be shared by several outputs.
     */
    public static final class SendInterceptor implements ProducerInterceptor<byte[], byte[]> {
        @Override
        public ProducerRecord<byte[], byte[]> onSend(ProducerRecord<byte[], byte[]> record) {
            if (record.headers().lastHeader(TRACE) == null) {
                return record;
            }
            RecordHeaders headers = new RecordHeaders(record.headers().toArray());
            headers.add(PROCESSED, bytes(nowMicros()));
            return new ProducerRecord<>(record.topic(), record.partition(), record.timestamp(), record.key(),
                    record.value(), headers);
        }

        @Override
        public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        }

        @Override
        public void close() {
        }

        @Override
        public void configure(Map<String, ?> configs) {
        }
    }
}
