package io.streamscore.scorer;

import io.streamscore.common.event.ReasonCode;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.DefaultProductionExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.apache.kafka.streams.processor.internals.StreamThread;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The production exception handler: an output the producer or broker refused as too large becomes an
 * {@code OUTPUT_TOO_LARGE} dead letter and processing resumes; every other production error goes to Kafka's
 * {@link DefaultProductionExceptionHandler} as before (retriable errors are retried, others fail the thread).
 *
 * <p>Too large means {@link RecordTooLargeException} (the producer's {@code max.request.size} or {@code buffer.memory}
 * check, or the broker's {@code MESSAGE_TOO_LARGE} for {@code message.max.bytes} / the topic's
 * {@code max.message.bytes}) or {@link RecordBatchTooLargeException} (the broker's {@code RECORD_LIST_TOO_LARGE}: a
 * record over the topic's {@code segment.bytes}). {@link ScoringProcessor} already replaces every output over the
 * producer's limit, so in practice this handler sees the broker's refusals: an output topic that takes less than
 * {@code max.request.size}.
 *
 * <p>What Kafka Streams 4.2 hands over limits what the dead letter can carry. Kafka reports the producer's own size check
 * through the send callback, synchronously on the stream thread, after it has already released the input's raw bytes
 * ({@code sourceRawKey/Value} are null); the broker's refusal arrives later on the producer's I/O thread, when the
 * context describes whatever record the stream thread is on by then. So the dead letter holds the refused record itself
 * (for a dead letter: the input's key, value and headers; for a score: the score), cut to fit, and takes the input's
 * coordinates from the refused record's own {@code __streams.errors.*} headers when it has them, from the context only
 * on the stream thread, and otherwise reports them as unknown (topic absent, partition and offset -1).
 *
 * <p>Under {@code exactly_once_v2} the handler cannot help: the producer has put the transaction into an abortable error
 * state before Kafka calls it, so nothing more can be sent in it. It logs what to change and fails, as Kafka's default
 * does; the remedy is a {@code max.request.size} no larger than the output topics accept, which {@link ScoringProcessor}
 * then enforces.
 *
 * <p>No loop: when the refused record is itself an {@code OUTPUT_TOO_LARGE} dead letter, the handler logs an ERROR with
 * the coordinates and resumes without another dead letter. When the refused record was a dead letter for another
 * reason, the replacement is cut to at most half the refused size, so one refused by the dead-letter topic's own limit
 * has a chance to pass.
 *
 * <p>Kafka instantiates this class by name and configures it with the Streams properties: the dead-letter topic
 * ({@code errors.dead.letter.queue.topic.name}), the {@link ScorerMetrics} under
 * {@link DeadLetterProcessingExceptionHandler#METRICS_CONFIG}, the processing guarantee and the producer settings.
 */
public final class DeadLetterProductionExceptionHandler implements ProductionExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterProductionExceptionHandler.class);

    /** The headers a dead letter of this scorer adds after the input's own; left out when one is dead-lettered again. */
    private static final Set<String> SCORER_HEADERS = Set.of(DeadLetters.HEADER_EXCEPTION, DeadLetters.HEADER_MESSAGE,
            DeadLetters.HEADER_STACKTRACE, DeadLetters.HEADER_TOPIC, DeadLetters.HEADER_PARTITION,
            DeadLetters.HEADER_OFFSET, DeadLetters.HEADER_REASON, DeadLetters.HEADER_TRUNCATED_ORIGINAL_BYTES,
            DeadLetters.HEADER_TRUNCATED_ORIGINAL_KEY_BYTES, DeadLetters.HEADER_TRUNCATED_DROPPED_HEADERS);

    private final DefaultProductionExceptionHandler kafkaDefault = new DefaultProductionExceptionHandler();
    private String deadLetterTopic;
    private ScorerMetrics metrics;
    private OutputLimit limit;
    private boolean exactlyOnce;

    @Override
    public void configure(Map<String, ?> configs) {
        Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        if (topic == null) {
            throw new IllegalArgumentException(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG
                    + " must be set: the scorer sends every output it cannot write to a dead-letter topic");
        }
        deadLetterTopic = topic.toString();
        Object m = configs.get(DeadLetterProcessingExceptionHandler.METRICS_CONFIG);
        metrics = m instanceof ScorerMetrics sm ? sm : new ScorerMetrics();
        limit = OutputLimit.fromClientConfigs(configs);
        exactlyOnce = StreamsConfig.EXACTLY_ONCE_V2.equals(String.valueOf(configs.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG)));
        kafkaDefault.configure(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record, Exception exception) {
        if (!(exception instanceof RecordTooLargeException || exception instanceof RecordBatchTooLargeException)) {
            return kafkaDefault.handleError(context, record, exception);
        }
        int size = RecordSize.upperBound(record.key(), record.value(), record.headers());
        OversizedOutput.Source source = source(context, record);
        if (exactlyOnce) {
            log.error("Output refused as too large under exactly_once_v2; the transaction is aborted and the input will "
                            + "be processed again: topic={}, partition={}, offset={}, output topic={}, {} bytes: {}. Set the "
                            + "producer's max.request.size no larger than the output topics' max.message.bytes, so that the "
                            + "scorer dead-letters such outputs before sending them", source.topic(), source.partition(),
                    source.offset(), record.topic(), size, exception.getMessage());
            return Response.fail();
        }
        String refusedReason = deadLetterTopic.equals(record.topic()) ? text(record.headers(), DeadLetters.HEADER_REASON)
                : null;
        boolean refusedDeadLetter = refusedReason != null;
        if (ReasonCode.OUTPUT_TOO_LARGE.name().equals(refusedReason)) {
            log.error("OUTPUT_TOO_LARGE dead letter refused too; dropped, not dead-lettered again: topic={}, "
                            + "partition={}, offset={}, {} bytes to {}: {}", source.topic(), source.partition(),
                    source.offset(), size, record.topic(), exception.getMessage());
            return Response.resume();
        }
        int budget = limit.deadLetterBudget();
        if (refusedDeadLetter && limit.fits(size)) {
            budget = Math.min(budget, size / 2); // the dead-letter topic itself takes less than the producer sends
        }
        String message = (refusedDeadLetter ? "the dead letter (" + refusedReason + ": "
                + text(record.headers(), DeadLetters.HEADER_MESSAGE) + ")" : "the output")
                + " for topic " + record.topic() + " is " + size + " bytes and was refused: " + exception.getMessage();
        OversizedOutput.DeadLetter dl = OversizedOutput.deadLetter(record.key(), record.value(),
                refusedDeadLetter ? withoutScorerHeaders(record.headers()) : record.headers(),
                new OversizedOutput.Cause(message, exception.getClass().getName(),
                        DeadLetterProcessingExceptionHandler.stackTrace(exception)), source, budget);
        log.warn("Output refused as too large; sent to dead letters as OUTPUT_TOO_LARGE ({} bytes, value {} of {} "
                        + "bytes): topic={}, partition={}, offset={}, {}", dl.size(),
                dl.value() == null ? 0 : dl.value().length, record.value() == null ? 0 : record.value().length,
                source.topic(), source.partition(), source.offset(), message);
        metrics.deadLettered(ReasonCode.OUTPUT_TOO_LARGE);
        return Response.resume(List.of(new ProducerRecord<>(deadLetterTopic, null, record.timestamp(), dl.key(),
                dl.value(), dl.headers())));
    }

    @Override
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                             SerializationExceptionOrigin origin) {
        // Cannot happen (every sink writes byte arrays); Kafka's default if it ever does.
        return kafkaDefault.handleSerializationError(context, record, exception, origin);
    }

    /**
     * The input's coordinates: from a refused dead letter's own headers; else from the context, which describes the
     * refused record only when Kafka reports the error synchronously, on the stream thread; else unknown.
     */
    static OversizedOutput.Source source(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record) {
        String topic = text(record.headers(), DeadLetters.HEADER_TOPIC);
        if (topic != null) {
            return new OversizedOutput.Source(topic, (int) number(record.headers(), DeadLetters.HEADER_PARTITION),
                    number(record.headers(), DeadLetters.HEADER_OFFSET));
        }
        if (Thread.currentThread() instanceof StreamThread) {
            return new OversizedOutput.Source(context.topic(), context.partition(), context.offset());
        }
        return new OversizedOutput.Source(null, -1, -1);
    }

    private static Headers withoutScorerHeaders(Headers headers) {
        RecordHeaders kept = new RecordHeaders();
        for (Header h : headers) {
            if (!SCORER_HEADERS.contains(h.key())) {
                kept.add(h);
            }
        }
        return kept;
    }

    private static String text(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static long number(Headers headers, String name) {
        try {
            return Long.parseLong(text(headers, name));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
