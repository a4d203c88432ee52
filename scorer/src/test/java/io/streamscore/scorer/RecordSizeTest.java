package io.streamscore.scorer;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.internal.AbstractRecords;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RecordSizeTest {

    /** The producer's own estimate, which KafkaProducer.send compares with max.request.size. */
    private static int producer(byte[] key, byte[] value, Headers headers) {
        return AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE, key,
                value, headers.toArray());
    }

    @Test
    void shouldEqualTheProducersEstimateAcrossVarintBoundariesNullsAndHeaders() {
        int[] lengths = {0, 1, 63, 64, 65, 8191, 8192, 8193, 1_048_575, 1_048_576, 1_048_577};
        for (int k : new int[]{-1, 0, 63, 64}) {
            for (int v : lengths) {
                byte[] key = k < 0 ? null : new byte[k];
                byte[] value = new byte[v];
                RecordHeaders h = new RecordHeaders();
                assertEquals(producer(key, value, h), RecordSize.upperBound(key, value, h), "key " + k + ", value " + v);
                assertEquals(producer(key, null, h), RecordSize.upperBound(key, null, h), "key " + k + ", null value");
                h.add("trace-id", new byte[v]).add("nul", null).add("clé-€-😀", "x".getBytes(StandardCharsets.UTF_8));
                assertEquals(producer(key, value, h), RecordSize.upperBound(key, value, h),
                        "key " + k + ", value " + v + ", 3 headers");
            }
        }
    }

    @Test
    void shouldEqualTheProducersEstimateForRandomRecordsWithManyHeaders() {
        SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 500; i++) {
            RecordHeaders h = new RecordHeaders();
            int n = r.nextInt(200);
            for (int j = 0; j < n; j++) {
                h.add("h" + "-".repeat(r.nextInt(100)), r.nextInt(10) == 0 ? null : new byte[r.nextInt(300)]);
            }
            byte[] key = r.nextBoolean() ? null : new byte[r.nextInt(20_000)];
            byte[] value = r.nextInt(10) == 0 ? null : new byte[r.nextInt(300_000)];
            assertEquals(producer(key, value, h), RecordSize.upperBound(key, value, h), "record " + i);
        }
    }

    @Test
    void shouldNotDependOnCompression() {
        byte[] value = new byte[5000];
        RecordHeaders h = new RecordHeaders();
        assertEquals(AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE,
                        Compression.lz4().build().type(), null, value, h.toArray()),
                RecordSize.upperBound(null, value, h));
    }

    @Test
    void shouldCountNoHeadersAsAnEmptyList() {
        assertEquals(RecordSize.upperBound(new byte[3], new byte[4], new RecordHeaders()),
                RecordSize.upperBound(new byte[3], new byte[4], null));
    }
}
