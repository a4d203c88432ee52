package io.streamscore.scorer;

import io.streamscore.common.event.ReasonCode;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/**
 * The safety net for unexpected exceptions while scoring (KIP-1033 processing exception handler): logs a WARN with the
 * source coordinates, counts {@code INTERNAL_ERROR} and resumes with one dead-letter record (KIP-1034 response) holding
 * the source record's raw key and value and the same headers as Kafka's built-in dead letters plus
 * {@code streamscore.reason}. Kafka's {@code LogAndContinueProcessingExceptionHandler} does the same minus the reason
 * header and the counter. A dead letter the producer would refuse ({@link OutputLimit}) becomes an
 * {@code OUTPUT_TOO_LARGE} one cut to fit ({@link OversizedOutput}), counted under that reason instead.
 *
 * <p>Kafka instantiates this class by name; it finds the dead-letter topic under
 * {@code errors.dead.letter.queue.topic.name} and the shared {@link ScorerMetrics} under {@link #METRICS_CONFIG}.
 */
public final class DeadLetterProcessingExceptionHandler implements ProcessingExceptionHandler {
    /** Config key under which the application passes its {@link ScorerMetrics} instance (not a Kafka property). */
    public static final String METRICS_CONFIG = "streamscore.metrics.instance";

    private static final Logger log = LoggerFactory.getLogger(DeadLetterProcessingExceptionHandler.class);

    private String deadLetterTopic;
    private ScorerMetrics metrics;
    private OutputLimit limit;

    @Override
    public void configure(Map<String, ?> configs) {
        Object topic = configs.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG);
        if (topic == null) {
            throw new IllegalArgumentException(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG
                    + " must be set: the scorer sends every record it cannot score to a dead-letter topic");
        }
        deadLetterTopic = topic.toString();
        Object m = configs.get(METRICS_CONFIG);
        metrics = m instanceof ScorerMetrics sm ? sm : new ScorerMetrics();
        limit = OutputLimit.fromClientConfigs(configs);
    }

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        ProducerRecord<byte[], byte[]> deadLetter = deadLetter(deadLetterTopic, context, exception);
        int size = RecordSize.upperBound(deadLetter.key(), deadLetter.value(), deadLetter.headers());
        ReasonCode reason = limit.fits(size) ? ReasonCode.INTERNAL_ERROR : ReasonCode.OUTPUT_TOO_LARGE;
        if (reason == ReasonCode.OUTPUT_TOO_LARGE) {
            String message = "the dead letter (INTERNAL_ERROR: " + exception + ") is " + size + " bytes, over the "
                    + limit.maxRecordBytes() + " the producer sends (max.request.size, buffer.memory)";
            OversizedOutput.DeadLetter dl = OversizedOutput.deadLetter(context.sourceRawKey(), context.sourceRawValue(),
                    context.headers(), new OversizedOutput.Cause(message, exception.getClass().getName(),
                            stackTrace(exception)),
                    new OversizedOutput.Source(context.topic(), context.partition(), context.offset()),
                    limit.deadLetterBudget());
            deadLetter = new ProducerRecord<>(deadLetterTopic, null, context.timestamp(), dl.key(), dl.value(),
                    dl.headers());
        }
        log.warn("Unexpected exception while scoring; record sent to dead letters as {}: processor={}, task={}, "
                        + "topic={}, partition={}, offset={}", reason, context.processorNodeId(), context.taskId(),
                context.topic(), context.partition(), context.offset(), exception);
        metrics.deadLettered(reason);
        return Response.resume(List.of(deadLetter));
    }

    static ProducerRecord<byte[], byte[]> deadLetter(String topic, ErrorHandlerContext context, Exception exception) {
        return new ProducerRecord<>(topic, null, context.timestamp(), context.sourceRawKey(), context.sourceRawValue(),
                DeadLetters.headers(context.headers(), ReasonCode.INTERNAL_ERROR, String.valueOf(exception.getMessage()),
                        exception.getClass().getName(), stackTrace(exception), context.topic(), context.partition(),
                        context.offset()));
    }

    static String stackTrace(Throwable t) {
        StringWriter trace = new StringWriter();
        t.printStackTrace(new PrintWriter(trace));
        return trace.toString();
    }
}
