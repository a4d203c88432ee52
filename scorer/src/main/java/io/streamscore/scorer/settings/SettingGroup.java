package io.streamscore.scorer.settings;

import java.util.List;

/**
 * The settings of one feature, declared in that feature's own configuration class (the scorer's core in
 * {@code ScorerConfig}, labels and quality in {@code OutcomesConfig}) and registered with the scorer in one line
 * ({@code ScorerConfig.SETTINGS}). The group's title heads its part of {@code --help}'s option list order and names it
 * in the docs generator.
 *
 * @param title    what the group is about ("Outcomes")
 * @param settings the settings in the order help and docs list them
 */
public record SettingGroup(String title, List<Setting> settings) {
    public SettingGroup {
        settings = List.copyOf(settings);
    }

    public static SettingGroup of(String title, Setting... settings) {
        return new SettingGroup(title, List.of(settings));
    }
}
