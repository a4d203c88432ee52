package io.streamscore.scorer.hostile;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.event.ReasonCode;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import io.streamscore.scorer.DeadLetters;
import io.streamscore.scorer.ScorerConfig;
import io.streamscore.scorer.ScorerMetrics;
import io.streamscore.scorer.ScorerTopology;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The scorer's real topology under {@link TopologyTestDriver}, with the checks every hostile-input test shares: one
 * output per input, on scores or dead letters; a dead letter carries a documented reason code and the input's key,
 * value, timestamp and headers byte for byte. Models and features are piped as raw bytes, like the topology reads them.
 */
final class Harness implements AutoCloseable {
    /**
     * A producer limit above the corpus's largest record (10 MB), as a deployment that raised max.request.size has: the
     * outcome is then the parser's classification, which is what these tests are about. Outputs over the limit are
     * {@code OversizedOutputTopologyTest}'s subject.
     */
    static final ScorerConfig CONFIG = ScorerConfig.resolve(Map.of("producer.max.request.size", String.valueOf(64 << 20),
            "producer.buffer.memory", String.valueOf(128 << 20)), Map.of(ScorerConfig.BOOTSTRAP_SERVERS, "dummy:9092"));
    static final Set<String> REASONS = Stream.of(ReasonCode.values()).map(Enum::name).collect(Collectors.toUnmodifiableSet());
    private static final Instant START = Instant.parse("2026-11-23T10:00:00Z");

    final ScorerMetrics metrics = new ScorerMetrics();
    final TopologyTestDriver driver;
    private final TestInputTopic<byte[], byte[]> models;
    private final TestInputTopic<byte[], byte[]> features;
    private final TestOutputTopic<byte[], byte[]> scores;
    private final TestOutputTopic<byte[], byte[]> deadLetters;
    private long timestamp = START.toEpochMilli();
    long inputs;
    long scored;
    long deadLettered;

    Harness() {
        driver = new TopologyTestDriver(ScorerTopology.build(CONFIG, metrics), CONFIG.toStreamsProperties(metrics),
                Instant.parse("2026-11-23T12:00:00Z"));
        models = driver.createInputTopic(CONFIG.modelsTopic(), new ByteArraySerializer(), new ByteArraySerializer(),
                START, Duration.ofMillis(1));
        features = driver.createInputTopic(CONFIG.featuresTopic(), new ByteArraySerializer(), new ByteArraySerializer());
        scores = driver.createOutputTopic(CONFIG.scoresTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(CONFIG.deadLettersTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** The model every test serves: three raw features, no standardization. */
    static LogisticModel fraud(long version) {
        return new LogisticModel("fraud", version, List.of("amount", "age", "night"),
                new double[]{0.8 + version / 10.0, -1.2, 0.37}, 0.1, null, 0.5, null);
    }

    /** A model whose terms overflow to +∞ and −∞ for features of 1e308, so the logit is NaN. */
    static LogisticModel wide() {
        return new LogisticModel("wide", 1, List.of("x", "y"), new double[]{2.0, -2.0}, 0.0, null, 0.5, null);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    void publish(LogisticModel model) {
        pipeModel(utf8(model.modelId() + "@v" + model.version()), utf8(ModelJson.toCompactJson(model)));
    }

    void pipeModel(byte[] key, byte[] value) {
        models.pipeInput(key, value);
    }

    /** What one feature record became. Exactly one of {@code score} and {@code reason} is set. */
    record Outcome(Score score, String reason, String message, byte[] scoreBytes) {
        boolean isScore() {
            return score != null;
        }

        @Override
        public String toString() {
            return score != null ? "scored p=" + score.probability() : "dead letter " + reason + ": " + message;
        }
    }

    /**
     * Pipes one feature record and checks the invariant: exactly one output; a score keeps key, timestamp and headers;
     * a dead letter keeps key, value, timestamp and headers byte for byte and names a documented reason.
     */
    Outcome pipe(byte[] key, byte[] value) {
        Headers headers = new RecordHeaders().add("trace", new byte[]{0x00, (byte) 0xff, 'x'});
        long ts = ++timestamp;
        byte[] keyCopy = key == null ? null : key.clone();
        byte[] valueCopy = value == null ? null : value.clone();
        features.pipeInput(new TestRecord<>(key, value, headers, ts));
        inputs++;
        List<TestRecord<byte[], byte[]>> s = scores.readRecordsToList();
        List<TestRecord<byte[], byte[]>> d = deadLetters.readRecordsToList();
        if (s.size() + d.size() != 1) {
            fail("expected exactly one output for input #" + inputs + ", got " + s.size() + " scores and " + d.size()
                    + " dead letters");
        }
        TestRecord<byte[], byte[]> out = s.isEmpty() ? d.get(0) : s.get(0);
        assertArrayEquals(keyCopy, out.key(), "key untouched");
        assertEquals(ts, out.timestamp(), "timestamp untouched");
        Header trace = out.headers().lastHeader("trace");
        assertNotNull(trace, "input headers kept");
        assertArrayEquals(new byte[]{0x00, (byte) 0xff, 'x'}, trace.value());
        if (!s.isEmpty()) {
            scored++;
            assertValidUtf8(out.value());
            Score score = ScoreJson.fromBytes(out.value());
            assertTrue(score.probability() >= 0 && score.probability() <= 1, "probability in [0, 1]: " + score.probability());
            return new Outcome(score, null, null, out.value());
        }
        deadLettered++;
        assertArrayEquals(valueCopy, out.value(), "value untouched");
        String reason = header(out.headers(), DeadLetters.HEADER_REASON);
        assertTrue(REASONS.contains(reason), "documented reason code: " + reason);
        assertEquals(1, count(out.headers(), DeadLetters.HEADER_REASON), "one reason header");
        String message = header(out.headers(), DeadLetters.HEADER_MESSAGE);
        assertTrue(message != null && !message.isBlank(), "a message");
        assertEquals(CONFIG.featuresTopic(), header(out.headers(), DeadLetters.HEADER_TOPIC));
        return new Outcome(null, reason, message, null);
    }

    Outcome pipe(String key, String value) {
        return pipe(key == null ? null : utf8(key), value == null ? null : utf8(value));
    }

    /** Scores the probe event and checks it was scored by exactly {@code model}, bit for bit. */
    void assertServing(LogisticModel model) {
        Outcome o = pipe("probe", "{\"modelId\":\"" + model.modelId() + "\",\"features\":{\"amount\":1.25,\"age\":0.5,\"night\":1}}");
        assertTrue(o.isScore(), () -> "the probe must be scored by v" + model.version() + ", was " + o);
        double expected = model.predictProbability(new double[]{1.25, 0.5, 1});
        assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(o.score().probability()),
                "probability of v" + model.version());
        assertEquals(model.version(), o.score().modelVersion());
    }

    /** The metric counters agree with what came out. */
    void assertCountersMatch() {
        long dead = Arrays.stream(ReasonCode.values()).mapToLong(metrics::deadLetteredCount).sum();
        assertEquals(deadLettered, dead, "dead-letter counter");
        assertEquals(scored, metrics.scoredCount(), "scored counter");
        assertEquals(inputs, scored + deadLettered);
    }

    /** A score is read by other tools: it must be strict UTF-8 (no encoded surrogates, no overlong forms). */
    static void assertValidUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
        } catch (CharacterCodingException e) {
            fail("the score is not valid UTF-8: " + new String(bytes, StandardCharsets.ISO_8859_1));
        }
    }

    private static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static int count(Headers headers, String name) {
        int n = 0;
        for (Header ignored : headers.headers(name)) {
            n++;
        }
        return n;
    }

    @Override
    public void close() {
        driver.close();
    }
}
