package io.streamscore.scorer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaClientSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Kafka's own clients (as Kafka Streams' default supplier makes them), except that under exactly-once each stream
 * thread's producer gets the transactional id {@code <application.id>-<instance id>-<thread index>} instead of Kafka
 * Streams' {@code <application.id>-<process id>-<thread index>}.
 *
 * <p>Why: Kafka Streams (4.2 to 4.4) keeps its process id only in a state directory, and only when the topology has a
 * persistent store ({@code StateDirectory.initializeProcessId}); the scorer's model store is in memory, so every start
 * draws a new random process id and with it new transactional ids. A restarted instance then cannot fence the open
 * transaction of the instance that was killed, and {@code read_committed} readers of the scores (and the restarted
 * instance's own offset fetch) wait until the broker aborts it after {@code transaction.timeout.ms}. With a stable id
 * per instance the restarted instance's {@code initTransactions} aborts that transaction at once.
 *
 * <p>The instance id must be unique among running instances, which static membership demands anyway: two live
 * instances with the same id would fence each other's producers.
 */
final class StableTransactionalIds implements KafkaClientSupplier {
    private static final Logger log = LoggerFactory.getLogger(StableTransactionalIds.class);
    /** What Kafka Streams (4.2 to 4.4) builds in ActiveTaskCreator: application id, process UUID, thread index. */
    private static final Pattern STREAMS_FORMAT = Pattern.compile(
            "-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}-(\\d+)");

    private final String applicationId;
    private final String instanceId;

    StableTransactionalIds(String applicationId, String instanceId) {
        this.applicationId = applicationId;
        this.instanceId = instanceId;
    }

    /**
     * {@code <applicationId>-<instanceId>-<thread index>} for a Kafka Streams transactional id of this application;
     * any other id (a future format) is returned unchanged, so fencing falls back to the transaction timeout rather
     * than the scorer failing.
     */
    static String stable(String streamsTransactionalId, String applicationId, String instanceId) {
        if (streamsTransactionalId.startsWith(applicationId)) {
            Matcher m = STREAMS_FORMAT.matcher(streamsTransactionalId.substring(applicationId.length()));
            if (m.matches()) {
                return applicationId + "-" + instanceId + "-" + m.group(1);
            }
        }
        return streamsTransactionalId;
    }

    @Override
    public Admin getAdmin(Map<String, Object> config) {
        return Admin.create(config);
    }

    @Override
    public Producer<byte[], byte[]> getProducer(Map<String, Object> config) {
        Object id = config.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG);
        if (id != null) {
            String stable = stable(id.toString(), applicationId, instanceId);
            if (stable.equals(id.toString())) {
                log.warn("Transactional id {} is not in the form <application.id>-<process id>-<thread>; kept as is, so a "
                        + "restart will not fence this producer's open transaction", id);
            } else {
                log.info("Transactional id {} (instead of {}), stable across restarts of instance {}", stable, id, instanceId);
            }
            Map<String, Object> withStable = new HashMap<>(config);
            withStable.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, stable);
            config = withStable;
        }
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Override
    public Consumer<byte[], byte[]> getConsumer(Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public Consumer<byte[], byte[]> getRestoreConsumer(Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    @Override
    public Consumer<byte[], byte[]> getGlobalConsumer(Map<String, Object> config) {
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }
}
