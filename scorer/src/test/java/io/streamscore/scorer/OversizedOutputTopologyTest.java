package io.streamscore.scorer;

import io.streamscore.common.ModelJson;
import io.streamscore.common.event.ReasonCode;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Outputs larger than the producer's {@code max.request.size} never reach the producer: the topology replaces each with
 * one {@code OUTPUT_TOO_LARGE} dead letter cut to fit, and goes on with the next record.
 */
class OversizedOutputTopologyTest {
    private static final int MAX_REQUEST = 8192;
    /** A positional event bound to fraud v1's feature schema, as producers must send one. */
    private static final String GOOD = "{\"eventId\":\"e-1\",\"modelId\":\"fraud\",\"featureSchema\":\""
            + ScorerTopologyTest.fraud(1).featureSchema() + "\",\"features\":[1,2,3]}";

    private ScorerMetrics metrics;
    private TopologyTestDriver driver;
    private ScorerConfig config;
    private TestInputTopic<byte[], byte[]> features;
    private TestOutputTopic<byte[], byte[]> scores;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    private void start(ScorerMetrics m) {
        metrics = m;
        config = ScorerConfig.resolve(Map.of("producer.max.request.size", String.valueOf(MAX_REQUEST)),
                Map.of(ScorerConfig.BOOTSTRAP_SERVERS, "dummy:9092"));
        driver = new TopologyTestDriver(ScorerTopology.build(config, metrics), config.toStreamsProperties(metrics));
        TestInputTopic<String, String> models = driver.createInputTopic(config.modelsTopic(), new StringSerializer(),
                new StringSerializer());
        models.pipeInput("fraud@v1", ModelJson.toCompactJson(ScorerTopologyTest.fraud(1)));
        features = driver.createInputTopic(config.featuresTopic(), new ByteArraySerializer(), new ByteArraySerializer());
        scores = driver.createOutputTopic(config.scoresTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(config.deadLettersTopic(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String header(Headers h, String name) {
        Header last = h.lastHeader(name);
        return last == null || last.value() == null ? null : new String(last.value(), StandardCharsets.UTF_8);
    }

    private static int size(TestRecord<byte[], byte[]> r) {
        return RecordSize.upperBound(r.key(), r.value(), r.headers());
    }

    private void assertOversizeDeadLetter(TestRecord<byte[], byte[]> dl, long offset, long timestamp) {
        Headers h = dl.headers();
        assertEquals("OUTPUT_TOO_LARGE", header(h, DeadLetters.HEADER_REASON));
        assertEquals(config.featuresTopic(), header(h, DeadLetters.HEADER_TOPIC));
        assertEquals("0", header(h, DeadLetters.HEADER_PARTITION));
        assertEquals(String.valueOf(offset), header(h, DeadLetters.HEADER_OFFSET));
        assertEquals(timestamp, dl.timestamp());
        assertTrue(size(dl) <= OutputLimit.of(MAX_REQUEST).deadLetterBudget(), "dead letter of " + size(dl) + " bytes");
    }

    @Test
    void shouldReplaceAnOversizedDeadLetterWithOneCutToFitAndGoOn() {
        start(new ScorerMetrics());
        byte[] huge = utf8("{\"modelId\":\"fraud\",\"features\":[1,2," + "9".repeat(MAX_REQUEST)); // unterminated
        features.pipeInput(new TestRecord<>(utf8("big"), huge, new RecordHeaders().add("trace-id", utf8("t-1")),
                Instant.ofEpochMilli(1000L)));
        features.pipeInput(new TestRecord<>(utf8("next"), utf8(GOOD), Instant.ofEpochMilli(2000L)));

        TestRecord<byte[], byte[]> dl = deadLetters.readRecord();
        assertOversizeDeadLetter(dl, 0, 1000L);
        assertEquals(RecordTooLargeException.class.getName(), header(dl.headers(), DeadLetters.HEADER_EXCEPTION));
        assertEquals("big", new String(dl.key(), StandardCharsets.UTF_8));
        assertTrue(dl.value().length < huge.length && dl.value().length > MAX_REQUEST / 2, "kept " + dl.value().length);
        assertArrayEquals(Arrays.copyOf(huge, dl.value().length), dl.value(), "a prefix of the input");
        assertEquals(String.valueOf(huge.length), header(dl.headers(), DeadLetters.HEADER_TRUNCATED_ORIGINAL_BYTES));
        assertEquals("t-1", header(dl.headers(), "trace-id"));
        String message = header(dl.headers(), DeadLetters.HEADER_MESSAGE);
        assertTrue(message.startsWith("the dead letter (MALFORMED_JSON: malformed JSON") && message.contains(
                "bytes, over the 8192 the producer sends"), message);
        assertTrue(deadLetters.isEmpty());

        assertEquals("next", new String(scores.readRecord().key(), StandardCharsets.UTF_8));
        assertTrue(scores.isEmpty());
        assertEquals(1, metrics.deadLetteredCount(ReasonCode.OUTPUT_TOO_LARGE));
        assertEquals(0, metrics.deadLetteredCount(ReasonCode.MALFORMED_JSON));
        assertEquals(1, metrics.scoredCount());
    }

    @Test
    void shouldReplaceAnOversizedScoreWithTheWholeInputMinusItsOversizedHeader() {
        start(new ScorerMetrics());
        Headers in = new RecordHeaders().add("trace-id", utf8("t-2")).add("blob", new byte[MAX_REQUEST]);
        features.pipeInput(new TestRecord<>(utf8("acct"), utf8(GOOD), in, Instant.ofEpochMilli(3000L)));

        TestRecord<byte[], byte[]> dl = deadLetters.readRecord();
        assertOversizeDeadLetter(dl, 0, 3000L);
        assertEquals(RecordTooLargeException.class.getName(), header(dl.headers(), DeadLetters.HEADER_EXCEPTION));
        assertArrayEquals(utf8(GOOD), dl.value(), "the whole input value");
        assertNull(dl.headers().lastHeader("blob"));
        assertEquals("t-2", header(dl.headers(), "trace-id"));
        assertEquals("1", header(dl.headers(), DeadLetters.HEADER_TRUNCATED_DROPPED_HEADERS));
        assertNull(dl.headers().lastHeader(DeadLetters.HEADER_TRUNCATED_ORIGINAL_BYTES));
        assertTrue(header(dl.headers(), DeadLetters.HEADER_MESSAGE).startsWith("the score (model 'fraud' v1) is "));
        assertTrue(scores.isEmpty(), "no score written");
        assertEquals(1, metrics.deadLetteredCount(ReasonCode.OUTPUT_TOO_LARGE));
        assertEquals(0, metrics.scoredCount());
    }

    @Test
    void shouldLetThroughAnOutputOfExactlyTheLimit() {
        start(new ScorerMetrics());
        // A header that brings the score to exactly max.request.size, then one byte more.
        features.pipeInput(new TestRecord<>(utf8("acct"), utf8(GOOD), new RecordHeaders().add("pad", new byte[0])));
        TestRecord<byte[], byte[]> probe = scores.readRecord();
        int padding = MAX_REQUEST - size(probe);
        int length = padding - (RecordSize.varintSize(padding) - RecordSize.varintSize(0));
        features.pipeInput(new TestRecord<>(utf8("acct"), utf8(GOOD), new RecordHeaders().add("pad", new byte[length])));
        features.pipeInput(new TestRecord<>(utf8("acct"), utf8(GOOD), new RecordHeaders().add("pad", new byte[length + 1])));

        assertEquals(MAX_REQUEST, size(scores.readRecord()));
        assertTrue(scores.isEmpty());
        assertEquals("OUTPUT_TOO_LARGE", header(deadLetters.readRecord().headers(), DeadLetters.HEADER_REASON));
    }

    @Test
    void shouldCutAnOversizedInternalErrorDeadLetterInTheProcessingHandler() {
        start(new ScorerMetrics() {
            @Override
            public void scored(long nanos) {
                throw new IllegalStateException("boom");
            }
        });
        // A value over the limit whose score is small (the parser skips unknown fields): only the dead letter is large.
        byte[] value = utf8(GOOD.replace("\"modelId\"", "\"padding\":\"" + "x".repeat(MAX_REQUEST) + "\",\"modelId\""));
        features.pipeInput(new TestRecord<>(utf8("k"), value, new RecordHeaders(), Instant.ofEpochMilli(42L)));

        TestRecord<byte[], byte[]> dl = deadLetters.readRecord();
        assertOversizeDeadLetter(dl, 0, 42L);
        assertEquals(IllegalStateException.class.getName(), header(dl.headers(), DeadLetters.HEADER_EXCEPTION),
                "the exception that was thrown");
        assertTrue(header(dl.headers(), DeadLetters.HEADER_MESSAGE).startsWith("the dead letter (INTERNAL_ERROR: "
                + "java.lang.IllegalStateException: boom) is "));
        assertEquals(String.valueOf(value.length), header(dl.headers(), DeadLetters.HEADER_TRUNCATED_ORIGINAL_BYTES));
        assertArrayEquals(Arrays.copyOf(value, dl.value().length), dl.value());
        assertEquals(1, metrics.deadLetteredCount(ReasonCode.OUTPUT_TOO_LARGE));
        assertEquals(0, metrics.deadLetteredCount(ReasonCode.INTERNAL_ERROR));
    }
}
