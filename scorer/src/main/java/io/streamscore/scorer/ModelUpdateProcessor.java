package io.streamscore.scorer;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.modellog.ModelLog;
import io.streamscore.common.modellog.ModelRejection;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;

/**
 * The model gate: the global store's processor. Each record on the model topic replaces what its key held
 * ({@link ModelLog}, docs/model-topic.md); the served model (the champion) of the key's id is then the highest valid
 * version that is neither retired nor under challenge, and its challengers the valid, unretired versions under
 * challenge. A record that is not a valid model or retirement gets a WARN (topic, partition, offset, key, reason)
 * and a counter, and leaves its own key empty — it cannot touch any other version.
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
        try {
            report(store.apply(record.key(), record.value(), record.timestamp()), record.key());
        } catch (RuntimeException e) {
            // A bug in the gate must not take the application down; the previous model keeps serving.
            metrics.modelRejected(ModelRejection.INTERNAL_ERROR);
            log.warn("Model record rejected: {}, key={}, reason={}: unexpected {}; the served models are unchanged",
                    where(), printable(record.key()), ModelRejection.INTERNAL_ERROR, e, e);
        }
    }

    private void report(ModelLog.Applied a, byte[] rawKey) {
        if (a.effect() == ModelLog.Effect.REJECTED) {
            metrics.modelRejected(a.rejection());
            log.warn("Model record rejected: {}, key={}, reason={}: {}; {}", where(), printable(rawKey), a.rejection(),
                    a.detail(), a.key() == null ? "ignored" : "key " + a.key() + " now holds no model");
        } else if (a.effect() == ModelLog.Effect.LEGACY_STORED || a.effect() == ModelLog.Effect.LEGACY_DELETED) {
            if (store.firstLegacyRecord()) {
                log.warn("The model topic holds records in the old layout (key = model id, one record per id; first "
                        + "at {}, key={}). They are still used, as the version their document names, but compaction "
                        + "keeps only the last one per id: republish with 'trainer publish' (keys ID@vN, "
                        + "docs/model-topic.md) and then delete the old key with a tombstone. Not repeated.",
                        where(), a.key());
            }
        } else {
            log.info("Model record applied: {}, key={}: {}", where(), a.key(), a.detail());
        }
        if (a.servingChanged()) {
            LogisticModel before = a.servedBefore();
            LogisticModel now = a.servedAfter();
            if (now == null) {
                metrics.modelRetired(a.modelId());
                log.info("Model id={} is no longer served (was version {}): no valid, unretired version that is not a "
                        + "challenger remains ({})", a.modelId(), before.version(), where());
            } else {
                metrics.modelApplied(now.modelId(), now.version());
                log.info("Model served: id={}, version={}, features={}, featureSchema={}{} ({})", now.modelId(),
                        now.version(), now.featureCount(), now.featureSchema(),
                        before == null ? "" : ", was version " + before.version(), where());
            }
        }
        if (a.challengersChanged()) {
            java.util.List<Long> now = versions(a.challengersAfter());
            metrics.challengersChanged(a.modelId(), now);
            log.info("Model challengers: id={}, versions {} (shadow-scored), was {} ({})", a.modelId(), now,
                    versions(a.challengersBefore()), where());
        }
    }

    private static java.util.List<Long> versions(java.util.List<LogisticModel> models) {
        return models.stream().map(LogisticModel::version).toList();
    }

    private String where() {
        RecordMetadata md = context.recordMetadata().orElse(null);
        return md == null ? "?" : "topic=" + md.topic() + ", partition=" + md.partition() + ", offset=" + md.offset();
    }

    private static String printable(byte[] key) {
        if (key == null) {
            return "null";
        }
        String s = new String(key, StandardCharsets.UTF_8);
        return s.length() > 200 ? s.substring(0, 200) + "…(" + key.length + " bytes)" : s;
    }
}
