package io.streamscore.scorer;

import io.streamscore.common.Contributions;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.event.FeatureEvent;
import io.streamscore.common.event.FeatureEventException;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.common.event.ModelSelection;
import io.streamscore.common.event.ReasonCode;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import io.streamscore.common.modellog.ServingHistory;
import io.streamscore.scorer.outcomes.ScoredEvent;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.List;

/**
 * Scores one feature record: parse → model lookup in the global {@link ModelStore} → dot product and sigmoid →
 * serialize, then forwards exactly one record, to the scores sink or the dead-letter sink; and for a scored record,
 * one more per challenger of its model id that can score it, to the shadow sink. The version that scores it (the
 * champion) is the one the configured {@link ModelSelection} picks ({@link ServingHistory#select}): the served one, or
 * the one served at the record's timestamp.
 *
 * <p>Challengers (docs/model-topic.md) are shadows: the champion's score alone goes to the scores topic, unchanged. A
 * record the champion cannot score is dead-lettered as before and gets no shadow record, so the shadow topic holds only
 * comparisons with a champion score. A challenger that cannot score a record the champion scored (a feature it needs
 * is missing, positional features built for another feature order, a NaN logit, a shadow record too large to send)
 * is skipped for that record and counted by reason; the champion's score is not affected.
 *
 * <p>Expected bad input (every {@link ReasonCode} but {@code INTERNAL_ERROR}) is classified here and branched to the
 * dead-letter sink without going through Kafka's exception handlers. Anything else is a bug: it propagates to the
 * processing exception handler ({@link DeadLetterProcessingExceptionHandler}), which sends the record to the same topic
 * as {@code INTERNAL_ERROR}. Nothing is forwarded before the last step that can throw, so each input record yields
 * exactly one output record either way (plus its shadow records, computed before the first forward too). Keys, values
 * and headers of the input are the raw bytes, passed on untouched.
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
 *
 * <p>With labels on, the champion's score is also forwarded, with its model and feature vector, to the outcome join
 * ({@link ScoredEvent}); with drift on, to the drift count likewise; with both off, nothing more happens than two null
 * checks.
 */
final class ScoringProcessor implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger log = LoggerFactory.getLogger(ScoringProcessor.class);

    private final String storeName;
    private final String scoresSink;
    private final String deadLettersSink;
    private final String shadowScoresSink;
    private final ScorerMetrics metrics;
    private final OutputLimit limit;
    private final ModelSelection selection;
    /** 0 = contributions off; −1 = every term; K &gt; 0 = the K largest. Decoded once: tested per record. */
    private final int contributionsTop;
    /** The outcome join's node name; null with labels off. */
    private final String outcomesChild;
    /** The drift count's node name; null with drift off. */
    private final String driftChild;
    private ProcessorContext<byte[], byte[]> context;
    private ModelStore models;
    private InFlightRecords.Marker inFlight;

    ScoringProcessor(String storeName, String scoresSink, String deadLettersSink, String shadowScoresSink,
                     ScorerMetrics metrics, OutputLimit limit, ModelSelection selection,
                     ScorerConfig.ContributionsMode contributions) {
        this(storeName, scoresSink, deadLettersSink, shadowScoresSink, metrics, limit, selection, contributions, null);
    }

    /** @param outcomesChild the outcome join's node name, or null with labels off */
    ScoringProcessor(String storeName, String scoresSink, String deadLettersSink, String shadowScoresSink,
                     ScorerMetrics metrics, OutputLimit limit, ModelSelection selection,
                     ScorerConfig.ContributionsMode contributions, String outcomesChild) {
        this(storeName, scoresSink, deadLettersSink, shadowScoresSink, metrics, limit, selection, contributions,
                outcomesChild, null);
    }

    /**
     * @param outcomesChild the outcome join's node name, or null with labels off
     * @param driftChild    the drift count's node name, or null with drift off
     */
    ScoringProcessor(String storeName, String scoresSink, String deadLettersSink, String shadowScoresSink,
                     ScorerMetrics metrics, OutputLimit limit, ModelSelection selection,
                     ScorerConfig.ContributionsMode contributions, String outcomesChild, String driftChild) {
        this.outcomesChild = outcomesChild;
        this.driftChild = driftChild;
        this.storeName = storeName;
        this.scoresSink = scoresSink;
        this.deadLettersSink = deadLettersSink;
        this.shadowScoresSink = shadowScoresSink;
        this.metrics = metrics;
        this.limit = limit;
        this.selection = selection;
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
        ServingHistory history;
        ServingHistory.ServedVersion version;
        LogisticModel model;
        double[] x;
        try {
            event = FeatureEventJson.parse(record.value());
            history = models.history(event.modelId());
            if (history == null) {
                throw new FeatureEventException(ReasonCode.MODEL_NOT_FOUND, "no model with id '" + event.modelId()
                        + "' is being served");
            }
            version = history.select(selection, record.timestamp());
            if (version == null) {
                ServingHistory.ServedVersion earliest = history.earliest();
                if (earliest == null) { // only challengers: nothing may put a score on the scores topic
                    throw new FeatureEventException(ReasonCode.MODEL_NOT_FOUND, "model '" + event.modelId()
                            + "' has no champion (only challengers) to score with");
                }
                throw noModelAtEventTime(event.modelId(), record.timestamp(), earliest);
            }
            model = version.model();
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
        Score score = new Score(event.eventId(), model.modelId(), model.version(), p, model.label(p), model.threshold(),
                record.timestamp(), context.currentSystemTimeMs(), version.publishedAt(), selection,
                contributionsOf(model, x));
        byte[] value = ScoreJson.toBytes(score);
        int size = RecordSize.upperBound(record.key(), value, record.headers());
        if (!limit.fits(size)) {
            tooLarge(record, "the score (model '" + model.modelId() + "' v" + model.version() + ")", size);
            return;
        }
        List<ServingHistory.ServedVersion> challengers = history.challengers();
        byte[][] shadow = challengers.isEmpty() ? null : shadowScores(record, event, model, x, challengers);
        metrics.scored(System.nanoTime() - start);
        metrics.scoredBy(model.modelId(), model.version(), ScorerMetrics.Role.CHAMPION);
        context.forward(record.withValue(value), scoresSink);
        if (outcomesChild != null) {
            ScoredEvent.forward(context, record, score, model, x, outcomesChild);
        }
        if (driftChild != null) {
            ScoredEvent.forward(context, record, score, model, x, driftChild);
        }
        if (shadow != null) {
            for (int i = 0; i < shadow.length; i++) {
                if (shadow[i] != null) {
                    LogisticModel c = challengers.get(i).model();
                    metrics.scoredBy(c.modelId(), c.version(), ScorerMetrics.Role.CHALLENGER);
                    context.forward(record.withValue(shadow[i]), shadowScoresSink);
                }
            }
        }
    }

    /**
     * Each challenger's shadow record for {@code event}, in the challengers' order; null where the challenger cannot
     * score it (counted by reason, the first time per challenger and reason logged).
     */
    private byte[][] shadowScores(Record<byte[], byte[]> record, FeatureEvent event, LogisticModel champion,
                                  double[] championVector, List<ServingHistory.ServedVersion> challengers) {
        byte[][] out = new byte[challengers.size()][];
        for (int i = 0; i < out.length; i++) {
            LogisticModel c = challengers.get(i).model();
            ReasonCode miss;
            String why;
            try {
                // The same feature order (the usual retrain): the champion's vector is the challenger's too, and
                // predictProbability does not change it.
                double[] x = c.featureSchema().equals(champion.featureSchema()) ? championVector : event.vectorFor(c);
                double p = c.predictProbability(x);
                if (!Double.isNaN(p)) {
                    byte[] value = ScoreJson.toChallengerBytes(new Score(event.eventId(), c.modelId(), c.version(), p,
                            c.label(p), c.threshold(), record.timestamp(), context.currentSystemTimeMs(),
                            challengers.get(i).publishedAt(), ModelSelection.LATEST, contributionsOf(c, x)));
                    int size = RecordSize.upperBound(record.key(), value, record.headers());
                    if (limit.fits(size)) {
                        out[i] = value;
                        continue;
                    }
                    miss = ReasonCode.OUTPUT_TOO_LARGE;
                    why = "the shadow score is " + size + " bytes, over the " + limit.maxRecordBytes()
                            + " the producer sends";
                } else {
                    miss = ReasonCode.NON_FINITE_SCORE;
                    why = "a NaN logit for these features";
                }
            } catch (FeatureEventException e) {
                miss = e.reason();
                why = e.getMessage();
            }
            if (metrics.challengerUnscored(c.modelId(), c.version(), miss)) {
                OversizedOutput.Source source = source();
                log.warn("Challenger cannot score a record the champion scored; no shadow record: model id={}, "
                                + "challenger version={}, reason={}: {} (topic={}, partition={}, offset={}); counted in "
                                + "streamscore_challenger_unscored_total, not logged again for this challenger and reason",
                        c.modelId(), c.version(), miss, why, source.topic(), source.partition(), source.offset());
            }
        }
        return out;
    }

    /** The terms of {@code model}'s logit for {@code x} as configured: null (off), all of them, or the largest few. */
    private Contributions contributionsOf(LogisticModel model, double[] x) {
        if (contributionsTop == 0) {
            return null;
        }
        Contributions terms = model.contributions(x);
        return contributionsTop > 0 ? terms.top(contributionsTop) : terms;
    }

    private static FeatureEventException noModelAtEventTime(String modelId, long eventTimestamp,
                                                            ServingHistory.ServedVersion earliest) {
        return new FeatureEventException(ReasonCode.NO_MODEL_AT_EVENT_TIME, "the event's timestamp "
                + Instant.ofEpochMilli(eventTimestamp) + " is before the publish time of every servable version of model '"
                + modelId + "' (the earliest: v" + earliest.model().version() + ", published " + earliest.publishedAt()
                + ")");
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
