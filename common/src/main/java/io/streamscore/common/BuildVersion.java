package io.streamscore.common;

import org.apache.kafka.clients.producer.KafkaProducer;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What {@code --version} prints for every streamscore program: the version the build wrote into the runnable jar's
 * manifest ({@code Implementation-Version}, from the Maven project version), with the Kafka client and Java versions
 * it runs on, so that a bug report says exactly what ran.
 */
public final class BuildVersion {
    /**
     * The file kafka-clients carries its own version in (read by Kafka's {@code AppInfoParser}, an internal class that
     * Kafka 4.4 moved to another package; the file has stayed where it is).
     */
    private static final String KAFKA_VERSION_RESOURCE = "/kafka/kafka-version.properties";

    private BuildVersion() {
    }

    /**
     * The version of the jar that holds {@code mainClass}; {@code "development build"} when it is not run from a built
     * jar (from an IDE or {@code target/classes}), where no manifest names one.
     */
    public static String of(Class<?> mainClass) {
        String v = mainClass.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    /** The version of the kafka-clients on the class path, or {@code "unknown"} if its version file cannot be read. */
    public static String kafkaClients() {
        try (InputStream in = KafkaProducer.class.getResourceAsStream(KAFKA_VERSION_RESOURCE)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown").trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** One line: {@code "<program> <version> (Kafka <clients version>, Java <runtime version>)"}. */
    public static String line(String program, Class<?> mainClass) {
        return program + " " + of(mainClass) + " (Kafka " + kafkaClients() + ", Java " + Runtime.version() + ")";
    }
}
