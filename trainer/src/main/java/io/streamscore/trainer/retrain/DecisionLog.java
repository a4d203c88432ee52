package io.streamscore.trainer.retrain;

import io.streamscore.trainer.kafka.TopicSnapshot;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The decisions topic: one JSON record per retraining decision ({@link DecisionJson}), key the model id, timestamp the
 * decision's time. Created when missing with one partition (the decisions of a model stay in order) and the broker's
 * default replication and retention: it is a history, not a state, so it is not compacted.
 */
public final class DecisionLog {
    private static final Logger LOG = LoggerFactory.getLogger(DecisionLog.class);

    private final Properties client;
    private final String topic;
    private final Duration timeout;

    public DecisionLog(Properties client, String topic, Duration timeout) {
        this.client = client;
        this.topic = topic;
        this.timeout = timeout;
    }

    public String topic() {
        return topic;
    }

    /** Where a decision landed. */
    public record Written(int partition, long offset) {
    }

    /**
     * Creates the topic if missing and writes the decision (acks=all, idempotent).
     *
     * @throws RecordException when the broker does not take it within the timeout
     */
    public Written write(Decision d) throws RecordException {
        ensureTopic();
        Properties props = new Properties();
        props.putAll(client);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        long ms = timeout.toMillis();
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(ms));
        props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(ms, 30_000)));
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.max(ms, Math.min(ms, 30_000) + 1)));
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            RecordMetadata m = producer.send(new ProducerRecord<>(topic, null, d.decidedAt().toEpochMilli(),
                    d.modelId().getBytes(StandardCharsets.UTF_8), DecisionJson.toBytes(d)))
                    .get(ms + 5_000, TimeUnit.MILLISECONDS);
            return new Written(m.partition(), m.offset());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecordException("interrupted while writing the decision to '" + topic + "'", e);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new RecordException("writing the decision to topic '" + topic + "' failed: " + cause, cause);
        }
    }

    private void ensureTopic() throws RecordException {
        Properties props = new Properties();
        props.putAll(client);
        props.putIfAbsent("default.api.timeout.ms", Long.toString(timeout.toMillis()));
        props.putIfAbsent("request.timeout.ms", Long.toString(Math.min(timeout.toMillis(), 30_000)));
        try (Admin admin = Admin.create(props)) {
            if (admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS).contains(topic)) {
                return;
            }
            try {
                admin.createTopics(List.of(new NewTopic(topic, Optional.of(1), Optional.empty())))
                        .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                LOG.info("created decisions topic '{}' (1 partition)", topic);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RecordException("interrupted while creating topic '" + topic + "'", e);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new RecordException("checking or creating the decisions topic '" + topic + "' failed: " + cause,
                    cause);
        }
    }

    /**
     * What earlier decisions for a model say a watch must not do again.
     *
     * @param driftWindowEndMs the newest drift window a decision was made for; Long.MIN_VALUE for none
     * @param publishedVersion the highest version published as champion; 0 for none
     */
    public record History(long driftWindowEndMs, long publishedVersion) {
        public static final History NONE = new History(Long.MIN_VALUE, 0);
    }

    /**
     * Reads the topic (a snapshot to its end) for the model's decisions; records that are not decisions are skipped.
     * A topic that does not exist yet holds none.
     *
     * @throws RecordException when the broker does not answer
     */
    public History history(String modelId) throws RecordException {
        long[] drift = {Long.MIN_VALUE};
        long[] published = {0};
        long[] unreadable = {0};
        try {
            TopicSnapshot.read(client, topic, timeout, r -> {
                Decision d;
                try {
                    d = DecisionJson.fromBytes(r.value());
                } catch (IllegalArgumentException e) {
                    unreadable[0]++;
                    return;
                }
                if (!d.modelId().equals(modelId)) {
                    return;
                }
                if (d.driftWindowEndMs() != null) {
                    drift[0] = Math.max(drift[0], d.driftWindowEndMs());
                }
                if (d.kind() == Decision.Kind.PUBLISHED) {
                    published[0] = Math.max(published[0], d.candidateVersion());
                }
            }, n -> { });
        } catch (UnknownTopicOrPartitionException e) {
            return History.NONE;
        } catch (KafkaException e) {
            throw new RecordException("reading the decisions topic '" + topic + "' failed: " + e, e);
        }
        if (unreadable[0] > 0) {
            LOG.warn("decisions topic '{}': {} records are not decisions; skipped", topic, unreadable[0]);
        }
        return new History(drift[0], published[0]);
    }

    /** Reading or writing the decisions topic failed; the message says what and why. */
    public static final class RecordException extends Exception {
        private static final long serialVersionUID = 1L;

        public RecordException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
