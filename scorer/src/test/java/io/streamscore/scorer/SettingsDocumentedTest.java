package io.streamscore.scorer;

import io.streamscore.scorer.outcomes.OutcomesConfig;
import io.streamscore.scorer.settings.SettingsMarkdown;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The settings tables in docs/scorer.md (every setting) and docs/outcomes.md (the outcome group) are what
 * {@link SettingsMarkdown} writes from the definitions. After changing a setting, rewrite them with
 * {@code ./mvnw -B -o -pl scorer -am test -Dtest=SettingsDocumentedTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dstreamscore.docs.update=true} and review the diff.
 */
class SettingsDocumentedTest {
    private static final boolean UPDATE = Boolean.getBoolean("streamscore.docs.update");

    @Test
    void scorerDocListsEverySettingAsDefined() throws IOException {
        check("docs/scorer.md", "scorer-settings", SettingsMarkdown.table(ScorerConfig.SETTINGS.all()));
    }

    @Test
    void outcomesDocListsTheOutcomeSettingsAsDefined() throws IOException {
        check("docs/outcomes.md", "outcome-settings", SettingsMarkdown.table(OutcomesConfig.SETTINGS.settings()));
    }

    private static void check(String name, String marker, String table) throws IOException {
        Path doc = EventOutcomesDocumentedTest.document(name);
        String text = Files.readString(doc, StandardCharsets.UTF_8);
        if (UPDATE) {
            text = SettingsMarkdown.replaceBetween(text, marker, table);
            Files.writeString(doc, text, StandardCharsets.UTF_8);
        }
        assertEquals(table, SettingsMarkdown.between(text, marker), name + "'s settings table differs from the "
                + "definitions; rewrite it with -Dstreamscore.docs.update=true (see this test's Javadoc)");
    }
}
