package io.streamscore.scorer.settings;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every setting of a program, by group, with one Kafka {@link ConfigDef} built from them: parses and validates a map
 * of properties (defaults → file → flags, already layered) into {@link SettingValues}, names the setting and what it
 * may be when a value is wrong, and tells secrets apart. The scorer's is {@code ScorerConfig.SETTINGS}.
 */
public final class Settings {
    /** The namespace of the scorer's own properties: a name in it that no setting defines is refused. */
    public static final String NAMESPACE = "streamscore.";

    private final List<SettingGroup> groups;
    private final Map<String, Setting> byProperty = new LinkedHashMap<>();
    private final ConfigDef configDef = new ConfigDef();

    private Settings(List<SettingGroup> groups) {
        this.groups = List.copyOf(groups);
        Set<String> flags = new TreeSet<>();
        for (SettingGroup g : this.groups) {
            for (Setting s : g.settings()) {
                if (byProperty.put(s.property(), s) != null) {
                    throw new IllegalStateException("setting " + s.property() + " is defined twice");
                }
                // ConfigDef checks the default against the validator here: a default that its own setting would
                // refuse fails as the class loads, in every test.
                configDef.define(s.property(), s.type(), s.defaultValue(), s.validator(), s.importance(),
                        s.documentation());
                for (String name : s.flag().map(f -> concat(f.name(), f.hiddenAliases())).orElse(List.of())) {
                    if (!flags.add(name)) {
                        throw new IllegalStateException("flag " + name + " is defined twice");
                    }
                }
            }
        }
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    public static Settings of(SettingGroup... groups) {
        return new Settings(List.of(groups));
    }

    public List<SettingGroup> groups() {
        return groups;
    }

    /** Every setting, in declaration order. */
    public Collection<Setting> all() {
        return Collections.unmodifiableCollection(byProperty.values());
    }

    public Optional<Setting> setting(String property) {
        return Optional.ofNullable(byProperty.get(property));
    }

    /** Kafka's definition of all of them (what {@code ConfigDef#toRst} and friends would print). */
    public ConfigDef configDef() {
        return new ConfigDef(configDef);
    }

    /** The defaults, by property name, as the file would write them (none for a setting without a default). */
    public Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        for (Setting s : byProperty.values()) {
            Object v = configDef.configKeys().get(s.property()).defaultValue;
            if (v != null) {
                d.put(s.property(), ConfigDef.convertToString(v, s.type()));
            }
        }
        return d;
    }

    /** Former flag names that still work, old → new. */
    public Map<String, String> renamedFlags() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Setting s : byProperty.values()) {
            s.flag().ifPresent(f -> f.hiddenAliases().forEach(old -> m.put(old, f.name())));
        }
        return m;
    }

    /** True when {@code property} is one of these settings and a secret ({@link ConfigDef.Type#PASSWORD}). */
    public boolean isSecret(String property) {
        Setting s = byProperty.get(property);
        return s != null && s.isSecret();
    }

    /**
     * Takes every defined setting out of {@code merged} (so it is not passed on to Kafka), parses and validates it,
     * and fills in the defaults. A name in the {@value #NAMESPACE} namespace that no setting defines is refused: it is
     * a typo or a setting of another version, and either way running with the default instead would be wrong.
     *
     * @throws IllegalArgumentException naming the setting (property and flag), the value and what it may be
     */
    public SettingValues take(Map<String, String> merged) {
        Map<String, Object> values = new HashMap<>();
        for (Setting s : byProperty.values()) {
            String raw = merged.remove(s.property());
            Object value;
            if (raw == null) {
                value = configDef.configKeys().get(s.property()).defaultValue;
            } else {
                try {
                    value = ConfigDef.parseType(s.property(), raw, s.type());
                    if (s.validator() != null) {
                        s.validator().ensureValid(s.property(), value);
                    }
                } catch (ConfigException e) {
                    throw refusal(s, raw);
                }
            }
            values.put(s.property(), value);
        }
        for (String key : merged.keySet()) {
            if (key.startsWith(NAMESPACE)) {
                String closest = closest(key);
                throw new IllegalArgumentException("unknown setting " + key + (closest == null ? ""
                        : "; did you mean " + closest + "?") + " (every " + NAMESPACE + "* setting is listed in "
                        + "docs/scorer.md; other properties are passed to Kafka)");
            }
        }
        return new SettingValues(values);
    }

    /**
     * Checks one typed value against its setting's validator (for the configuration records, whose constructors may
     * be called without {@link #take}).
     *
     * @throws IllegalArgumentException as {@link #take} does
     */
    public void check(String property, Object value) {
        Setting s = byProperty.get(property);
        if (s == null) {
            throw new IllegalArgumentException("no setting " + property + " is defined");
        }
        if (s.validator() == null) {
            return;
        }
        try {
            s.validator().ensureValid(property, value);
        } catch (ConfigException | ClassCastException e) {
            throw refusal(s, value);
        }
    }

    /** The one-line refusal of a value: the setting's property and flag, the value, what it may be. */
    public static IllegalArgumentException refusal(Setting s, Object value) {
        String shown = s.isSecret() ? "[hidden]" : String.valueOf(value);
        return new IllegalArgumentException(s.label() + " is '" + shown + "'; must be " + s.allowed());
    }

    /** The defined property nearest to {@code key} in edit distance, if near enough to be what was meant. */
    private String closest(String key) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String p : byProperty.keySet()) {
            int d = distance(key, p);
            if (d < bestDistance) {
                best = p;
                bestDistance = d;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 4) ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
