package io.streamscore.common.kafka;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Kafka client properties as both apps take them: a {@code --client-config} file of any client property (SASL, SSL,
 * timeouts), like Kafka's own tools, with command-line flags on top. Also renders them for logs with secrets masked.
 */
public final class ClientProperties {
    private static final String MASK = "[hidden]";

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
     * True for properties whose values must never be logged: JAAS configs (they embed passwords), passwords, secrets,
     * tokens, credentials, private keys and SSL key material ({@code ssl.key.password}, {@code ssl.keystore.key}).
     */
    public static boolean isSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("jaas") || k.contains("password") || k.contains("secret") || k.contains("token")
                || k.contains("credential") || k.contains("private") || k.startsWith("ssl.key") || k.endsWith(".key")
                || k.contains("keystore.key");
    }

    /** The properties sorted by name, secret values replaced, ready to log. */
    public static Map<String, String> masked(Map<?, ?> props) {
        Map<String, String> out = new TreeMap<>();
        props.forEach((k, v) -> out.put(String.valueOf(k), isSecret(String.valueOf(k)) ? MASK : String.valueOf(v)));
        return out;
    }
}
