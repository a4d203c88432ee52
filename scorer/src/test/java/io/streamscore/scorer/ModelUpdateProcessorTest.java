package io.streamscore.scorer;

import io.streamscore.common.modellog.ModelRejection;
import io.streamscore.common.ModelJson;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The gate as Kafka Streams drives it on restore: a fresh processor instance from the supplier, fed the topic's
 * records in order. It must never throw (during restore an exception goes to the deserialization exception handler,
 * whose default fails the application), and a fresh instance must see what earlier instances stored.
 */
class ModelUpdateProcessorTest {

    private static Record<byte[], byte[]> record(String key, byte[] value) {
        return new Record<>(key == null ? null : key.getBytes(StandardCharsets.UTF_8), value, 0L);
    }

    @Test
    void shouldNeverThrowOnArbitraryBytesAndKeepServingTheLastGoodModel() {
        ScorerMetrics metrics = new ScorerMetrics();
        ModelStore store = new ModelStore(ScorerTopology.MODEL_STORE);
        MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
        context.addStateStore(store);
        ModelUpdateProcessor gate = new ModelUpdateProcessor(ScorerTopology.MODEL_STORE, metrics);
        gate.init(context);
        context.setRecordMetadata("models", 0, 0L);
        gate.process(record("fraud", ModelJson.toCompactJson(ScorerTopologyTest.fraud(1)).getBytes(StandardCharsets.UTF_8)));

        SplittableRandom random = new SplittableRandom(7);
        String good = ModelJson.toCompactJson(ScorerTopologyTest.fraud(9));
        for (int i = 0; i < 2000; i++) {
            byte[] value;
            if (i % 2 == 0) {
                value = new byte[random.nextInt(64)];
                for (int j = 0; j < value.length; j++) {
                    value[j] = (byte) random.nextInt(256);
                }
            } else {
                // A valid model with one byte changed: mostly malformed or invalid, sometimes still valid.
                byte[] b = good.getBytes(StandardCharsets.UTF_8);
                b[random.nextInt(b.length)] = (byte) random.nextInt(256);
                value = b;
            }
            context.setRecordMetadata("models", 0, i + 1L);
            gate.process(record(random.nextInt(10) == 0 ? null : "fraud", value));
        }
        long rejected = 0;
        for (ModelRejection r : ModelRejection.values()) {
            rejected += metrics.modelsRejectedCount(r);
        }
        assertEquals(2001, rejected + metrics.modelsAppliedCount(), "every record counted once");
        assertEquals(0, metrics.modelsRejectedCount(ModelRejection.INTERNAL_ERROR));
        long served = store.get("fraud").version();
        assertEquals(Map.of("fraud", served), metrics.servingVersions());

        // Restore creates a new instance from the supplier; it sees the same store.
        ModelUpdateProcessor fresh = new ModelUpdateProcessor(ScorerTopology.MODEL_STORE, metrics);
        fresh.init(context);
        fresh.process(record("fraud", null));
        assertEquals(null, store.get("fraud"));
    }

    @Test
    void shouldTurnAnUnexpectedExceptionIntoARejectionInsteadOfKillingTheGlobalThread() {
        ScorerMetrics metrics = new ScorerMetrics() {
            @Override
            public void modelApplied(String modelId, long version) {
                throw new IllegalStateException("boom");
            }
        };
        ModelStore store = new ModelStore(ScorerTopology.MODEL_STORE);
        MockProcessorContext<Void, Void> context = new MockProcessorContext<>();
        context.addStateStore(store);
        ModelUpdateProcessor gate = new ModelUpdateProcessor(ScorerTopology.MODEL_STORE, metrics);
        gate.init(context);
        gate.process(record("fraud", ModelJson.toCompactJson(ScorerTopologyTest.fraud(1)).getBytes(StandardCharsets.UTF_8)));
        assertEquals(1, metrics.modelsRejectedCount(ModelRejection.INTERNAL_ERROR));
        assertSame(store, context.getStateStore(ScorerTopology.MODEL_STORE));
    }
}
