package io.streamscore.scorer.settings;

import org.apache.kafka.common.config.ConfigDef;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One scorer setting, declared once: its Kafka {@link ConfigDef} entry (the property name that the
 * {@code --client-config} file uses, type, default, validator, importance, documentation) and, when it has one, its
 * command-line flag. Validation, {@code --help}, the settings tables in docs/ and the masking of secrets in the start
 * log all read this one declaration.
 *
 * <p>The documentation is written once for both readers: {@code `code`} and {@code [text](link)} are kept in the
 * docs' tables and reduced to plain text in {@code --help} ({@link #plainDocumentation()}).
 *
 * @param property      the property name ({@code streamscore.*}, or a Kafka Streams name the scorer interprets)
 * @param type          Kafka's type of the value; {@link ConfigDef.Type#PASSWORD} for a secret, never logged
 * @param defaultValue  the default in the property's form (a string as the file would hold it), or null for none
 * @param validator     what the value may be; its {@code toString()} says so in words, for errors, help and docs
 * @param importance    Kafka's importance, shown in the docs
 * @param documentation what the setting does (see above for the markup)
 * @param defaultText   how the default reads to a person when the raw default does not say it ("off", "for ever")
 * @param flag          the command-line flag, or empty for a setting that lives only in the file
 */
public record Setting(String property, ConfigDef.Type type, Object defaultValue, ConfigDef.Validator validator,
                      ConfigDef.Importance importance, String documentation, Optional<String> defaultText,
                      Optional<Flag> flag) {

    public Setting {
        Objects.requireNonNull(property, "property");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(importance, "importance");
        Objects.requireNonNull(documentation, "documentation");
        defaultText = defaultText == null ? Optional.empty() : defaultText;
        flag = flag == null ? Optional.empty() : flag;
    }

    /** A setting without a flag; add one with {@link #flag}, {@link #switchFlag} or {@link #flag(Flag)}. */
    public static Setting define(String property, ConfigDef.Type type, Object defaultValue,
                                 ConfigDef.Validator validator, ConfigDef.Importance importance, String documentation) {
        return new Setting(property, type, defaultValue, validator, importance, documentation, Optional.empty(),
                Optional.empty());
    }

    /** This setting with a flag that takes a value ({@code --threads N}), passed to the property unchanged. */
    public Setting flag(String name, String paramLabel) {
        return flag(new Flag(name, Optional.of(paramLabel), List.of(), value -> Map.of(property, value)));
    }

    /** This setting with a switch ({@code --create-topics}): given, it sets the property to {@code true}. */
    public Setting switchFlag(String name) {
        return flag(new Flag(name, Optional.empty(), List.of(), ignored -> Map.of(property, "true")));
    }

    public Setting flag(Flag flag) {
        return new Setting(property, type, defaultValue, validator, importance, documentation, defaultText,
                Optional.of(flag));
    }

    /** This setting with its default described in words (help and docs) instead of the raw value. */
    public Setting defaultText(String text) {
        return new Setting(property, type, defaultValue, validator, importance, documentation, Optional.of(text),
                flag);
    }

    /** True for a secret: its value is never logged or printed. */
    public boolean isSecret() {
        return type.isSensitive();
    }

    /** How the setting is named in an error: the property and, when there is one, the flag. */
    public String label() {
        return property + flag.map(f -> " (" + f.name() + ")").orElse("");
    }

    /** What the value may be, in words: the validator's description, or the type's. */
    public String allowed() {
        if (validator != null) {
            return validator.toString();
        }
        return switch (type) {
            case BOOLEAN -> "true or false";
            case INT, SHORT, LONG -> "an integer";
            case DOUBLE -> "a number";
            case LIST -> "a comma-separated list";
            default -> "text";
        };
    }

    /** The default as help and docs show it. */
    public String shownDefault() {
        if (defaultText.isPresent()) {
            return defaultText.get();
        }
        if (defaultValue == null) {
            return "none";
        }
        String raw = String.valueOf(defaultValue);
        return raw.isEmpty() ? "none" : raw;
    }

    /** The documentation without its markup, for {@code --help}. */
    public String plainDocumentation() {
        return plain(documentation);
    }

    static String plain(String markdown) {
        return markdown.replaceAll("\\[([^\\]]*)\\]\\([^)]*\\)", "$1").replace("`", "");
    }

    /**
     * A setting's command-line flag.
     *
     * @param name          the flag ({@code --http-port}); a contract, like the property name
     * @param paramLabel    what the flag takes ({@code PORT}), or empty for a switch
     * @param hiddenAliases former names that still work, hidden from the help (a note on stderr says the new name)
     * @param toProperties  the properties a given value sets: usually the setting's own, unchanged; a flag in other
     *                      units (seconds for a property in ms) converts, and may refuse a value the property accepts
     *                      (throwing {@link IllegalArgumentException} naming the flag)
     */
    public record Flag(String name, Optional<String> paramLabel, List<String> hiddenAliases,
                       Function<String, Map<String, String>> toProperties) {
        public Flag {
            Objects.requireNonNull(name, "name");
            paramLabel = paramLabel == null ? Optional.empty() : paramLabel;
            hiddenAliases = List.copyOf(hiddenAliases);
            Objects.requireNonNull(toProperties, "toProperties");
        }

        /** True for a flag that takes no value. */
        public boolean isSwitch() {
            return paramLabel.isEmpty();
        }

        /** This flag, also answering to {@code oldName} (hidden) until the next release. */
        public Flag withHiddenAlias(String oldName) {
            List<String> all = new java.util.ArrayList<>(hiddenAliases);
            all.add(oldName);
            return new Flag(name, paramLabel, all, toProperties);
        }
    }
}
