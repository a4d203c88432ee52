package io.streamscore.trainer.kafka;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.kafka.ClientProperties;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/** The options that say where and how to publish a model; shared by {@code train --publish} and {@code publish}. */
public final class PublishOptions {

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Kafka brokers to publish to / read --data-topic from (also settable as bootstrap.servers in --client-config).")
    String bootstrapServers;

    // No picocli defaults on the three renamed options: the old, hidden names (below) must be able to set them.
    @Option(names = "--models-topic", paramLabel = "TOPIC",
            description = "Compacted topic the scorers read models from (the scorer's --models-topic); created (compacted)"
                    + " when missing. Default: " + DEFAULT_MODELS_TOPIC + ".")
    String modelTopic;

    @Option(names = "--models-topic-partitions", paramLabel = "N",
            description = "Partitions when the model topic has to be created. Default: 1.")
    Integer partitions;

    @Option(names = "--models-topic-replication", paramLabel = "N",
            description = "Replication factor when the model topic has to be created (default: the broker's default.replication.factor).")
    Short replication;

    // The names before the vocabulary the scorer and the demo share was adopted: hidden, working for one more release,
    // with a note on stderr (TrainerCli.RENAMED).
    @Option(names = "--model-topic", paramLabel = "TOPIC", hidden = true)
    String oldModelTopic;

    @Option(names = "--model-topic-partitions", paramLabel = "N", hidden = true)
    Integer oldPartitions;

    @Option(names = "--model-topic-replication", paramLabel = "N", hidden = true)
    Short oldReplication;

    @Option(names = "--transactional-id-prefix", paramLabel = "PREFIX", defaultValue = ModelPublisher.DEFAULT_TRANSACTIONAL_ID_PREFIX,
            description = "Every write for model id ID is a Kafka transaction with transactional.id PREFIX+ID, which fences concurrent publishers of the same id (grant WRITE on this prefix).")
    String transactionalIdPrefix;

    @Option(names = "--client-config", paramLabel = "FILE",
            description = "Properties file with any Kafka client setting (security.protocol, sasl.*, ssl.*, timeouts), as Kafka's own tools take.")
    Path clientConfig;

    @Option(names = "--challenger",
            description = "Publish the new version as a challenger: the scorers shadow-score every event of the id with it (to the shadow topic) and keep serving the current version, until 'trainer models promote'.")
    boolean challenger;

    @Option(names = "--kafka-timeout", paramLabel = "SECONDS",
            description = "How long to wait for the brokers before reading or publishing fails (a trained model file is"
                    + " kept either way). Default: 30.")
    Long timeoutSeconds;

    @Option(names = "--publish-timeout", paramLabel = "SECONDS", hidden = true)
    Long oldTimeoutSeconds;

    /** The model topic's default name, the scorer's too. */
    public static final String DEFAULT_MODELS_TOPIC = "models";

    private static <T> T given(T current, T old, T fallback) {
        return current != null ? current : old != null ? old : fallback;
    }

    /** How long any one broker operation may take. */
    public Duration timeout() {
        return Duration.ofSeconds(given(timeoutSeconds, oldTimeoutSeconds, 30L));
    }

    /**
     * The client properties: the --client-config file, then --bootstrap-servers on top. Every property of the file
     * that a Kafka client defines is checked against Kafka's own definition (its type and allowed values), so a bad
     * value is a usage error naming the property now rather than a failure of the client later; a secret's value is
     * never repeated ({@link ClientProperties#isSecret}).
     *
     * @throws IllegalArgumentException naming the option or property that is wrong
     */
    public Properties clientProperties() {
        Properties props = clientConfig == null ? new Properties() : ClientProperties.load(clientConfig);
        if (clientConfig != null) {
            Map<String, String> file = new LinkedHashMap<>();
            props.stringPropertyNames().forEach(k -> file.put(k, props.getProperty(k)));
            try {
                ClientProperties.requireValid(file, List.of(), ClientProperties.CLIENT_DEFINITIONS);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--client-config " + clientConfig + ": " + e.getMessage());
            }
        }
        if (bootstrapServers != null) {
            props.put("bootstrap.servers", bootstrapServers);
        }
        if (!props.containsKey("bootstrap.servers")) {
            throw new IllegalArgumentException("Kafka needs --bootstrap-servers (or bootstrap.servers in --client-config)");
        }
        atLeastOne("--models-topic-partitions", partitions());
        Short replicas = given(replication, oldReplication, null);
        if (replicas != null) {
            atLeastOne("--models-topic-replication", replicas);
        }
        atLeastOne("--kafka-timeout", given(timeoutSeconds, oldTimeoutSeconds, 30L));
        return props;
    }

    private static void atLeastOne(String option, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(option + " is '" + value + "'; must be an integer >= 1");
        }
    }

    /** The model topic these options name. */
    public String modelTopic() {
        return given(modelTopic, oldModelTopic, DEFAULT_MODELS_TOPIC);
    }

    private int partitions() {
        return given(partitions, oldPartitions, 1);
    }

    /** A publisher for the model topic these options name; the caller closes it. */
    public ModelPublisher publisher() {
        return new ModelPublisher(clientProperties(), modelTopic(), timeout(), transactionalIdPrefix,
                java.time.Clock.systemUTC());
    }

    /** Whether {@code --challenger} was given. */
    public boolean challenger() {
        return challenger;
    }

    /** Creates or checks the topic, then publishes the model as its id's next version; reports on {@code out}. */
    public ModelPublisher.Published publish(LogisticModel model, PrintWriter out) throws ModelPublisher.PublishException {
        return publish(model, challenger, out);
    }

    /**
     * Creates or checks the topic, then publishes the model as its id's next version, as a challenger when
     * {@code challenger} (whatever {@code --challenger} says); reports on {@code out}.
     */
    public ModelPublisher.Published publish(LogisticModel model, boolean challenger, PrintWriter out)
            throws ModelPublisher.PublishException {
        Properties props = clientProperties();
        try (ModelPublisher publisher = publisher()) {
            publisher.ensureCompactedTopic(partitions(), Optional.ofNullable(given(replication, oldReplication, null)));
            ModelPublisher.Published published = publisher.publish(model, challenger);
            out.printf("published model '%s' version %d to topic '%s' (partition %d, offset %d) at %s%n",
                    published.model().modelId(), published.model().version(), modelTopic(), published.partition(),
                    published.offset(), props.get("bootstrap.servers"));
            String change = published.featureChange();
            if (change != null) {
                out.println("warning: " + change);
            }
            if (challenger) {
                out.printf("version %d is a challenger: shadow-scored, not served (promote it with: trainer models "
                        + "promote --model-id %s --version %d)%n", published.model().version(),
                        published.model().modelId(), published.model().version());
            }
            return published;
        }
    }
}
