package io.streamscore.scorer;

import io.streamscore.common.Contributions;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.event.FeatureEvent;
import io.streamscore.common.event.FeatureEventException;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.common.event.ReasonCode;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores one feature record: parse → model lookup in the global {@link ModelStore} → dot product and sigmoid →
 * serialize, then forwards exactly one record, to the scores sink or the dead-letter sink.
 *
 * <p>Expected bad input (every {@link ReasonCode} but {@code INTERNAL_ERROR}) is classified here and branched to the
 * dead-letter sink without going through Kafka's exception handlers. Anything else is a bug: it propagates to the
 * processing exception handler ({@link DeadLetterProcessingExceptionHandler}), which sends the record to the same topic
 * as {@code INTERNAL_ERROR}. Nothing is forwarded before the last step that can throw, so each input record yields
 * exactly one output record either way. Keys, values and headers of the input are the raw bytes, passed on untouched.
 *
 * <p>Every output is measured before it is forwarded: one the producer would refuse ({@link OutputLimit}) is replaced
 * by an {@code OUTPUT_TOO_LARGE} dead letter cut to fit ({@link OversizedOutput}). Checking here rather than in the
 * production exception handler matters under exactly-once, where a refused send aborts the transaction and the same
 * input would fail again after every restart.
 *
 * <p>With {@link ScorerConfig.ContributionsMode contributions} on, the score also carries the logit's per-feature terms
 * ({@link LogisticModel#contributions}), all of them or the largest K. The probability is still
 * {@link LogisticModel#predictProbability} itself, so switching contributions on changes no probability, label or
 * routing; with them off this class does exactly what it did before they existed.
 */
final class ScoringProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger log = LoggerFactory.getLogger(ScoringProcessor.class);

    private final String storeName;
    private final String scoresSink;
    private final String deadLettersSink;
    private final ScorerMetrics metrics;
    private final OutputLimit limit;
    /** 0 = contributions off; −1 = every term; K &gt; 0 = the K largest. Decoded once: tested per record. */
    private final int contributionsTop;
    private ProcessorContext<byte[], byte[]> context;
    private ModelStore models;
    private InFlightRecords.Marker inFlight;

    ScoringProcessor(String storeName, String scoresSink, String deadLettersSink, ScorerMetrics metrics,
                     OutputLimit limit, ScorerConfig.ContributionsMode contributions) {
        this.storeName = storeName;
        this.scoresSink = scoresSink;
        this.deadLettersSink = deadLettersSink;
        this.metrics = metrics;
        this.limit = limit;
        this.contributionsTop = !contributions.enabled() ? 0 : contributions.top() == 0 ? -1 : contributions.top();
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.models = context.getStateStore(storeName);
        if (inFlight == null) { // a suspended task's processors are closed and initialised again
            inFlight = metrics.inFlightRecords().register();
        }
    }

    @Override
    public void close() {
        if (inFlight != null) {
            metrics.inFlightRecords().unregister(inFlight);
            inFlight = null;
        }
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        long start = System.nanoTime();
        // Marked in flight until the forward returned (the sink's send can block too) or an exception left: a thread
        // stuck on this record shows as the age of the oldest in-flight record (metrics, readiness).
        inFlight.start(start);
        try {
            score(record, start);
        } finally {
            inFlight.end();
        }
    }

    private void score(Record<byte[], byte[]> record, long start) {
        FeatureEvent event;
        LogisticModel model;
        double[] x;
        try {
            event = FeatureEventJson.parse(record.value());
            model = models.get(event.modelId());
            if (model == null) {
                throw new FeatureEventException(ReasonCode.MODEL_NOT_FOUND, "no model with id '" + event.modelId()
                        + "' is being served");
            }
            x = event.vectorFor(model);
        } catch (FeatureEventException e) {
            deadLetter(record, e.reason(), e.getMessage());
            return;
        }
        double p = model.predictProbability(x);
        if (Double.isNaN(p)) {
            deadLetter(record, ReasonCode.NON_FINITE_SCORE, "model '" + model.modelId() + "' v" + model.version()
                    + " gives a NaN logit for these features (a term overflowed to ±Infinity)");
            return;
        }
        Contributions terms = null;
        if (contributionsTop != 0) {
            terms = model.contributions(x);
            if (contributionsTop > 0) {
                terms = terms.top(contributionsTop);
            }
        }
        Score score = new Score(event.eventId(), model.modelId(), model.version(), p, model.label(p), model.threshold(),
                record.timestamp(), context.currentSystemTimeMs(), terms);
        byte[] value = ScoreJson.toBytes(score);
        int size = RecordSize.upperBound(record.key(), value, record.headers());
        if (!limit.fits(size)) {
            tooLarge(record, "the score (model '" + model.modelId() + "' v" + model.version() + ")", size);
            return;
        }
        metrics.scored(System.nanoTime() - start);
        context.forward(record.withValue(value), scoresSink);
    }

    private void deadLetter(Record<byte[], byte[]> record, ReasonCode reason, String message) {
        OversizedOutput.Source source = source();
        Headers headers = DeadLetters.headers(record.headers(), reason, message, DeadLetters.CLASSIFIED_EXCEPTION, "",
                source.topic(), source.partition(), source.offset());
        int size = RecordSize.upperBound(record.key(), record.value(), headers);
        if (!limit.fits(size)) {
            tooLarge(record, "the dead letter (" + reason + ": " + message + ")", size);
            return;
        }
        metrics.deadLettered(reason);
        context.forward(record.withHeaders(headers), deadLettersSink);
    }

    /** Forwards, instead of an output of {@code size} bytes, an {@code OUTPUT_TOO_LARGE} dead letter that fits. */
    private void tooLarge(Record<byte[], byte[]> record, String output, int size) {
        OversizedOutput.Source source = source();
        String message = output + " is " + size + " bytes, over the " + limit.maxRecordBytes()
                + " the producer sends (max.request.size, buffer.memory)";
        OversizedOutput.DeadLetter dl = OversizedOutput.deadLetter(record.key(), record.value(), record.headers(),
                new OversizedOutput.Cause(message, RecordTooLargeException.class.getName(), ""), source,
                limit.deadLetterBudget());
        log.warn("Output too large; record sent to dead letters as OUTPUT_TOO_LARGE ({} bytes, value {} of {} bytes): "
                        + "topic={}, partition={}, offset={}, {}", dl.size(), dl.value() == null ? 0 : dl.value().length,
                record.value() == null ? 0 : record.value().length, source.topic(), source.partition(), source.offset(),
                message);
        metrics.deadLettered(ReasonCode.OUTPUT_TOO_LARGE);
        context.forward(new Record<>(dl.key(), dl.value(), record.timestamp(), dl.headers()), deadLettersSink);
    }

    private OversizedOutput.Source source() {
        RecordMetadata md = context.recordMetadata().orElse(null);
        return md == null ? new OversizedOutput.Source(null, -1, -1)
                : new OversizedOutput.Source(md.topic(), md.partition(), md.offset());
    }
}
