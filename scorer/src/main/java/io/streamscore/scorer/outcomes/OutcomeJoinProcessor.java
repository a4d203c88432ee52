package io.streamscore.scorer.outcomes;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.event.ReasonCode;
import io.streamscore.common.event.Score;
import io.streamscore.common.outcome.Label;
import io.streamscore.common.outcome.LabelException;
import io.streamscore.common.outcome.LabelJson;
import io.streamscore.common.outcome.Outcome;
import io.streamscore.common.outcome.OutcomeJson;
import io.streamscore.scorer.OutputGuard;
import io.streamscore.scorer.outcomes.JoinState.Deadline;
import io.streamscore.scorer.outcomes.JoinState.HeldLabel;
import io.streamscore.scorer.outcomes.JoinState.Phase;
import io.streamscore.scorer.outcomes.JoinState.ScoreEntry;
import io.streamscore.scorer.outcomes.JoinState.ScoreState;
import io.streamscore.scorer.outcomes.OutcomeMetrics.LabelReason;
import io.streamscore.scorer.outcomes.OutcomeMetrics.ScoreReason;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Joins labels with the scores they label, per task (a features partition and the labels partition of the same
 * number), in one state store ({@link JoinState}). It has two parents: the scoring processor, which forwards each
 * champion score as a {@link ScoredEvent}, and the labels source, which forwards label records as bytes. All times are
 * record timestamps: an event's ({@code t_s}, the feature record's) and a label's ({@code t_l}); W is the label window.
 *
 * <ul>
 *   <li>A score is kept, awaiting its label, until stream time passes {@code t_s + W}; then, unlabelled, it is counted
 *       {@code EXPIRED_UNLABELLED}. Either way a marker of it stays until {@code t_s + 2W}, so that a label arriving
 *       meanwhile is told apart: duplicate (already labelled) or late (expired), rather than unknown.</li>
 *   <li>A label whose score awaits it joins it when {@code t_l − t_s ≤ W}: the outcome goes to the outcomes topic with
 *       the label's key and timestamp. Otherwise it is {@code LABEL_LATE}.</li>
 *   <li>A label with no score (yet) is held until stream time passes {@code t_l + W}: the score that comes meanwhile
 *       joins it (counted {@code JOINED_LABEL_FIRST}); if none comes it is {@code LABEL_UNKNOWN_EVENT}.</li>
 *   <li>A second label for an event (labelled, or with a label held) is {@code LABEL_DUPLICATE}; an unreadable one
 *       {@code LABEL_MALFORMED}. Every such label goes to the dead-letter topic with its original bytes.</li>
 * </ul>
 *
 * Expiry runs in a stream-time punctuator that scans the time index in key order, so it is reproducible: given the same
 * records in the same order, the same outcomes and dead letters. Nothing here throws for bad input.
 */
final class OutcomeJoinProcessor implements Processor<byte[], Object, byte[], byte[]> {
    private static final Logger log = LoggerFactory.getLogger(OutcomeJoinProcessor.class);
    /** The class a label dead letter's {@code __streams.errors.exception} header names: the label parser's. */
    static final String LABEL_EXCEPTION = LabelException.class.getName();
    /** How often (in stream time) the deadlines are checked. */
    static final Duration TICK = Duration.ofSeconds(1);

    private final String storeName;
    private final String outcomesSink;
    private final String deadLettersSink;
    private final long windowMs;
    private final OutcomeMetrics metrics;
    private final OutputGuard guard;
    private final Consumer<ReasonCode> deadLettered;
    private ProcessorContext<byte[], byte[]> context;
    private KeyValueStore<Bytes, byte[]> store;
    /** Feature names by fingerprint: read from or written to the store once per task and feature order. */
    private final Map<String, List<String>> featureNames = new HashMap<>();

    OutcomeJoinProcessor(String storeName, String outcomesSink, String deadLettersSink, Duration window,
                         OutcomeMetrics metrics, OutputGuard guard, Consumer<ReasonCode> deadLettered) {
        this.deadLettered = deadLettered;
        this.storeName = storeName;
        this.outcomesSink = outcomesSink;
        this.deadLettersSink = deadLettersSink;
        this.windowMs = window.toMillis();
        this.metrics = metrics;
        this.guard = guard;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        featureNames.clear();
        context.schedule(TICK, PunctuationType.STREAM_TIME, this::expire);
    }

    @Override
    public void process(Record<byte[], Object> record) {
        if (record.value() instanceof ScoredEvent scored) {
            score(record, scored);
        } else {
            label(record, (byte[]) record.value());
        }
    }

    // ---- scores ----------------------------------------------------------------------------------------------------

    private void score(Record<byte[], Object> record, ScoredEvent scored) {
        Score s = scored.score();
        String eventId = s.eventId();
        if (eventId == null || eventId.isEmpty()) {
            metrics.score(ScoreReason.NO_EVENT_ID);
            return;
        }
        Bytes key = JoinState.scoreKey(eventId);
        if (store.get(key) != null) {
            // The first score of an event id is the one its label joins (e.g. a feature event sent twice).
            metrics.score(ScoreReason.DUPLICATE_EVENT_ID);
            return;
        }
        LogisticModel model = scored.model();
        String fingerprint = model.featureSchema();
        rememberFeatureNames(fingerprint, model.featureNames());
        long ts = s.eventTimestamp();
        ScoreEntry entry = new ScoreEntry(ScoreState.AWAITING, ts, s.scoredAt(), s.modelId(), s.modelVersion(),
                s.probability(), s.label(), s.threshold(),
                s.modelPublishedAt() == null ? Long.MIN_VALUE : s.modelPublishedAt().toEpochMilli(), s.selection(),
                fingerprint, scored.x());
        store.put(JoinState.deadlineKey(ts + windowMs, Phase.EXPIRE_SCORE, eventId), JoinState.DUE);

        Bytes heldKey = JoinState.labelKey(eventId);
        byte[] heldBytes = store.get(heldKey);
        if (heldBytes == null) {
            store.put(key, entry.toBytes());
            return;
        }
        HeldLabel held = HeldLabel.fromBytes(heldBytes);
        store.delete(heldKey);
        store.delete(JoinState.deadlineKey(held.labelledAt() + windowMs, Phase.EXPIRE_LABEL, eventId));
        Record<byte[], byte[]> labelRecord = new Record<>(held.key(), held.value(), held.labelledAt(), held.headers());
        if (held.labelledAt() - ts > windowMs) {
            store.put(key, entry.toBytes());
            deadLetter(labelRecord, ReasonCode.LABEL_LATE, LabelReason.LATE, lateMessage(eventId, ts, held.labelledAt()),
                    held.topic(), held.partition(), held.offset());
            return;
        }
        store.put(key, ScoreEntry.marker(ScoreState.LABELLED, ts).toBytes());
        join(eventId, entry, held.label(), labelRecord, true, held.topic(), held.partition(), held.offset());
    }

    private void rememberFeatureNames(String fingerprint, List<String> names) {
        if (featureNames.containsKey(fingerprint)) {
            return;
        }
        Bytes key = JoinState.featuresKey(fingerprint);
        if (store.get(key) == null) {
            store.put(key, JoinState.featureNamesToBytes(names));
        }
        featureNames.put(fingerprint, List.copyOf(names));
    }

    private List<String> featureNames(String fingerprint) {
        List<String> names = featureNames.get(fingerprint);
        if (names == null) {
            byte[] bytes = store.get(JoinState.featuresKey(fingerprint));
            if (bytes == null) {
                throw new IllegalStateException("no feature names for feature schema " + fingerprint
                        + " in the outcome join store");
            }
            names = JoinState.featureNamesFromBytes(bytes);
            featureNames.put(fingerprint, names);
        }
        return names;
    }

    // ---- labels ----------------------------------------------------------------------------------------------------

    private void label(Record<byte[], Object> raw, byte[] value) {
        Record<byte[], byte[]> record = new Record<>(raw.key(), value, raw.timestamp(), raw.headers());
        RecordMetadata md = context.recordMetadata().orElse(null);
        String topic = md == null ? null : md.topic();
        int partition = md == null ? -1 : md.partition();
        long offset = md == null ? -1 : md.offset();
        Label label;
        try {
            label = LabelJson.parse(value);
        } catch (LabelException e) {
            deadLetter(record, ReasonCode.LABEL_MALFORMED, LabelReason.MALFORMED, e.getMessage(), topic, partition,
                    offset);
            return;
        }
        String eventId = label.eventId();
        long tl = record.timestamp();
        Bytes key = JoinState.scoreKey(eventId);
        byte[] bytes = store.get(key);
        if (bytes != null) {
            ScoreState state = JoinState.stateOf(bytes);
            long ts = JoinState.eventTimestampOf(bytes);
            if (state == ScoreState.LABELLED) {
                deadLetter(record, ReasonCode.LABEL_DUPLICATE, LabelReason.DUPLICATE, "event '" + eventId
                        + "' already has a label (the first one counts)", topic, partition, offset);
            } else if (state == ScoreState.EXPIRED || tl - ts > windowMs) {
                deadLetter(record, ReasonCode.LABEL_LATE, LabelReason.LATE, lateMessage(eventId, ts, tl), topic,
                        partition, offset);
            } else {
                store.put(key, ScoreEntry.marker(ScoreState.LABELLED, ts).toBytes());
                join(eventId, ScoreEntry.fromBytes(bytes), label.value(), record, false, topic, partition, offset);
            }
            return;
        }
        Bytes heldKey = JoinState.labelKey(eventId);
        if (store.get(heldKey) != null) {
            deadLetter(record, ReasonCode.LABEL_DUPLICATE, LabelReason.DUPLICATE, "event '" + eventId
                    + "' already has a label waiting for its score (the first one counts)", topic, partition, offset);
            return;
        }
        store.put(heldKey, new HeldLabel(label.value(), tl, topic, partition, offset, record.key(), value,
                record.headers()).toBytes());
        store.put(JoinState.deadlineKey(tl + windowMs, Phase.EXPIRE_LABEL, eventId), JoinState.DUE);
        metrics.labelHeld();
    }

    private String lateMessage(String eventId, long eventTimestamp, long labelledAt) {
        return "the label for event '" + eventId + "' came at " + Instant.ofEpochMilli(labelledAt) + ", "
                + (labelledAt - eventTimestamp) + " ms after the event (" + Instant.ofEpochMilli(eventTimestamp)
                + "); the label window is " + windowMs + " ms";
    }

    /** Writes the outcome of {@code entry} and its label (the score entry has been marked labelled). */
    private void join(String eventId, ScoreEntry entry, int label, Record<byte[], byte[]> labelRecord,
                      boolean labelFirst, String topic, int partition, long offset) {
        metrics.score(ScoreReason.LABELLED);
        Outcome outcome = new Outcome(eventId, entry.modelId(), entry.modelVersion(), entry.probability(),
                entry.predictedLabel(), entry.threshold(), label, featureNames(entry.features()), entry.x(),
                entry.eventTimestamp(), entry.scoredAt(), labelRecord.timestamp(),
                entry.publishedAt() == Long.MIN_VALUE ? null : Instant.ofEpochMilli(entry.publishedAt()),
                entry.selection(), labelFirst);
        byte[] value = OutcomeJson.toBytes(outcome);
        if (!guard.fits(labelRecord.key(), value, null)) {
            metrics.label(LabelReason.OUTPUT_TOO_LARGE);
            log.warn("Outcome too large; label sent to dead letters as OUTPUT_TOO_LARGE: event {}, model id={}, "
                            + "version={}, {} bytes of outcome (topic={}, partition={}, offset={})", eventId,
                    entry.modelId(), entry.modelVersion(), value.length, topic, partition, offset);
            deadLettered.accept(ReasonCode.OUTPUT_TOO_LARGE);
            context.forward(guard.tooLarge(labelRecord, "the outcome (" + value.length + " bytes of JSON)", topic,
                    partition, offset), deadLettersSink);
            return;
        }
        metrics.label(labelFirst ? LabelReason.JOINED_LABEL_FIRST : LabelReason.JOINED);
        metrics.outcomeWritten();
        context.forward(new Record<>(labelRecord.key(), value, labelRecord.timestamp(), new RecordHeaders()),
                outcomesSink);
    }

    private void deadLetter(Record<byte[], byte[]> record, ReasonCode reason, LabelReason counted, String message,
                            String topic, int partition, long offset) {
        metrics.label(counted);
        Record<byte[], byte[]> dl = guard.deadLetter(record, reason, message, LABEL_EXCEPTION, topic, partition, offset);
        deadLettered.accept(OutputGuard.reasonOf(dl)); // OUTPUT_TOO_LARGE if it had to be cut
        if (log.isDebugEnabled()) {
            log.debug("Label dead-lettered as {}: {} (topic={}, partition={}, offset={})", reason, message, topic,
                    partition, offset);
        }
        context.forward(dl, deadLettersSink);
    }

    // ---- expiry ----------------------------------------------------------------------------------------------------

    /**
     * Applies every deadline due at or before {@code now} (stream time), oldest first, including those that applying
     * one adds (an expiry schedules a deletion, which may be due already when stream time jumped).
     */
    private void expire(long now) {
        List<KeyValue<Bytes, byte[]>> due;
        do {
            due = new ArrayList<>();
            try (KeyValueIterator<Bytes, byte[]> it = store.range(JoinState.deadlinesFrom(Long.MIN_VALUE),
                    JoinState.deadlinesThrough(now))) {
                while (it.hasNext()) {
                    due.add(it.next());
                }
            }
            // Applied after the scan: applying writes and deletes to the range being iterated.
            apply(due);
        } while (!due.isEmpty());
    }

    private void apply(List<KeyValue<Bytes, byte[]>> due) {
        for (KeyValue<Bytes, byte[]> kv : due) {
            store.delete(kv.key);
            Deadline d = JoinState.deadline(kv.key);
            switch (d.phase()) {
                case EXPIRE_SCORE -> expireScore(d);
                case DELETE_SCORE -> deleteScore(d);
                case EXPIRE_LABEL -> expireLabel(d);
            }
        }
    }

    private void expireScore(Deadline d) {
        Bytes key = JoinState.scoreKey(d.eventId());
        byte[] bytes = store.get(key);
        if (bytes == null || JoinState.eventTimestampOf(bytes) + windowMs != d.at()) {
            return; // not this entry's deadline (cannot happen unless the store was edited)
        }
        long ts = JoinState.eventTimestampOf(bytes);
        if (JoinState.stateOf(bytes) == ScoreState.AWAITING) {
            metrics.score(ScoreReason.EXPIRED_UNLABELLED);
            store.put(key, ScoreEntry.marker(ScoreState.EXPIRED, ts).toBytes());
        }
        store.put(JoinState.deadlineKey(ts + 2 * windowMs, Phase.DELETE_SCORE, d.eventId()), JoinState.DUE);
    }

    private void deleteScore(Deadline d) {
        Bytes key = JoinState.scoreKey(d.eventId());
        byte[] bytes = store.get(key);
        if (bytes != null && JoinState.eventTimestampOf(bytes) + 2 * windowMs == d.at()) {
            store.delete(key);
        }
    }

    private void expireLabel(Deadline d) {
        Bytes key = JoinState.labelKey(d.eventId());
        byte[] bytes = store.get(key);
        if (bytes == null) {
            return;
        }
        HeldLabel held = HeldLabel.fromBytes(bytes);
        if (held.labelledAt() + windowMs != d.at()) {
            return;
        }
        store.delete(key);
        deadLetter(new Record<>(held.key(), held.value(), held.labelledAt(), held.headers()),
                ReasonCode.LABEL_UNKNOWN_EVENT, LabelReason.UNKNOWN_EVENT, "no score of event '" + d.eventId()
                        + "' came within " + windowMs + " ms of its label (" + Instant.ofEpochMilli(held.labelledAt())
                        + ") in this partition; is the label keyed like its feature event?", held.topic(),
                held.partition(), held.offset());
    }
}
