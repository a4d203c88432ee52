package io.streamscore.scorer.drift;

import io.streamscore.scorer.ScorerCli;
import io.streamscore.scorer.ScorerConfig;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The drift settings: off by default, layered like every scorer setting, validated with the property's name. */
class DriftConfigTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<ScorerConfig> ran = new ArrayList<>();

    private int run(String... args) {
        return ScorerCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), ran::add).execute(args);
    }

    @Test
    void offByDefaultWithDocumentedDefaults() {
        ScorerConfig config = ScorerConfig.resolve(Map.of(), Map.of("bootstrap.servers", "b:1"));
        DriftConfig c = config.drift();
        assertFalse(c.enabled());
        assertEquals(DriftConfig.OFF, c);
        assertEquals(new DriftConfig(List.of(), "model-drift", 0.2, Duration.ofMinutes(1)), c);
        assertEquals(List.of(), c.topics());
        assertTrue(config.clientProperties().keySet().stream().noneMatch(k -> k.startsWith("streamscore.")),
                "drift settings are never passed to Kafka");
    }

    @Test
    void flagsSetEverythingAndBeatTheFile() {
        assertEquals(ScorerCli.EXIT_OK, run("--bootstrap-servers", "b:1", "--drift-windows", "24h, 15m,1h",
                "--drift-topic", "d", "--drift-threshold", "0.1", "--drift-grace", "90s"));
        DriftConfig c = ran.get(0).drift();
        assertEquals(new DriftConfig(List.of(Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofHours(24)), "d",
                0.1, Duration.ofSeconds(90)), c);
        assertTrue(c.enabled());
        assertEquals(List.of("d"), c.topics());
        assertEquals(Duration.ofSeconds(90).plusHours(1), c.retention(Duration.ofHours(1)));
        assertEquals("15m,1h,1d", ran.get(0).describeMasked().get(DriftConfig.WINDOWS));

        ScorerConfig layered = ScorerConfig.resolve(Map.of(DriftConfig.WINDOWS, "1h", DriftConfig.THRESHOLD, "0.3"),
                Map.of("bootstrap.servers", "b:1", DriftConfig.THRESHOLD, "0.25"));
        assertEquals(List.of(Duration.ofHours(1)), layered.drift().windows());
        assertEquals(0.25, layered.drift().threshold());
    }

    @Test
    void badValuesNameThePropertyAndExitWithUsage() {
        assertEquals(ScorerCli.EXIT_USAGE, run("--bootstrap-servers", "b:1", "--drift-windows", "1 hour"));
        assertTrue(err.toString().contains("error: streamscore.drift.windows (--drift-windows) is '1 hour'; must be empty "
                + "(off) or durations of at least 1ms"), err.toString());
        assertEquals("streamscore.drift.windows names 1h twice", message(DriftConfig.WINDOWS, "1h,60m"));
        assertEquals("streamscore.drift.threshold (--drift-threshold) is 'high'; must be a positive number (e.g. 0.2)",
                message(DriftConfig.THRESHOLD, "high"));
        assertEquals("streamscore.drift.threshold (--drift-threshold) is '0'; must be a positive number (e.g. 0.2)",
                message(DriftConfig.THRESHOLD, "0"));
        assertTrue(message(DriftConfig.GRACE, "-1m").startsWith("streamscore.drift.grace (--drift-grace) is '-1m'; must be a duration"),
                message(DriftConfig.GRACE, "-1m"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScorerConfig.resolve(Map.of(),
                Map.of("bootstrap.servers", "b:1", DriftConfig.WINDOWS, "1h", DriftConfig.TOPIC, "scores")));
        assertEquals("topic 'scores' is configured for two roles; streamscore.drift.topic must differ from the scorer's "
                + "other topics", e.getMessage());
    }

    private static String message(String property, String value) {
        Map<String, String> flags = new java.util.HashMap<>(Map.of("bootstrap.servers", "b:1", DriftConfig.WINDOWS, "1h"));
        flags.put(property, value);
        return assertThrows(IllegalArgumentException.class, () -> ScorerConfig.resolve(Map.of(), flags)).getMessage();
    }

    @Test
    void theHelpDescribesTheFlags() {
        assertEquals(ScorerCli.EXIT_OK, run("--help"));
        String help = out.toString().replaceAll("\\s+", " ");
        for (String s : List.of("--drift-windows", "--drift-topic", "--drift-threshold", "--drift-grace",
                "Default: model-drift", "Default: 0.2")) {
            assertTrue(help.contains(s), s + " in " + help);
        }
    }
}
