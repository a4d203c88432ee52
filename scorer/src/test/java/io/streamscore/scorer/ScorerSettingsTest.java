package io.streamscore.scorer;

import io.streamscore.scorer.outcomes.OutcomesConfig;
import io.streamscore.scorer.settings.Setting;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scorer's settings as declared once in {@link ScorerConfig#SETTINGS}: what a bad value of each kind gets (from
 * the file and from a flag), what an unknown {@code streamscore.*} property gets, the help built from the definitions,
 * and the masking of secrets.
 */
class ScorerSettingsTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<ScorerConfig> ran = new ArrayList<>();
    @TempDir
    Path dir;

    private int run(String... args) {
        return ScorerCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), ran::add).execute(args);
    }

    private static IllegalArgumentException refusedFromFile(String property, String value) {
        return assertThrows(IllegalArgumentException.class,
                () -> ScorerConfig.resolve(Map.of(property, value), Map.of("bootstrap.servers", "b:1")));
    }

    /** One row per kind of value: the property, a bad value, the flag (or "-"), and the whole refusal. */
    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            // a number that is not one
            "num.stream.threads | two | --threads | num.stream.threads (--threads) is 'two'; must be an integer >= 1",
            // a number out of range
            "streamscore.http.port | 70000 | --http-port | streamscore.http.port (--http-port) is '70000'; must be an integer from 0 to 65535 (0 = any free port)",
            "streamscore.contributions.top | -1 | - | streamscore.contributions.top (--contributions-top) is '-1'; must be an integer >= 0 (0 = every term)",
            // an enum
            "processing.guarantee | exactly_once | --processing-guarantee | processing.guarantee (--processing-guarantee) is 'exactly_once'; must be exactly_once_v2 or at_least_once",
            "streamscore.model.selection | event_time | --model-selection | streamscore.model.selection (--model-selection) is 'event_time'; must be latest or event-time",
            // a duration
            "streamscore.quality.grace | soon | --quality-grace | streamscore.quality.grace (--quality-grace) is 'soon'; must be a duration: a whole number and a unit, ms, s, m, h or d (e.g. 15m, 1h, 7d)",
            "streamscore.label.window | 0ms | --label-window | streamscore.label.window (--label-window) is '0ms'; must be a duration of at least 1ms: a whole number and a unit, ms, s, m, h or d (e.g. 15m, 1h, 7d)",
            // a list
            "streamscore.quality.windows | 1h,fortnight | --quality-windows | streamscore.quality.windows (--quality-windows) is '1h,fortnight'; must be one or more durations of at least 1ms, comma-separated: each a whole number and a unit, ms, s, m, h or d (e.g. 1h,24h)",
            // a boolean (in the file; the flag is a switch)
            "streamscore.create.topics | yes | - | streamscore.create.topics (--create-topics) is 'yes'; must be true or false",
            // a topic name
            "streamscore.topic.scores | my scores | --scores-topic | streamscore.topic.scores (--scores-topic) is 'my scores'; must be a topic name (1 to 249 of A-Z a-z 0-9 . _ -)",
            "streamscore.topic.labels | labels! | --labels-topic | streamscore.topic.labels (--labels-topic) is 'labels!'; must be empty (off) or a topic name (1 to 249 of A-Z a-z 0-9 . _ -)",
            // a setting that only the file has: named by its property alone
            "streamscore.shutdown.timeout.ms | 0 | - | streamscore.shutdown.timeout.ms is '0'; must be an integer >= 1",
            "streamscore.stuck.record.ms | 30s | - | streamscore.stuck.record.ms is '30s'; must be an integer >= 1",
    })
    void refusesABadValueNamingThePropertyTheFlagAndWhatItMayBe(String property, String value, String flag,
                                                                 String refusal) throws Exception {
        assertEquals(refusal, refusedFromFile(property, value).getMessage());

        Path file = dir.resolve("client.properties");
        Files.writeString(file, property + "=" + value + "\n");
        assertEquals(ScorerCli.EXIT_USAGE, run("--bootstrap-servers", "b:1", "--client-config", file.toString()));
        assertEquals("error: " + refusal + " (see 'scorer --help')", err.toString().strip(), "from the file");
        if (!flag.equals("-")) {
            err.getBuffer().setLength(0);
            assertEquals(ScorerCli.EXIT_USAGE, run("--bootstrap-servers", "b:1", flag, value));
            assertEquals("error: " + refusal + " (see 'scorer --help')", err.toString().strip(), "from the flag");
        }
        assertTrue(ran.isEmpty());
    }

    @Test
    void refusesTheKafkaTimeoutFlagInItsOwnUnit() {
        assertEquals(ScorerCli.EXIT_USAGE, run("--bootstrap-servers", "b:1", "--kafka-timeout", "-1"));
        assertEquals("error: --kafka-timeout (streamscore.startup.timeout.ms, in ms) is '-1'; must be a whole number of "
                + "seconds >= 0 (0 = for ever) (see 'scorer --help')", err.toString().strip());
        assertTrue(ran.isEmpty());
    }

    /**
     * An unknown streamscore.* property is refused, not warned about: the namespace is the scorer's, so the name is a
     * typo or a setting this version does not have, and running on with the default in its place (another topic,
     * another port) is the failure that a warning in a start log lets through.
     */
    @Test
    void refusesAnUnknownStreamscorePropertyAndSuggestsTheNearestOne() throws Exception {
        IllegalArgumentException e = refusedFromFile("streamscore.http.prot", "9090");
        assertEquals("unknown setting streamscore.http.prot; did you mean streamscore.http.port? (every streamscore.* "
                + "setting is listed in docs/scorer.md; other properties are passed to Kafka)", e.getMessage());
        e = refusedFromFile("streamscore.something.else.entirely", "x");
        assertEquals("unknown setting streamscore.something.else.entirely (every streamscore.* setting is listed in "
                + "docs/scorer.md; other properties are passed to Kafka)", e.getMessage());

        Path file = dir.resolve("client.properties");
        Files.writeString(file, "streamscore.topic.score=s\n");
        assertEquals(ScorerCli.EXIT_USAGE, run("--bootstrap-servers", "b:1", "--client-config", file.toString()));
        assertTrue(err.toString().startsWith("error: unknown setting streamscore.topic.score; did you mean "
                + "streamscore.topic.scores?"), err.toString());
        assertTrue(ran.isEmpty());
    }

    @Test
    void passesPropertiesOutsideTheNamespaceToKafkaAndChecksTheOnesKafkaDefines() {
        ScorerConfig c = ScorerConfig.resolve(Map.of("my.interceptor.option", "anything", "producer.linger.ms", "20",
                "commit.interval.ms", "50"), Map.of("bootstrap.servers", "b:1"));
        assertEquals("anything", c.clientProperties().get("my.interceptor.option"));
        assertEquals("20", c.clientProperties().get("producer.linger.ms"));

        assertEquals("commit.interval.ms is 'soon'; Kafka refuses it: Not a number of type LONG",
                refusedFromFile("commit.interval.ms", "soon").getMessage());
        assertEquals("producer.linger.ms is 'soon'; Kafka refuses it: Not a number of type LONG",
                refusedFromFile("producer.linger.ms", "soon").getMessage());
        assertTrue(refusedFromFile("security.protocol", "SASL_TLS").getMessage()
                .startsWith("security.protocol is 'SASL_TLS'; Kafka refuses it: "), "an enum of Kafka's");
    }

    @Test
    void keepsTheDefaultsOfEverySetting() {
        Map<String, String> before = new LinkedHashMap<>();
        before.put("application.id", "streamscore-scorer");
        before.put("streamscore.topic.models", "models");
        before.put("streamscore.topic.features", "features");
        before.put("streamscore.topic.scores", "scores");
        before.put("streamscore.topic.dead-letters", "dead-letters");
        before.put("streamscore.topic.shadow-scores", "shadow-scores");
        before.put("processing.guarantee", "exactly_once_v2");
        before.put("num.stream.threads", "1");
        before.put("streamscore.http.port", "8080");
        before.put("streamscore.create.topics", "false");
        before.put("streamscore.startup.timeout.ms", "0");
        before.put("streamscore.model.topic.allow.delete", "false");
        before.put("streamscore.instance.id", "");
        before.put("streamscore.model.selection", "latest");
        before.put("streamscore.contributions", "false");
        before.put("streamscore.contributions.top", "0");
        before.put("streamscore.profile", "latency");
        before.put("streamscore.shutdown.timeout.ms", "30000");
        before.put("streamscore.stuck.record.ms", "30000");
        before.put("streamscore.topic.labels", "");
        before.put("streamscore.topic.outcomes", "outcomes");
        before.put("streamscore.topic.quality", "model-quality");
        before.put("streamscore.label.window", "7d");
        before.put("streamscore.quality.windows", "1h,24h");
        before.put("streamscore.quality.grace", "1m");
        before.put("streamscore.drift.windows", "");
        before.put("streamscore.drift.topic", "model-drift");
        before.put("streamscore.drift.threshold", "0.2");
        before.put("streamscore.drift.grace", "1m");
        assertEquals(new java.util.TreeMap<>(before), new java.util.TreeMap<>(ScorerConfig.defaults()));
    }

    /** Flag names are a contract: every one the scorer had still parses (value or switch as before). */
    @Test
    void keepsEveryFlagName() {
        Set<String> flags = new TreeSet<>();
        ScorerCli.commandLine(new PrintWriter(out), new PrintWriter(err), ran::add).getCommandSpec().options()
                .forEach(o -> flags.addAll(List.of(o.names())));
        for (String f : List.of("--bootstrap-servers", "--application-id", "--models-topic", "--features-topic",
                "--scores-topic", "--dead-letters-topic", "--shadow-scores-topic", "--processing-guarantee", "--threads",
                "--http-port", "--create-topics", "--kafka-timeout", "--startup-timeout", "--allow-deleting-model-topic",
                "--instance-id", "--model-selection", "--contributions", "--contributions-top", "--profile",
                "--labels-topic", "--outcomes-topic", "--quality-topic", "--label-window", "--quality-windows",
                "--quality-grace", "--client-config", "--help", "--version")) {
            assertTrue(flags.contains(f), f + " in " + flags);
        }
        assertEquals(Map.of("--startup-timeout", "--kafka-timeout"), ScorerCli.RENAMED);
        assertEquals(ScorerCli.EXIT_OK, run("--bootstrap-servers", "b:1", "--create-topics", "--allow-deleting-model-topic",
                "--contributions", "--threads", "3"));
        assertTrue(ran.get(0).createTopics() && ran.get(0).allowDeletingModelTopic() && ran.get(0).contributions().enabled());
        assertEquals(3, ran.get(0).threads());
    }

    /** Each flag's help is its definition's documentation and default; the header and examples stay. */
    @Test
    void buildsTheHelpFromTheDefinitions() {
        assertEquals(ScorerCli.EXIT_OK, run("--help"));
        String help = out.toString().replaceAll("\\s+", " ");
        for (Setting s : ScorerConfig.SETTINGS.all()) {
            if (s.flag().isEmpty()) {
                assertFalse(help.contains(s.property()), s.property() + " has no flag, so no line: " + help);
                continue;
            }
            Setting.Flag f = s.flag().get();
            String synopsis = f.name() + f.paramLabel().map(l -> "=" + l).orElse("");
            String text = ScorerCli.helpText(s).replace("%%", "%");
            // picocli wraps long descriptions, also after a dot inside a word: compare without the white space.
            assertTrue(help.replace(" ", "").contains((synopsis + text).replaceAll("\\s+", "")),
                    synopsis + " " + text + "\nin\n" + help);
            assertTrue(text.endsWith(" Default: " + s.shownDefault() + "."), text);
            assertFalse(text.contains("`") || text.contains("]("), "no markup in the help: " + text);
            for (String old : f.hiddenAliases()) {
                assertFalse(help.contains(old), old + " is hidden");
            }
        }
        assertTrue(help.contains("Default: 8080") && help.contains("Default: none (off)")
                && help.contains("Default: 0 (for ever)"), help);
        assertTrue(help.contains("--client-config=FILE"), help);
        assertTrue(help.contains("Settings are layered: defaults, then --client-config FILE, then these flags.")
                && help.contains("Examples: scorer --bootstrap-servers localhost:9092 --create-topics"), help);
        String options = help.substring(help.indexOf("-V, --version"));
        assertTrue(options.indexOf("--bootstrap-servers=") < options.indexOf("--threads=")
                && options.indexOf("--threads=") < options.indexOf("--labels-topic=")
                && options.indexOf("--labels-topic=") < options.indexOf("--client-config=FILE"),
                "in declaration order: " + options);
    }

    /**
     * Secrets are [hidden] in the start log and toString: Kafka's PASSWORD-typed client settings by their type (also
     * under a client prefix, and those whose names do not read like a secret, such as certificate chains), plus, for
     * properties Kafka does not define, any name that reads like one.
     */
    @Test
    void masksKafkaSecretsByTheirTypeWithOrWithoutAPrefix() {
        Map<String, String> file = new LinkedHashMap<>();
        file.put("ssl.keystore.certificate.chain", "-----BEGIN CERTIFICATE----- hunter2");
        file.put("producer.ssl.truststore.certificates", "-----BEGIN CERTIFICATE----- hunter2");
        file.put("main.consumer.sasl.jaas.config", "x required password=\"hunter2\";");
        file.put("admin.ssl.key.password", "hunter2");
        file.put("sasl.oauthbearer.assertion.private.key.passphrase", "hunter2");
        file.put("my.webhook.token", "hunter2");
        file.put("ssl.endpoint.identification.algorithm", "https");
        file.put("security.protocol", "SASL_SSL");
        ScorerConfig c = ScorerConfig.resolve(file, Map.of("bootstrap.servers", "b:1"));
        Map<String, String> shown = c.describeMasked();
        assertFalse(shown.toString().contains("hunter2"), shown.toString());
        assertFalse(c.toString().contains("hunter2"), c.toString());
        for (String k : List.of("ssl.keystore.certificate.chain", "producer.ssl.truststore.certificates",
                "main.consumer.sasl.jaas.config", "admin.ssl.key.password",
                "sasl.oauthbearer.assertion.private.key.passphrase", "my.webhook.token")) {
            assertEquals("[hidden]", shown.get(k), k);
        }
        assertEquals("https", shown.get("ssl.endpoint.identification.algorithm"));
        assertEquals("SASL_SSL", shown.get("security.protocol"));
        assertEquals(file.get("ssl.keystore.certificate.chain"), c.clientProperties().get("ssl.keystore.certificate.chain"),
                "masked in what is shown only; Kafka gets the value");
    }

    /** The start log shows every setting: one declared but not described would be missing from it. */
    @Test
    void describesEverySetting() {
        Map<String, String> shown = ScorerConfig.resolve(Map.of(), Map.of("bootstrap.servers", "b:1")).describeMasked();
        for (Setting s : ScorerConfig.SETTINGS.all()) {
            assertTrue(shown.containsKey(s.property()), s.property() + " in " + shown);
        }
        for (Setting s : OutcomesConfig.SETTINGS.settings()) {
            assertTrue(ScorerConfig.SETTINGS.setting(s.property()).isPresent(), "the outcome group is registered");
        }
    }
}
