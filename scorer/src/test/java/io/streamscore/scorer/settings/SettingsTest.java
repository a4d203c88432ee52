package io.streamscore.scorer.settings;

import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The definitions' machinery, on a group of its own: how a feature adds settings, secrets, the docs table. */
class SettingsTest {
    private static final SettingGroup WEBHOOK = SettingGroup.of("Webhook",
            Setting.define("streamscore.webhook.url", Type.STRING, "", null, Importance.MEDIUM,
                    "Where alerts go ([docs](x.md)).").flag("--webhook-url", "URL"),
            Setting.define("streamscore.webhook.token", Type.PASSWORD, null, null, Importance.MEDIUM,
                    "The bearer token.").flag("--webhook-token", "TOKEN"),
            Setting.define("streamscore.webhook.retries", Type.INT, 3, Validators.between(0, 10, ""), Importance.LOW,
                    "Retries a|b."));

    @Test
    void aGroupIsAddedByDeclaringItsSettings() {
        Settings settings = Settings.of(WEBHOOK);
        Map<String, String> merged = new HashMap<>(Map.of("streamscore.webhook.url", "https://x", "linger.ms", "5"));
        SettingValues v = settings.take(merged);
        assertEquals("https://x", v.string("streamscore.webhook.url"));
        assertEquals(3, v.integer("streamscore.webhook.retries"));
        assertEquals(Map.of("linger.ms", "5"), merged, "its settings are taken out; the rest is left for Kafka");
        assertEquals(List.of("streamscore.webhook.url", "streamscore.webhook.token", "streamscore.webhook.retries"),
                List.copyOf(settings.configDef().configKeys().keySet()), "one Kafka ConfigDef, in declaration order");
    }

    @Test
    void aSecretIsNeverRepeated() {
        Settings settings = Settings.of(WEBHOOK);
        assertTrue(settings.isSecret("streamscore.webhook.token"));
        assertFalse(settings.isSecret("streamscore.webhook.url"));
        Setting token = settings.setting("streamscore.webhook.token").orElseThrow();
        assertEquals("streamscore.webhook.token (--webhook-token) is '[hidden]'; must be text",
                Settings.refusal(token, "hunter2").getMessage());
        assertTrue(SettingsMarkdown.table(WEBHOOK.settings()).contains("A secret: shown as `[hidden]`"));
    }

    @Test
    void refusesTwoDefinitionsOfOneNameOrFlag() {
        assertThrows(IllegalStateException.class, () -> Settings.of(WEBHOOK, WEBHOOK));
        assertThrows(IllegalStateException.class, () -> Settings.of(WEBHOOK, SettingGroup.of("Other",
                Setting.define("streamscore.other", Type.STRING, "", null, Importance.LOW, "x").flag("--webhook-url", "U"))));
    }

    @Test
    void refusesADefaultThatItsOwnValidatorRefuses() {
        assertThrows(ConfigException.class, () -> Settings.of(SettingGroup.of("Bad",
                Setting.define("streamscore.bad", Type.INT, 11, Validators.between(0, 10, ""), Importance.LOW, "x"))));
    }

    /** The kinds a feature like drift needs: an optional list of durations, a positive number. */
    @Test
    void takesOptionalDurationListsAndPositiveNumbers() {
        Settings settings = Settings.of(SettingGroup.of("Drift-like",
                Setting.define("streamscore.x.windows", Type.LIST, "", Validators.optionalDurations(
                        java.time.Duration.ofMillis(1)), Importance.LOW, "w").flag("--x-windows", "SIZE[,SIZE...]"),
                Setting.define("streamscore.x.threshold", Type.DOUBLE, 0.2, Validators.positiveNumber("0.2"),
                        Importance.LOW, "t").flag("--x-threshold", "X")));
        SettingValues off = settings.take(new HashMap<>());
        assertEquals(List.of(), off.durations("streamscore.x.windows"));
        assertEquals(0.2, off.decimal("streamscore.x.threshold"));
        SettingValues on = settings.take(new HashMap<>(Map.of("streamscore.x.windows", "1h, 15m",
                "streamscore.x.threshold", "0.1")));
        assertEquals(List.of(java.time.Duration.ofHours(1), java.time.Duration.ofMinutes(15)),
                on.durations("streamscore.x.windows"));
        assertEquals(0.1, on.decimal("streamscore.x.threshold"));
        assertEquals("streamscore.x.threshold (--x-threshold) is '0'; must be a positive number (e.g. 0.2)",
                assertThrows(IllegalArgumentException.class, () -> settings.take(new HashMap<>(
                        Map.of("streamscore.x.threshold", "0")))).getMessage());
        assertEquals("streamscore.x.threshold (--x-threshold) is 'NaN'; must be a positive number (e.g. 0.2)",
                assertThrows(IllegalArgumentException.class, () -> settings.take(new HashMap<>(
                        Map.of("streamscore.x.threshold", "NaN")))).getMessage());
        assertEquals("streamscore.x.windows (--x-windows) is '1h,0ms'; must be empty (off) or durations of at least "
                + "1ms, comma-separated: each a whole number and a unit, ms, s, m, h or d (e.g. 1h,24h)",
                assertThrows(IllegalArgumentException.class, () -> settings.take(new HashMap<>(
                        Map.of("streamscore.x.windows", "1h,0ms")))).getMessage());
    }

    @Test
    void writesTheDocsTableWithMarkupAndEscapedPipes() {
        String table = SettingsMarkdown.table(WEBHOOK.settings());
        assertEquals("""
                | Option | Property (`--client-config`) | Default | Values | Meaning |
                |---|---|---|---|---|
                | `--webhook-url URL` | `streamscore.webhook.url` | none | text | Where alerts go ([docs](x.md)). |
                | `--webhook-token TOKEN` | `streamscore.webhook.token` | none | text | The bearer token. A secret: shown as `[hidden]` wherever the configuration is logged. |
                | – | `streamscore.webhook.retries` | `3` | an integer from 0 to 10 | Retries a\\|b. |
                """, table);
        String doc = "intro\n<!-- t: begin -->\nold\n<!-- t: end -->\nafter\n";
        String rewritten = SettingsMarkdown.replaceBetween(doc, "t", table);
        assertEquals(table, SettingsMarkdown.between(rewritten, "t"));
        assertTrue(rewritten.startsWith("intro\n<!-- t: begin -->\n| Option") && rewritten.endsWith("<!-- t: end -->\nafter\n"));
        assertEquals("Where alerts go (docs).", WEBHOOK.settings().get(0).plainDocumentation());
    }
}
