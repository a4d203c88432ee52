package io.streamscore.trainer.kafka;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.kafka.ClientProperties;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;

/** The options that say where and how to publish a model; shared by {@code train --publish} and {@code publish}. */
public final class PublishOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers to publish to / read --data-topic from (also settable as bootstrap.servers in --client-config).")
    String bootstrapServers;

    @Option(names = "--model-topic", paramLabel = "TOPIC", defaultValue = "models",
            description = "Compacted topic the scorers read models from; created (compacted) when missing.")
    String modelTopic;

    @Option(names = "--model-topic-partitions", paramLabel = "N", defaultValue = "1",
            description = "Partitions when the model topic has to be created.")
    int partitions;

    @Option(names = "--model-topic-replication", paramLabel = "N",
            description = "Replication factor when the model topic has to be created (default: the broker's default.replication.factor).")
    Short replication;

    @Option(names = "--transactional-id-prefix", paramLabel = "PREFIX", defaultValue = ModelPublisher.DEFAULT_TRANSACTIONAL_ID_PREFIX,
            description = "Every write for model id ID is a Kafka transaction with transactional.id PREFIX+ID, which fences concurrent publishers of the same id (grant WRITE on this prefix).")
    String transactionalIdPrefix;

    @Option(names = "--client-config", paramLabel = "FILE",
            description = "Properties file with any Kafka client setting (security.protocol, sasl.*, ssl.*, timeouts), as Kafka's own tools take.")
    Path clientConfig;

    @Option(names = "--challenger",
            description = "Publish the new version as a challenger: the scorers shadow-score every event of the id with it (to the shadow topic) and keep serving the current version, until 'trainer models promote'.")
    boolean challenger;

    @Option(names = {"--kafka-timeout", "--publish-timeout"}, paramLabel = "SECONDS", defaultValue = "30",
            description = "How long to wait for the brokers before reading or publishing fails (a trained model file is kept either way).")
    long timeoutSeconds;

    /** How long any one broker operation may take. */
    public Duration timeout() {
        return Duration.ofSeconds(timeoutSeconds);
    }

    /** The client properties: the --client-config file, then --bootstrap-servers on top. */
    public Properties clientProperties() {
        Properties props = clientConfig == null ? new Properties() : ClientProperties.load(clientConfig);
        if (bootstrapServers != null) {
            props.put("bootstrap.servers", bootstrapServers);
        }
        if (!props.containsKey("bootstrap.servers")) {
            throw new IllegalArgumentException("Kafka needs --bootstrap-servers (or bootstrap.servers in --client-config)");
        }
        if (partitions < 1) {
            throw new IllegalArgumentException("--model-topic-partitions must be >= 1, got " + partitions);
        }
        return props;
    }

    /** The model topic these options name. */
    public String modelTopic() {
        return modelTopic;
    }

    /** A publisher for the model topic these options name; the caller closes it. */
    public ModelPublisher publisher() {
        return new ModelPublisher(clientProperties(), modelTopic, timeout(), transactionalIdPrefix,
                java.time.Clock.systemUTC());
    }

    /** Creates or checks the topic, then publishes the model as its id's next version; reports on {@code out}. */
    public ModelPublisher.Published publish(LogisticModel model, PrintWriter out) throws ModelPublisher.PublishException {
        Properties props = clientProperties();
        try (ModelPublisher publisher = publisher()) {
            publisher.ensureCompactedTopic(partitions, Optional.ofNullable(replication));
            ModelPublisher.Published published = publisher.publish(model, challenger);
            out.printf("published model '%s' version %d to topic '%s' (partition %d, offset %d) at %s%n",
                    published.model().modelId(), published.model().version(), modelTopic, published.partition(),
                    published.offset(), props.get("bootstrap.servers"));
            if (challenger) {
                out.printf("version %d is a challenger: shadow-scored, not served (promote it with: trainer models "
                        + "promote --model-id %s --version %d)%n", published.model().version(),
                        published.model().modelId(), published.model().version());
            }
            return published;
        }
    }
}
