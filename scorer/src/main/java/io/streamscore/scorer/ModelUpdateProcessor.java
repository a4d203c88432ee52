package io.streamscore.scorer;

import io.streamscore.common.InvalidModelException;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelFormatException;
import io.streamscore.common.ModelJson;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * The model gate: the global store's processor, which decodes and validates each model record before it reaches
 * {@link ModelStore}. A record is applied only when it parses, validates, its key equals its modelId and its version is
 * newer than the one being served; otherwise a WARN (topic, partition, offset, model id, reason) and a counter say why
 * and the last good model keeps serving. A tombstone retires the model.
 *
 * <p>It never throws. An exception in a global-store processor is not routed to the processing exception handler: in
 * normal operation it kills the global thread and with it the whole client; during restore Kafka Streams 4.2 passes it
 * to the deserialization exception handler (by default: fail). Kafka Streams also creates a fresh instance of this
 * processor for restore, so it keeps no state of its own: everything lives in the store.
 */
final class ModelUpdateProcessor implements Processor<byte[], byte[], Void, Void> {
    private static final Logger log = LoggerFactory.getLogger(ModelUpdateProcessor.class);

    private final String storeName;
    private final ScorerMetrics metrics;
    private ProcessorContext<Void, Void> context;
    private ModelStore store;

    ModelUpdateProcessor(String storeName, ScorerMetrics metrics) {
        this.storeName = storeName;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String modelId = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
        try {
            apply(modelId, record.value());
        } catch (RuntimeException e) {
            // A bug in the gate must not take the application down; the previous model keeps serving.
            reject(modelId, ModelRejection.INTERNAL_ERROR, "unexpected " + e, e);
        }
    }

    private void apply(String modelId, byte[] value) {
        if (modelId == null) {
            reject(null, ModelRejection.MISSING_KEY, "the record has no key (the key must be the model id)", null);
            return;
        }
        if (value == null) {
            LogisticModel retired = store.remove(modelId);
            if (retired != null) {
                metrics.modelRetired(modelId);
                log.info("Model retired by tombstone: id={}, version={} ({})", modelId, retired.version(), where());
            } else {
                log.info("Tombstone for model id={} which is not being served; nothing to retire ({})", modelId, where());
            }
            return;
        }
        LogisticModel model;
        try {
            model = ModelJson.fromBytes(value);
        } catch (ModelFormatException e) {
            reject(modelId, ModelRejection.MALFORMED, e.getMessage(), null);
            return;
        } catch (InvalidModelException e) {
            reject(modelId, ModelRejection.INVALID, e.getMessage(), null);
            return;
        }
        if (!model.modelId().equals(modelId)) {
            reject(modelId, ModelRejection.KEY_MISMATCH, "the document's modelId is '" + model.modelId() + "'", null);
            return;
        }
        LogisticModel current = store.get(modelId);
        if (current != null && model.version() <= current.version()) {
            reject(modelId, ModelRejection.NOT_NEWER, "version " + model.version() + " is not newer than version "
                    + current.version() + " being served", null);
            return;
        }
        store.put(model);
        metrics.modelApplied(modelId, model.version());
        log.info("Model applied: id={}, version={}, features={}{} ({})", modelId, model.version(), model.featureCount(),
                current == null ? "" : ", replacing version " + current.version(), where());
    }

    private void reject(String modelId, ModelRejection reason, String why, Exception e) {
        metrics.modelRejected(reason);
        RecordMetadata md = context.recordMetadata().orElse(null);
        if (e == null) {
            log.warn("Model record rejected: topic={}, partition={}, offset={}, model id={}, reason={}: {}; the previous "
                            + "model (if any) keeps serving", md == null ? "?" : md.topic(), md == null ? -1 : md.partition(),
                    md == null ? -1 : md.offset(), modelId, reason, why);
        } else {
            log.warn("Model record rejected: topic={}, partition={}, offset={}, model id={}, reason={}: {}; the previous "
                            + "model (if any) keeps serving", md == null ? "?" : md.topic(), md == null ? -1 : md.partition(),
                    md == null ? -1 : md.offset(), modelId, reason, why, e);
        }
    }

    private String where() {
        return context.recordMetadata().map(md -> md.topic() + "-" + md.partition() + "@" + md.offset()).orElse("?");
    }
}
