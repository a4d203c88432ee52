package io.streamscore.trainer.kafka;

import io.streamscore.common.InvalidModelException;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Puts a model on the compacted model topic, keyed by model id, as version (latest version on the topic for that id) + 1.
 *
 * <p>The topic is created compacted when missing; an existing topic that is not compacted is refused, because
 * retention would eventually delete the only copy of a model the scorers need. The producer is idempotent with
 * {@code acks=all}. Two trainers publishing the same id at the same moment can pick the same version; the scorer then
 * keeps the first and rejects the second as not newer (documented).
 */
public final class ModelPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelPublisher.class);

    private final Properties client;
    private final String topic;
    private final Duration timeout;
    private final Admin admin;

    /**
     * @param client  bootstrap servers and any client property (security, timeouts)
     * @param timeout how long any one broker operation may take before publishing fails
     */
    public ModelPublisher(Properties client, String topic, Duration timeout) {
        this.client = client;
        this.topic = topic;
        this.timeout = timeout;
        Properties adminProps = new Properties();
        adminProps.putAll(client);
        adminProps.putIfAbsent("default.api.timeout.ms", Long.toString(timeout.toMillis()));
        adminProps.putIfAbsent("request.timeout.ms", Long.toString(Math.min(timeout.toMillis(), 30_000)));
        this.admin = Admin.create(adminProps);
    }

    /** Creates the topic compacted if missing; refuses one that exists without compaction. */
    public void ensureCompactedTopic(int partitions, Optional<Short> replicationFactor) throws PublishException {
        try {
            boolean exists = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS).contains(topic);
            if (!exists) {
                NewTopic newTopic = new NewTopic(topic, Optional.of(partitions), replicationFactor)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                try {
                    admin.createTopics(List.of(newTopic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    LOG.info("created compacted model topic '{}' ({} partitions, replication {})", topic, partitions,
                            replicationFactor.map(String::valueOf).orElse("broker default"));
                    return;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    // Created concurrently by someone else: check it like any existing topic.
                }
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .get(resource);
            ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            String value = policy == null ? "delete" : policy.value();
            if (!value.contains(TopicConfig.CLEANUP_POLICY_COMPACT)) {
                throw new PublishException("model topic '" + topic + "' exists with cleanup.policy=" + value
                        + "; it must be compacted (cleanup.policy=compact) or old models would be deleted by retention."
                        + " Fix: kafka-configs --alter --entity-type topics --entity-name " + topic
                        + " --add-config cleanup.policy=compact, or publish to another --model-topic");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while checking model topic '" + topic + "'", e);
        } catch (ExecutionException | TimeoutException e) {
            throw failure("checking model topic '" + topic + "'", e);
        }
    }

    /**
     * The highest version of {@code modelId} on the topic, reading every partition from the start to the end
     * offsets taken now. Records that are not valid models are skipped (the scorer rejects them too).
     */
    public Optional<Long> latestVersion(String modelId) throws PublishException {
        byte[] key = modelId.getBytes(StandardCharsets.UTF_8);
        long[] latest = {Long.MIN_VALUE};
        try {
            TopicSnapshot.read(client, topic, timeout, r -> {
                if (r.value() == null || !java.util.Arrays.equals(key, r.key())) {
                    return;
                }
                try {
                    latest[0] = Math.max(latest[0], ModelJson.fromBytes(r.value()).version());
                } catch (InvalidModelException e) {
                    LOG.warn("skipping unreadable model record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(),
                            e.getMessage());
                }
            }, n -> { });
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new PublishException("timed out after " + timeout.toSeconds() + " s reading model topic '" + topic
                    + "' (is the broker at " + client.get("bootstrap.servers") + " reachable?): " + e.getMessage(), e);
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new PublishException("cannot read model topic '" + topic + "': " + e.getMessage(), e);
        }
        return latest[0] == Long.MIN_VALUE ? Optional.empty() : Optional.of(latest[0]);
    }

    /** Publishes {@code model} as the next version of its id and returns it as published. */
    public Published publish(LogisticModel model) throws PublishException {
        long version = latestVersion(model.modelId()).map(v -> v + 1).orElse(1L);
        LogisticModel versioned = model.withVersion(version);
        Properties props = new Properties();
        props.putAll(client);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, org.apache.kafka.common.serialization.ByteArraySerializer.class.getName());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        long ms = timeout.toMillis();
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(ms));
        props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(ms, 30_000)));
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.max(ms, Math.min(ms, 30_000) + 1)));
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props)) {
            byte[] value = ModelJson.toCompactJson(versioned).getBytes(StandardCharsets.UTF_8);
            RecordMetadata meta = producer.send(new ProducerRecord<>(topic, versioned.modelId(), value))
                    .get(ms + 5_000, TimeUnit.MILLISECONDS);
            LOG.info("published model '{}' version {} to {}-{}@{}", versioned.modelId(), version, meta.topic(),
                    meta.partition(), meta.offset());
            return new Published(versioned, meta.partition(), meta.offset());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while publishing", e);
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
            throw failure("publishing model '" + model.modelId() + "' version " + version + " to '" + topic + "'", e);
        }
    }

    private PublishException failure(String what, Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        String reason = cause instanceof TimeoutException || cause instanceof org.apache.kafka.common.errors.TimeoutException
                ? "no answer within " + timeout.toSeconds() + " s (is the broker at " + client.get("bootstrap.servers")
                + " reachable?)"
                : cause instanceof UnknownTopicOrPartitionException ? "the topic does not exist"
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return new PublishException(what + " failed: " + reason, cause);
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }

    /** A model as it landed on the topic. */
    public record Published(LogisticModel model, int partition, long offset) {
    }

    /** Publishing failed; the message says what and why. */
    public static final class PublishException extends Exception {
        private static final long serialVersionUID = 1L;

        public PublishException(String message) {
            super(message);
        }

        public PublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
