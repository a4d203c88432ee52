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
        gate.process(record("fraud@v1", ModelJson.toCompactJson(ScorerTopologyTest.fraud(1)).getBytes(StandardCharsets.UTF_8)));

        long invalid = 0;
        boolean v9Valid = false;
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
            String key = random.nextInt(10) == 0 ? null : "fraud@v9";
            boolean valid = key != null && isFraudV9(value);
            invalid += valid ? 0 : 1;
            v9Valid = key == null ? v9Valid : valid;
            gate.process(record(key, value));
        }
        long rejected = 0;
        for (ModelRejection r : ModelRejection.values()) {
            rejected += metrics.modelsRejectedCount(r);
        }
        assertEquals(invalid, rejected, "every record that is not v9 for its key is rejected once, no other");
        assertEquals(0, metrics.modelsRejectedCount(ModelRejection.INTERNAL_ERROR));
        long served = store.get("fraud").version();
        assertEquals(v9Valid ? 9 : 1, served, "v9 when the last record under its key is valid, else v1");
        assertEquals(Map.of("fraud", served), metrics.servingVersions());

        // Restore creates a new instance from the supplier; it sees the same store.
        ModelUpdateProcessor fresh = new ModelUpdateProcessor(ScorerTopology.MODEL_STORE, metrics);
        fresh.init(context);
        fresh.process(record("fraud@v9", null));
        fresh.process(record("fraud@v1", null));
        assertEquals(null, store.get("fraud"));
    }

    private static boolean isFraudV9(byte[] value) {
        try {
            io.streamscore.common.LogisticModel m = ModelJson.fromBytes(value);
            return m.modelId().equals("fraud") && m.version() == 9;
        } catch (RuntimeException e) {
            return false;
        }
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
