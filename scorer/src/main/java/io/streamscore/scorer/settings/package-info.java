/**
 * The scorer's settings, each declared once on Kafka's {@link org.apache.kafka.common.config.ConfigDef} with its
 * command-line flag ({@link io.streamscore.scorer.settings.Setting}), in groups that each feature's configuration class
 * declares ({@link io.streamscore.scorer.settings.SettingGroup}). From the one declaration come the validation of the
 * layered properties ({@link io.streamscore.scorer.settings.Settings#take}), the flags and their {@code --help}, the
 * settings tables in docs/ ({@link io.streamscore.scorer.settings.SettingsMarkdown}) and which values are secrets.
 */
package io.streamscore.scorer.settings;
