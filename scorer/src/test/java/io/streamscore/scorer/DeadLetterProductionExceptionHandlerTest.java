package io.streamscore.scorer;

import io.streamscore.common.event.ReasonCode;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Response;
import org.apache.kafka.streams.errors.ProductionExceptionHandler.Result;
import org.apache.kafka.streams.processor.TaskId;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DeadLetterProductionExceptionHandlerTest {
    private static final String DLQ = "dead-letters";
    private static final int MAX_REQUEST = 100_000;

    private final ScorerMetrics metrics = new ScorerMetrics();

    /** What Kafka hands the handler; {@code sourceRaw*} are null, as after the raw input was released. */
    private record Context(String topic, int partition, long offset, Headers headers, long timestamp)
            implements ErrorHandlerContext {
        @Override
        public String processorNodeId() {
            return "scores-sink";
        }

        @Override
        public TaskId taskId() {
            return new TaskId(0, partition);
        }

        @Override
        public byte[] sourceRawKey() {
            return null;
        }

        @Override
        public byte[] sourceRawValue() {
            return null;
        }
    }

    /** The context of some later record: what the producer's I/O thread sees when the broker's refusal arrives. */
    private static final Context LATER = new Context("features", 0, 999L, new RecordHeaders(), 5L);

    private DeadLetterProductionExceptionHandler handler(String guarantee) {
        Map<String, Object> configs = new HashMap<>();
        configs.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, DLQ);
        configs.put(DeadLetterProcessingExceptionHandler.METRICS_CONFIG, metrics);
        configs.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, guarantee);
        configs.put("producer.max.request.size", String.valueOf(MAX_REQUEST));
        DeadLetterProductionExceptionHandler h = new DeadLetterProductionExceptionHandler();
        h.configure(configs);
        return h;
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        new SplittableRandom(n).nextBytes(b);
        return b;
    }

    private static String header(Headers h, String name) {
        Header last = h.lastHeader(name);
        return last == null || last.value() == null ? null : new String(last.value(), StandardCharsets.UTF_8);
    }

    /** A dead letter as ScoringProcessor writes it: the input's bytes, its headers, then the scorer's. */
    private static ProducerRecord<byte[], byte[]> classifiedDeadLetter(byte[] value) {
        Headers h = DeadLetters.headers(new RecordHeaders().add("trace-id", "t-7".getBytes(StandardCharsets.UTF_8)),
                ReasonCode.MALFORMED_JSON, "malformed JSON: unexpected end", DeadLetters.CLASSIFIED_EXCEPTION, "",
                "features", 2, 4711L);
        return new ProducerRecord<>(DLQ, null, 1_700_000_000_000L, "acct-1".getBytes(StandardCharsets.UTF_8), value, h);
    }

    @Test
    void shouldResumeWithOneDeadLetterCutUnderTheBudgetWithTheInputsCoordinatesWhenTheProducerRefusesIt() {
        byte[] value = bytes(150_000);
        ProducerRecord<byte[], byte[]> refused = classifiedDeadLetter(value);
        Response r = handler("at_least_once").handleError(LATER, refused,
                new RecordTooLargeException("The message is 150400 bytes when serialized which is larger than 100000"));

        assertEquals(Result.RESUME, r.result());
        assertEquals(1, r.deadLetterQueueRecords().size());
        ProducerRecord<byte[], byte[]> dl = r.deadLetterQueueRecords().get(0);
        assertEquals(DLQ, dl.topic());
        assertEquals(1_700_000_000_000L, dl.timestamp(), "the input's timestamp");
        assertEquals("acct-1", new String(dl.key(), StandardCharsets.UTF_8));
        int size = RecordSize.upperBound(dl.key(), dl.value(), dl.headers());
        assertTrue(size <= OutputLimit.of(MAX_REQUEST).deadLetterBudget(), "size " + size);
        assertTrue(dl.value().length > 80_000, "most of the value kept: " + dl.value().length);
        assertArrayEquals(Arrays.copyOf(value, dl.value().length), dl.value());
        Headers h = dl.headers();
        assertEquals("OUTPUT_TOO_LARGE", header(h, DeadLetters.HEADER_REASON));
        assertEquals("150000", header(h, DeadLetters.HEADER_TRUNCATED_ORIGINAL_BYTES));
        // Coordinates from the refused dead letter, not from the context (which is some later record's).
        assertEquals("features", header(h, DeadLetters.HEADER_TOPIC));
        assertEquals("2", header(h, DeadLetters.HEADER_PARTITION));
        assertEquals("4711", header(h, DeadLetters.HEADER_OFFSET));
        assertEquals(RecordTooLargeException.class.getName(), header(h, DeadLetters.HEADER_EXCEPTION));
        assertTrue(header(h, DeadLetters.HEADER_MESSAGE).contains("MALFORMED_JSON: malformed JSON: unexpected end"),
                header(h, DeadLetters.HEADER_MESSAGE));
        assertTrue(header(h, DeadLetters.HEADER_STACKTRACE).startsWith(RecordTooLargeException.class.getName()));
        // The input's own header kept once; the refused dead letter's scorer headers not repeated.
        assertEquals(1, count(h, "trace-id"));
        assertEquals(1, count(h, DeadLetters.HEADER_REASON));
        assertEquals(1, count(h, DeadLetters.HEADER_OFFSET));
        assertEquals(1, metrics.deadLetteredCount(ReasonCode.OUTPUT_TOO_LARGE));
    }

    private static int count(Headers h, String name) {
        int n = 0;
        for (Header ignored : h.headers(name)) {
            n++;
        }
        return n;
    }

    @Test
    void shouldCutADeadLetterTheBrokerRefusedBelowHalfItsSize() {
        // Under the producer's limit, yet refused: the dead-letter topic takes less (max.message.bytes).
        ProducerRecord<byte[], byte[]> refused = classifiedDeadLetter(bytes(60_000));
        int refusedSize = RecordSize.upperBound(refused.key(), refused.value(), refused.headers());
        Response r = handler("at_least_once").handleError(LATER, refused,
                new RecordTooLargeException("The request included a message larger than the max message size the server will accept."));

        ProducerRecord<byte[], byte[]> dl = r.deadLetterQueueRecords().get(0);
        assertTrue(RecordSize.upperBound(dl.key(), dl.value(), dl.headers()) <= refusedSize / 2);
        assertEquals("60000", header(dl.headers(), DeadLetters.HEADER_TRUNCATED_ORIGINAL_BYTES));
        assertEquals("4711", header(dl.headers(), DeadLetters.HEADER_OFFSET));
    }

    @Test
    void shouldNotDeadLetterARefusedOutputTooLargeDeadLetterAgain() {
        DeadLetterProductionExceptionHandler h = handler("at_least_once");
        ProducerRecord<byte[], byte[]> first = h.handleError(LATER, classifiedDeadLetter(bytes(60_000)),
                new RecordTooLargeException("refused")).deadLetterQueueRecords().get(0);

        Response again = h.handleError(LATER, first, new RecordTooLargeException("refused again"));

        assertEquals(Result.RESUME, again.result());
        assertEquals(List.of(), again.deadLetterQueueRecords());
        assertEquals(1, metrics.deadLetteredCount(ReasonCode.OUTPUT_TOO_LARGE));
    }

    @Test
    void shouldDeadLetterARefusedScoreWithUnknownCoordinatesOffTheStreamThread() {
        byte[] score = "{\"schemaVersion\":1,\"eventId\":\"e-1\"}".getBytes(StandardCharsets.UTF_8);
        Headers in = new RecordHeaders().add("blob", bytes(120_000));
        ProducerRecord<byte[], byte[]> refused = new ProducerRecord<>("scores", null, 77L, null, score, in);
        Response r = handler("at_least_once").handleError(LATER, refused, new RecordBatchTooLargeException("segment"));

        ProducerRecord<byte[], byte[]> dl = r.deadLetterQueueRecords().get(0);
        assertEquals(Result.RESUME, r.result());
        assertArrayEquals(score, dl.value());
        assertEquals(77L, dl.timestamp());
        assertNull(dl.headers().lastHeader("blob"));
        assertEquals("1", header(dl.headers(), DeadLetters.HEADER_TRUNCATED_DROPPED_HEADERS));
        // This test's thread is not a stream thread: the context may describe another record, so it is not used.
        assertNull(header(dl.headers(), DeadLetters.HEADER_TOPIC));
        assertEquals("-1", header(dl.headers(), DeadLetters.HEADER_PARTITION));
        assertEquals("-1", header(dl.headers(), DeadLetters.HEADER_OFFSET));
    }

    @Test
    void shouldFailUnderExactlyOnceBecauseTheTransactionIsAlreadyAborted() {
        Response r = handler("exactly_once_v2").handleError(LATER, classifiedDeadLetter(bytes(150_000)),
                new RecordTooLargeException("too large"));
        assertEquals(Result.FAIL, r.result());
        assertEquals(List.of(), r.deadLetterQueueRecords());
        assertEquals(0, metrics.deadLetteredCount(ReasonCode.OUTPUT_TOO_LARGE));
    }

    @Test
    void shouldLeaveEveryOtherProductionErrorToKafkasDefault() {
        DeadLetterProductionExceptionHandler h = handler("at_least_once");
        ProducerRecord<byte[], byte[]> score = new ProducerRecord<>("scores", null, 1L, null, bytes(10), new RecordHeaders());
        assertEquals(Result.RETRY, h.handleError(LATER, score, new NotEnoughReplicasException("retriable")).result());
        Response fatal = h.handleError(LATER, score, new InvalidTopicException("not retriable"));
        assertEquals(Result.FAIL, fatal.result());
        // Kafka's default writes its own dead letter to the configured topic (KIP-1034).
        assertEquals(DLQ, fatal.deadLetterQueueRecords().get(0).topic());
        assertEquals(0, metrics.deadLetteredCount(ReasonCode.OUTPUT_TOO_LARGE));
    }

    @Test
    void shouldRequireTheDeadLetterTopic() {
        DeadLetterProductionExceptionHandler h = new DeadLetterProductionExceptionHandler();
        assertThrows(IllegalArgumentException.class, () -> h.configure(Map.of()));
    }
}
