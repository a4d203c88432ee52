package io.streamscore.scorer.outcomes;

import io.streamscore.common.outcome.OutcomeJson;
import io.streamscore.common.outcome.QualityObservation;
import io.streamscore.scorer.outcomes.OutcomeMetrics.QualityReason;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The first step of the quality aggregation: reads each record of the outcomes topic and forwards what the figures need
 * ({@link QualityObservation}, a few dozen bytes; the features stay behind), keyed by {@code MODEL@vVERSION} so that
 * the repartition after it brings all outcomes of one model version to one task, whichever partition and instance they
 * were joined in. A record that is not an outcome (someone else wrote to the topic) is counted as MALFORMED for every
 * window and logged with where it is; it stays on the outcomes topic.
 */
final class OutcomeReader implements Processor<byte[], byte[], byte[], byte[]> {
    private static final Logger log = LoggerFactory.getLogger(OutcomeReader.class);
    private static final byte FORMAT = 1;

    private final OutcomeMetrics metrics;
    private final List<String> windows;
    private ProcessorContext<byte[], byte[]> context;
    private boolean warned;

    OutcomeReader(OutcomeMetrics metrics, List<String> windows) {
        this.metrics = metrics;
        this.windows = windows;
    }

    @Override
    public void init(ProcessorContext<byte[], byte[]> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        QualityObservation o;
        try {
            o = OutcomeJson.observation(record.value());
        } catch (IllegalArgumentException e) {
            windows.forEach(w -> metrics.quality(w, QualityReason.MALFORMED));
            RecordMetadata md = context.recordMetadata().orElse(null);
            if (!warned) {
                warned = true;
                log.warn("A record on the outcomes topic is not an outcome; not counted in any quality window: {} "
                                + "(topic={}, partition={}, offset={}); counted in streamscore_quality_outcomes_total"
                                + "{{reason=\"MALFORMED\"}}, not logged again by this task", e.getMessage(),
                        md == null ? null : md.topic(), md == null ? -1 : md.partition(), md == null ? -1 : md.offset());
            }
            return;
        }
        context.forward(new Record<>(modelKey(o.modelId(), o.modelVersion()), encode(o), record.timestamp(),
                new RecordHeaders()));
    }

    /** {@code MODEL@vVERSION} as UTF-8: the repartition key. */
    static byte[] modelKey(String modelId, long version) {
        return (modelId + "@v" + version).getBytes(StandardCharsets.UTF_8);
    }

    /** The observation as the repartition topic carries it (format 1, fixed fields then the model id). */
    static byte[] encode(QualityObservation o) {
        byte[] id = o.modelId().getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + 8 * 4 + 2 + id.length).put(FORMAT).putLong(o.modelVersion())
                .putLong(o.labelledAt()).putDouble(o.probability()).putDouble(o.threshold())
                .put((byte) o.predictedLabel()).put((byte) o.label()).put(id).array();
    }

    static QualityObservation decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (b.get() != FORMAT) {
            throw new IllegalStateException("quality observation of format " + bytes[0] + "; this version reads " + FORMAT);
        }
        long version = b.getLong();
        long labelledAt = b.getLong();
        double p = b.getDouble();
        double threshold = b.getDouble();
        int predicted = b.get();
        int label = b.get();
        String modelId = new String(bytes, b.position(), bytes.length - b.position(), StandardCharsets.UTF_8);
        return new QualityObservation(modelId, version, p, predicted, label, threshold, labelledAt);
    }
}
