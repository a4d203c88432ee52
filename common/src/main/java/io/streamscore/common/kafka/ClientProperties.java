package io.streamscore.common.kafka;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Kafka client properties as both apps take them: a {@code --client-config} file of any client property (SASL, SSL,
 * timeouts), like Kafka's own tools, with command-line flags on top. Also renders them for logs with secrets masked.
 */
public final class ClientProperties {
    /** What a secret's value is shown as: Kafka's own word for it. */
    public static final String MASK = "[hidden]";

    /**
     * Kafka's definitions of every client's properties: they know which ones are secrets ({@link
     * ConfigDef.Type#PASSWORD}: the JAAS config, the SSL passwords and key material, the OAuth client secret, ...)
     * and what each one's value may be.
     */
    public static final List<ConfigDef> CLIENT_DEFINITIONS = List.of(ProducerConfig.configDef(),
            ConsumerConfig.configDef(), AdminClientConfig.configDef());

    private ClientProperties() {
    }

    /**
     * Reads a Java properties file.
     *
     * @throws IllegalArgumentException naming the file when it is missing or unreadable
     */
    public static Properties load(Path file) {
        Properties props = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            props.load(reader);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read --client-config " + file + ": no such file");
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot read --client-config " + file + ": " + e.getMessage());
        }
        return props;
    }

    /**
     * True for properties whose values must never be logged: every property a Kafka client defines as a secret
     * ({@link ConfigDef.Type#PASSWORD}), also under a prefix ({@code producer.ssl.key.password},
     * {@code listener.name.x.sasl.jaas.config}); and, for properties Kafka does not define (a custom callback
     * handler's, a schema registry's), any name that reads like a secret: JAAS configs (they embed passwords),
     * passwords, secrets, tokens, credentials, private keys and SSL key material.
     */
    public static boolean isSecret(String key) {
        return isKafkaSecret(key) || looksSecret(key);
    }

    private static boolean isKafkaSecret(String key) {
        // Any dotted suffix: the plain name, and the name under any prefix a client or Kafka Streams routes by.
        for (String k = key; ; k = k.substring(k.indexOf('.') + 1)) {
            for (ConfigDef def : CLIENT_DEFINITIONS) {
                ConfigDef.ConfigKey ck = def.configKeys().get(k);
                if (ck != null && ck.type.isSensitive()) {
                    return true;
                }
            }
            if (k.indexOf('.') < 0) {
                return false;
            }
        }
    }

    private static boolean looksSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("jaas") || k.contains("password") || k.contains("secret") || k.contains("token")
                || k.contains("credential") || k.contains("private") || k.startsWith("ssl.key") || k.endsWith(".key")
                || k.contains("keystore.key");
    }

    /**
     * Refuses a property whose value Kafka itself would refuse, now (a usage error) rather than when the client starts:
     * each property Kafka defines (in {@code definitions}, plain or under one of {@code prefixes}) is parsed by its type
     * and checked by its validator; it is refused only when every definition that has it refuses the value. Properties
     * Kafka does not define, and class names (loading them here would run their code), are left to Kafka.
     *
     * @throws IllegalArgumentException naming the property, its value (unless a secret) and Kafka's reason
     */
    public static void requireValid(Map<String, String> props, List<String> prefixes, List<ConfigDef> definitions) {
        for (Map.Entry<String, String> e : props.entrySet()) {
            String name = e.getKey();
            for (String prefix : prefixes) {
                if (name.startsWith(prefix)) {
                    name = name.substring(prefix.length());
                    break;
                }
            }
            String refusal = null;
            boolean accepted = false;
            for (ConfigDef def : definitions) {
                ConfigDef.ConfigKey key = def.configKeys().get(name);
                if (key == null || key.type == ConfigDef.Type.CLASS) {
                    continue;
                }
                try {
                    Object value = ConfigDef.parseType(name, e.getValue(), key.type);
                    if (key.validator != null) {
                        key.validator.ensureValid(name, value);
                    }
                    accepted = true;
                } catch (ConfigException refused) {
                    refusal = refusal != null ? refusal : reason(refused, name);
                } catch (RuntimeException other) {
                    accepted = true; // a validator that needs more context than one value: Kafka decides
                }
            }
            if (refusal != null && !accepted) {
                throw new IllegalArgumentException(e.getKey() + " is " + (isSecret(e.getKey()) ? MASK
                        : "'" + e.getValue() + "'") + "; Kafka refuses it: " + refusal);
            }
        }
    }

    /** Kafka's reason without its "Invalid value X for configuration Y: " preamble (which would repeat a secret). */
    private static String reason(ConfigException e, String name) {
        String m = String.valueOf(e.getMessage());
        String marker = "for configuration " + name + ": ";
        int at = m.indexOf(marker);
        return at >= 0 ? m.substring(at + marker.length()) : m;
    }

    /** The properties sorted by name, secret values replaced, ready to log. */
    public static Map<String, String> masked(Map<?, ?> props) {
        Map<String, String> out = new TreeMap<>();
        props.forEach((k, v) -> out.put(String.valueOf(k), isSecret(String.valueOf(k)) ? MASK : String.valueOf(v)));
        return out;
    }
}
