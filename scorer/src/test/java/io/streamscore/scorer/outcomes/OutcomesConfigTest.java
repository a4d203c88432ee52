package io.streamscore.scorer.outcomes;

import io.streamscore.scorer.ScorerCli;
import io.streamscore.scorer.ScorerConfig;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The outcome settings: off by default, layered like every scorer setting, validated with the property's name. */
class OutcomesConfigTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<ScorerConfig> ran = new ArrayList<>();

    private int run(String... args) {
        return ScorerCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), ran::add).execute(args);
    }

    @Test
    void offByDefaultWithDocumentedDefaults() {
        OutcomesConfig c = ScorerConfig.resolve(Map.of(), Map.of("bootstrap.servers", "b:1")).outcomes();
        assertFalse(c.enabled());
        assertEquals(OutcomesConfig.OFF, c);
        assertEquals(new OutcomesConfig(Optional.empty(), "outcomes", "model-quality", Duration.ofDays(7),
                List.of(Duration.ofHours(1), Duration.ofHours(24)), Duration.ofMinutes(1)), c);
        assertEquals(List.of(), c.topics());
        assertTrue(ScorerConfig.resolve(Map.of(), Map.of("bootstrap.servers", "b:1")).clientProperties().keySet()
                .stream().noneMatch(k -> k.startsWith("streamscore.")), "outcome settings are never passed to Kafka");
    }

    @Test
    void flagsSetEverythingAndBeatTheFile() {
        assertEquals(ScorerCli.EXIT_OK, run("--bootstrap-servers", "b:1", "--labels-topic", "labels",
                "--outcomes-topic", "o", "--quality-topic", "q", "--label-window", "36h", "--quality-windows",
                "24h, 15m,1h", "--quality-grace", "90s"));
        OutcomesConfig c = ran.get(0).outcomes();
        assertEquals(new OutcomesConfig(Optional.of("labels"), "o", "q", Duration.ofHours(36),
                List.of(Duration.ofMinutes(15), Duration.ofHours(1), Duration.ofHours(24)), Duration.ofSeconds(90)), c);
        assertEquals(List.of("labels", "o", "q"), c.topics());
        assertEquals(Duration.ofSeconds(90).plusHours(36), c.qualityRetention());
        Map<String, String> shown = ran.get(0).describeMasked();
        assertEquals("15m,1h,1d", shown.get(OutcomesConfig.QUALITY_WINDOWS));
        assertEquals("36h", shown.get(OutcomesConfig.LABEL_WINDOW));

        ScorerConfig layered = ScorerConfig.resolve(Map.of(OutcomesConfig.LABELS_TOPIC, "from-file",
                OutcomesConfig.LABEL_WINDOW, "2d"), Map.of("bootstrap.servers", "b:1", OutcomesConfig.LABEL_WINDOW, "3d"));
        assertEquals(Optional.of("from-file"), layered.outcomes().labelsTopic());
        assertEquals(Duration.ofDays(3), layered.outcomes().labelWindow());
    }

    @Test
    void badValuesNameThePropertyAndExitWithUsage() {
        assertEquals(ScorerCli.EXIT_USAGE, run("--bootstrap-servers", "b:1", "--labels-topic", "l", "--label-window", "7 days"));
        assertTrue(err.toString().contains("streamscore.label.window (--label-window) is '7 days'; must be a duration of at "
                + "least 1ms: a whole number and a unit"), err.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScorerConfig.resolve(Map.of(),
                Map.of("bootstrap.servers", "b:1", OutcomesConfig.QUALITY_WINDOWS, "1h,60m")));
        assertEquals("streamscore.quality.windows names 1h twice", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScorerConfig.resolve(Map.of(),
                Map.of("bootstrap.servers", "b:1", OutcomesConfig.LABELS_TOPIC, "scores")));
        assertTrue(e.getMessage().startsWith("topic 'scores' is configured for two roles"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ScorerConfig.resolve(Map.of(),
                Map.of("bootstrap.servers", "b:1", OutcomesConfig.LABELS_TOPIC, "outcomes")));
        assertEquals("the labels, outcomes and quality topics must differ", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ScorerConfig.resolve(Map.of(),
                Map.of("bootstrap.servers", "b:1", OutcomesConfig.LABEL_WINDOW, "0ms")));
        assertThrows(IllegalArgumentException.class, () -> ScorerConfig.resolve(Map.of(),
                Map.of("bootstrap.servers", "b:1", OutcomesConfig.QUALITY_WINDOWS, ",")));
    }

    @Test
    void theHelpDescribesTheFlags() {
        assertEquals(ScorerCli.EXIT_OK, run("--help"));
        String help = out.toString().replaceAll("\\s+", " ");
        for (String s : List.of("--labels-topic", "--outcomes-topic", "--quality-topic", "--label-window",
                "--quality-windows", "--quality-grace", "Default: model-quality", "Default: 7d", "Default: 1h,24h")) {
            assertTrue(help.contains(s), s + " in " + help);
        }
    }
}
