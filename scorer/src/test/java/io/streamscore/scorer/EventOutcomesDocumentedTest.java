package io.streamscore.scorer;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.event.ReasonCode;
import io.streamscore.common.modellog.ModelLogKey;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What README.md and docs/scorer.md say the scorer does with feature events is what it does: the event-outcome table
 * both carry (between {@code <!-- event-outcomes: begin -->} and {@code end}) is the same in both, and every row, sent
 * through the real topology, gets the documented result; every reason code either document names is a
 * {@link ReasonCode}, and both list them all.
 */
class EventOutcomesDocumentedTest {
    private static final Pattern ROW = Pattern.compile("\\| `(\\{.*})` \\| (scored|dead letter `([A-Z_]+)`)(.*)\\|");
    private static final Pattern CODE = Pattern.compile("`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)`");
    /** Upper-case names in README that are not reason codes. */
    private static final Set<String> NOT_REASON_CODES = Set.of("MVNW_REPOURL", "SASL_PLAINTEXT", "JDK_JAVA_OPTIONS");
    private static final ScorerConfig CONFIG = ScorerConfig.resolve(Map.of(),
            Map.of(ScorerConfig.BOOTSTRAP_SERVERS, "dummy:9092"));

    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> features;
    private TestOutputTopic<byte[], byte[]> scores;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    /** A document of this checkout: tests run in a module's directory, one below the repository root. */
    static Path document(String name) {
        String root = System.getProperty("streamscore.repo.root");
        Path start = Path.of(root != null ? root : System.getProperty("user.dir")).toAbsolutePath();
        for (Path p = start; p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(name)) && Files.isDirectory(p.resolve("docs"))) {
                return p.resolve(name);
            }
        }
        throw new IllegalStateException("no " + name + " above " + start);
    }

    private static String read(String name) throws IOException {
        return Files.readString(document(name), StandardCharsets.UTF_8);
    }

    /** The rows of the event-outcome table. */
    private static List<String> outcomeRows(String doc, String name) {
        int begin = doc.indexOf("<!-- event-outcomes: begin -->");
        int end = doc.indexOf("<!-- event-outcomes: end -->");
        assertTrue(begin >= 0 && end > begin, name + " has the event-outcome table");
        List<String> rows = doc.substring(begin, end).lines().filter(l -> l.startsWith("| `{")).toList();
        assertTrue(rows.size() >= 8, name + ": " + rows);
        return rows;
    }

    @BeforeEach
    void start() {
        ScorerMetrics metrics = new ScorerMetrics();
        driver = new TopologyTestDriver(ScorerTopology.build(CONFIG, metrics), CONFIG.toStreamsProperties(metrics),
                Instant.parse("2026-11-23T12:00:00Z"));
        TestInputTopic<String, String> models = driver.createInputTopic(CONFIG.modelsTopic(), new StringSerializer(),
                new StringSerializer(), Instant.parse("2026-11-23T10:00:00Z"), Duration.ofMillis(10));
        features = driver.createInputTopic(CONFIG.featuresTopic(), new ByteArraySerializer(), new ByteArraySerializer(),
                Instant.parse("2026-11-23T11:00:00Z"), Duration.ofMillis(10));
        scores = driver.createOutputTopic(CONFIG.scoresTopic(), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(CONFIG.deadLettersTopic(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        // The model the tables are written for.
        LogisticModel fraud = new LogisticModel("fraud", 1, List.of("amount", "age"), new double[] {0.8, -1.2}, 0.1,
                null, 0.5, null);
        assertEquals("7393a6baca9600cd", fraud.featureSchema(), "the fingerprint the tables use");
        models.pipeInput(ModelLogKey.version("fraud", 1).toString(), ModelJson.toCompactJson(fraud));
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    /** The scorer's verdict on one event: "scored" or the dead letter's reason. */
    private String outcome(String event) {
        features.pipeInput("k".getBytes(StandardCharsets.UTF_8), event.getBytes(StandardCharsets.UTF_8));
        List<TestRecord<byte[], byte[]>> scored = scores.readRecordsToList();
        List<TestRecord<byte[], byte[]>> dead = deadLetters.readRecordsToList();
        assertEquals(1, scored.size() + dead.size(), "one output for " + event);
        if (!scored.isEmpty()) {
            return "scored";
        }
        Header reason = dead.get(0).headers().lastHeader("streamscore.reason");
        return "dead letter `" + new String(reason.value(), StandardCharsets.UTF_8) + "`";
    }

    @Test
    void everyDocumentedEventGetsTheDocumentedResultAndBothDocumentsAgree() throws IOException {
        List<String> readme = outcomeRows(read("README.md"), "README.md");
        List<String> scorerDoc = outcomeRows(read("docs/scorer.md"), "docs/scorer.md");
        assertEquals(readme, scorerDoc, "README.md and docs/scorer.md carry the same event-outcome table");
        List<String> wrong = new ArrayList<>();
        for (String row : readme) {
            Matcher m = ROW.matcher(row);
            if (!m.matches()) {
                fail("a row of the event-outcome table is not `{event}` | scored / dead letter `REASON`: " + row);
            }
            if (m.group(3) != null) {
                ReasonCode.valueOf(m.group(3)); // a real code, or this throws naming it
            }
            String expected = m.group(3) == null ? "scored" : "dead letter `" + m.group(3) + "`";
            String actual = outcome(m.group(1));
            if (!actual.equals(expected)) {
                wrong.add(m.group(1) + ": documented " + expected + ", the scorer: " + actual);
            }
        }
        assertEquals(List.of(), wrong);
    }

    @Test
    void everyReasonCodeTheDocumentsNameIsRealAndBothListThemAll() throws IOException {
        Set<String> all = Arrays.stream(ReasonCode.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));

        String readme = read("README.md");
        Set<String> named = codes(readme);
        named.removeAll(NOT_REASON_CODES);
        Set<String> unknown = new TreeSet<>(named);
        unknown.removeAll(all);
        assertEquals(Set.of(), unknown, "README.md names reason codes that do not exist (or add a non-code to"
                + " NOT_REASON_CODES)");
        int start = readme.indexOf("**Dead letter**");
        assertTrue(start >= 0, "README.md has the dead-letter format");
        String deadLetterParagraph = readme.substring(start, readme.indexOf("\n\n", start));
        assertEquals(all, codes(deadLetterParagraph), "README.md's dead-letter format lists every reason code");

        String scorerDoc = read("docs/scorer.md");
        int table = scorerDoc.indexOf("| Reason code | When |");
        assertTrue(table >= 0, "docs/scorer.md has the reason-code table");
        Set<String> tableCodes = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `([A-Z_]+)` \\|").matcher(scorerDoc.substring(table,
                scorerDoc.indexOf("\n\n", table)));
        while (row.find()) {
            tableCodes.add(row.group(1));
        }
        assertEquals(all, tableCodes, "docs/scorer.md's reason-code table lists every reason code, and only them");
    }

    private static Set<String> codes(String text) {
        Set<String> found = new TreeSet<>();
        Matcher m = CODE.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }
}
