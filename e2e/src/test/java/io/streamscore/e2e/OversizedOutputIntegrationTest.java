package io.streamscore.e2e;

import io.streamscore.common.event.FeatureEvent;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.common.event.ReasonCode;
import io.streamscore.common.event.ScoreJson;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.devkit.junit.SharedKafkaBroker;
import io.streamscore.scorer.DeadLetters;
import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An output larger than the scorer's producer may send, or than the output topic takes, becomes exactly one
 * {@code OUTPUT_TOO_LARGE} dead letter: the partition goes on, nothing is lost, no stream thread dies.
 */
@SharedKafkaBroker
@Tag("integration")
@Timeout(240)
class OversizedOutputIntegrationTest {
    /** Kafka's default max.request.size, which the scorer keeps: the limit its outputs are held to. */
    private static final int MAX_REQUEST = 1_048_576;
    /** Room the input topic and the test's producer give the ~1 MiB inputs. */
    private static final String BIG_TOPIC_LIMIT = String.valueOf(4 * MAX_REQUEST);
    private static final int GOOD_BEFORE = 20;
    private static final int GOOD_AFTER = 20;
    private static final long T0 = 1_767_225_600_000L;

    private static EmbeddedKafkaBroker kafka;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void broker(EmbeddedKafkaBroker shared) {
        kafka = shared;
    }

    /**
     * On one partition: good events, a ~1 MiB malformed event whose dead letter (value plus headers) exceeds
     * max.request.size, a good event whose ~1 MiB header makes its score exceed it, more good events.
     */
    @ParameterizedTest
    @ValueSource(strings = {"exactly_once_v2", "at_least_once"})
    void anOutputOverMaxRequestSizeBecomesOneCutDeadLetterAndThePartitionGoesOn(String guarantee) throws Exception {
        E2e.Topics t = topics(Map.of());
        E2e.publish(kafka, t.models(), E2e.train("clusters", 31));
        String appId = "oversize-" + E2e.shortId();
        try (ScorerApp.Running scorer = start(t, appId, guarantee);
             KafkaProducer<byte[], byte[]> producer = bigProducer()) {
            List<String> scoredIds = new ArrayList<>();
            long offset = 0;
            for (int i = 0; i < GOOD_BEFORE; i++, offset++) {
                scoredIds.add(sendGood(producer, t, "g-" + offset, offset, new RecordHeaders()));
            }
            // Unterminated, so MALFORMED_JSON; its dead letter is the 1 MiB value plus headers.
            byte[] malformed = bigMalformedEvent(MAX_REQUEST);
            long malformedOffset = offset++;
            send(producer, t, "big", malformed, malformedOffset, new RecordHeaders().add("trace-id", E2e.utf8("t-big")));
            long blobOffset = offset++;
            byte[] blobEvent = goodEvent("g-blob");
            send(producer, t, "blob", blobEvent, blobOffset, new RecordHeaders().add("trace-id", E2e.utf8("t-blob"))
                    .add("blob", new byte[MAX_REQUEST]));
            for (int i = 0; i < GOOD_AFTER; i++, offset++) {
                scoredIds.add(sendGood(producer, t, "g-" + offset, offset, new RecordHeaders()));
            }

            List<ConsumerRecord<byte[], byte[]>> outputs = readAll(t, scoredIds.size() + 2);
            List<ConsumerRecord<byte[], byte[]>> dead = outputs.stream().filter(r -> r.topic().equals(t.deadLetters()))
                    .toList();
            List<String> scored = outputs.stream().filter(r -> r.topic().equals(t.scores()))
                    .map(r -> ScoreJson.fromBytes(r.value()).eventId()).toList();

            // Nothing lost, nothing twice: every good event scored once, the two oversized inputs dead-lettered once.
            assertEquals(scoredIds, scored, "scores in input order");
            assertEquals(2, dead.size(), "dead letters: " + describe(dead));
            ConsumerRecord<byte[], byte[]> cut = deadLetterFor(dead, malformedOffset);
            ConsumerRecord<byte[], byte[]> noBlob = deadLetterFor(dead, blobOffset);

            assertOversizeDeadLetter(cut, t, malformedOffset, "big");
            assertTrue(cut.value().length < malformed.length && cut.value().length > MAX_REQUEST - 20_000,
                    "value cut to " + cut.value().length + " of " + malformed.length + " bytes");
            assertArrayEquals(Arrays.copyOf(malformed, cut.value().length), cut.value(), "a prefix of the input");
            assertEquals(String.valueOf(malformed.length), header(cut, DeadLetters.HEADER_TRUNCATED_ORIGINAL_BYTES));
            assertEquals("t-big", header(cut, "trace-id"));
            assertTrue(header(cut, DeadLetters.HEADER_MESSAGE).startsWith("the dead letter (MALFORMED_JSON: "),
                    header(cut, DeadLetters.HEADER_MESSAGE));

            assertOversizeDeadLetter(noBlob, t, blobOffset, "blob");
            assertArrayEquals(blobEvent, noBlob.value(), "the whole event: only the header was too large");
            assertNull(noBlob.headers().lastHeader("blob"));
            assertEquals("t-blob", header(noBlob, "trace-id"));
            assertEquals("1", header(noBlob, DeadLetters.HEADER_TRUNCATED_DROPPED_HEADERS));

            ScorerMetrics m = scorer.metrics();
            assertEquals(2, m.deadLetteredCount(ReasonCode.OUTPUT_TOO_LARGE));
            assertEquals(scoredIds.size(), m.scoredCount());
            for (ReasonCode r : List.of(ReasonCode.MALFORMED_JSON, ReasonCode.INTERNAL_ERROR)) {
                assertEquals(0, m.deadLetteredCount(r), r.name());
            }
            assertNoStreamThreadFailed(appId);
            assertEquals("RUNNING", scorer.state().name());
            System.out.printf("oversized outputs (%s): %d scored, 2 OUTPUT_TOO_LARGE (value %d of %d bytes; whole "
                    + "value, 1 header dropped)%n", guarantee, scored.size(), cut.value().length, malformed.length);
        }
    }

    /**
     * The production exception handler's part: a dead letter under max.request.size that the dead-letter topic refuses
     * (its max.message.bytes is lower) is replaced by one cut to half the refused size. At-least-once only: under
     * exactly-once the refused send has already doomed the transaction (see docs/scorer.md).
     */
    @Test
    void aDeadLetterTheTopicRefusesIsReplacedByOneCutToFitUnderAtLeastOnce() throws Exception {
        int topicLimit = 64 * 1024;
        E2e.Topics t = topics(Map.of("max.message.bytes", String.valueOf(topicLimit)));
        E2e.publish(kafka, t.models(), E2e.train("clusters", 32));
        String appId = "refused-" + E2e.shortId();
        try (ScorerApp.Running scorer = start(t, appId, "at_least_once");
             KafkaProducer<byte[], byte[]> producer = bigProducer()) {
            List<String> scoredIds = new ArrayList<>();
            scoredIds.add(sendGood(producer, t, "g-0", 0, new RecordHeaders()));
            byte[] malformed = bigMalformedEvent(100_000);
            send(producer, t, "big", malformed, 1, new RecordHeaders().add("trace-id", E2e.utf8("t-big")));
            for (long offset = 2; offset < 12; offset++) {
                scoredIds.add(sendGood(producer, t, "g-" + offset, offset, new RecordHeaders()));
            }

            List<ConsumerRecord<byte[], byte[]>> outputs = readAll(t, scoredIds.size() + 1);
            List<ConsumerRecord<byte[], byte[]>> dead = outputs.stream().filter(r -> r.topic().equals(t.deadLetters()))
                    .toList();
            assertEquals(scoredIds, outputs.stream().filter(r -> r.topic().equals(t.scores()))
                    .map(r -> ScoreJson.fromBytes(r.value()).eventId()).toList());
            assertEquals(1, dead.size(), "dead letters: " + describe(dead));
            ConsumerRecord<byte[], byte[]> cut = dead.get(0);
            assertOversizeDeadLetter(cut, t, 1, "big");
            // Refused at ~100 KB although under max.request.size: the replacement is cut to half that.
            assertTrue(cut.value().length < malformed.length / 2 && cut.value().length > malformed.length / 2 - 10_000,
                    "value cut to " + cut.value().length);
            assertArrayEquals(Arrays.copyOf(malformed, cut.value().length), cut.value());
            assertEquals("100000", header(cut, DeadLetters.HEADER_TRUNCATED_ORIGINAL_BYTES));
            assertEquals("t-big", header(cut, "trace-id"));
            assertTrue(header(cut, DeadLetters.HEADER_MESSAGE).startsWith("the dead letter (MALFORMED_JSON: "),
                    header(cut, DeadLetters.HEADER_MESSAGE));
            // Counted under both reasons: the scorer counts a dead letter when it forwards it, before the broker answers.
            assertEquals(1, scorer.metrics().deadLetteredCount(ReasonCode.MALFORMED_JSON));
            assertEquals(1, scorer.metrics().deadLetteredCount(ReasonCode.OUTPUT_TOO_LARGE));
            assertNoStreamThreadFailed(appId);
            assertEquals("RUNNING", scorer.state().name());
            System.out.printf("refused dead letter (at_least_once): replaced by one of %d of %d value bytes%n",
                    cut.value().length, malformed.length);
        }
    }

    // ---- helpers ----

    /** Unique topics; one feature partition (the order after the oversized record is the point). */
    private static E2e.Topics topics(Map<String, String> deadLetterTopicConfig) {
        String s = E2e.shortId();
        E2e.Topics t = new E2e.Topics("models-" + s, "features-" + s, "scores-" + s, "dead-letters-" + s);
        kafka.createTopic(t.models(), 1, Map.of("cleanup.policy", "compact"));
        kafka.createTopic(t.features(), 1, Map.of("max.message.bytes", BIG_TOPIC_LIMIT));
        kafka.createTopic(t.scores(), 1, Map.of());
        kafka.createTopic(t.deadLetters(), 1, deadLetterTopicConfig);
        kafka.createTopic(t.shadowScores(), 1, Map.of());
        return t;
    }

    private ScorerApp.Running start(E2e.Topics t, String appId, String guarantee) throws Exception {
        ScorerApp.Running scorer = new ScorerApp(E2e.scorerConfig(kafka, t, appId, stateDir,
                Map.of("processing.guarantee", guarantee, "commit.interval.ms", "200"))).start();
        assertTrue(scorer.awaitRunning(Duration.ofSeconds(60)), "scorer RUNNING; state " + scorer.state());
        E2e.waitFor("clusters served", Duration.ofSeconds(30), () -> scorer.metrics().servingVersions()
                .containsKey("clusters"), () -> "serving " + scorer.metrics().servingVersions());
        return scorer;
    }

    /** Acks from all, idempotent, and room for the ~1 MiB inputs; one synchronous send at a time keeps the order. */
    private static KafkaProducer<byte[], byte[]> bigProducer() {
        Properties p = E2e.client(kafka);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, BIG_TOPIC_LIMIT);
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private static byte[] goodEvent(String eventId) {
        return FeatureEventJson.toBytes(FeatureEvent.named(eventId, "clusters", new java.util.LinkedHashMap<>(java.util.Map.of("x1", 0.3, "x2", -0.4)), null));
    }

    /** {@code length} bytes of an event whose string never ends. */
    private static byte[] bigMalformedEvent(int length) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) 'x');
        byte[] start = E2e.utf8("{\"modelId\":\"clusters\",\"features\":[0.3,-0.4],\"note\":\"");
        System.arraycopy(start, 0, b, 0, start.length);
        return b;
    }

    private static String sendGood(KafkaProducer<byte[], byte[]> producer, E2e.Topics t, String eventId, long offset,
                                   Headers headers) throws Exception {
        send(producer, t, eventId, goodEvent(eventId), offset, headers);
        return eventId;
    }

    /** Sends and checks the offset, so the coordinates asserted later are the ones the broker gave. */
    private static void send(KafkaProducer<byte[], byte[]> producer, E2e.Topics t, String key, byte[] value,
                             long expectedOffset, Headers headers) throws Exception {
        long offset = producer.send(new ProducerRecord<>(t.features(), 0, T0 + expectedOffset, E2e.utf8(key), value,
                headers)).get(30, TimeUnit.SECONDS).offset();
        assertEquals(expectedOffset, offset, "offset of " + key);
    }

    /** At least {@code n} outputs, then on to the end offsets, so extra (duplicate) records would show too. */
    private static List<ConsumerRecord<byte[], byte[]>> readAll(E2e.Topics t, int n) {
        try (TopicReader reader = new TopicReader(kafka, t.scores(), t.deadLetters())) {
            reader.awaitCount(n, Duration.ofSeconds(90));
            reader.drainToEnd(Duration.ofSeconds(30));
            return List.copyOf(reader.records());
        }
    }

    private static ConsumerRecord<byte[], byte[]> deadLetterFor(List<ConsumerRecord<byte[], byte[]>> dead, long offset) {
        return dead.stream().filter(r -> String.valueOf(offset).equals(header(r, DeadLetters.HEADER_OFFSET))).findFirst()
                .orElseThrow(() -> new AssertionError("no dead letter for offset " + offset + ": " + describe(dead)));
    }

    private static void assertOversizeDeadLetter(ConsumerRecord<byte[], byte[]> r, E2e.Topics t, long offset,
                                                 String key) {
        assertEquals(ReasonCode.OUTPUT_TOO_LARGE.name(), header(r, DeadLetters.HEADER_REASON));
        assertEquals(t.features(), header(r, DeadLetters.HEADER_TOPIC));
        assertEquals("0", header(r, DeadLetters.HEADER_PARTITION));
        assertEquals(String.valueOf(offset), header(r, DeadLetters.HEADER_OFFSET));
        assertEquals(T0 + offset, r.timestamp(), "the input's timestamp");
        assertEquals(key, E2e.text(r.key()));
        assertEquals("org.apache.kafka.common.errors.RecordTooLargeException", header(r, DeadLetters.HEADER_EXCEPTION));
        int bytes = r.serializedKeySize() + r.serializedValueSize();
        for (Header h : r.headers()) {
            bytes += h.key().length() + (h.value() == null ? 0 : h.value().length);
        }
        assertTrue(bytes < MAX_REQUEST, "the dead letter's key, value and headers take " + bytes + " bytes");
    }

    /** Kafka Streams' own count of stream threads that died (and were replaced), read over JMX. */
    private static void assertNoStreamThreadFailed(String appId) throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        Set<ObjectName> names = new HashSet<>(server.queryNames(
                new ObjectName("kafka.streams:type=stream-metrics,client-id=" + appId + "-*"), null));
        assertFalse(names.isEmpty(), "stream-metrics MBean of " + appId);
        for (ObjectName name : names) {
            Number failed = (Number) server.getAttribute(name, "failed-stream-threads");
            assertEquals(0, failed.intValue(), "failed-stream-threads of " + name);
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static String describe(List<ConsumerRecord<byte[], byte[]>> records) {
        return records.stream().map(r -> r.topic() + "@" + r.offset() + " " + header(r, DeadLetters.HEADER_REASON)
                + " offset " + header(r, DeadLetters.HEADER_OFFSET) + " " + r.serializedValueSize() + " B").toList()
                .toString();
    }
}
