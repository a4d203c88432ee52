package io.streamscore.demo;

import io.streamscore.devkit.EmbeddedKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The Kafka cluster the demo runs against: the devkit's embedded single-node KRaft broker (started here, closed with
 * this object) or an existing cluster given by its bootstrap servers and client properties (left untouched on close).
 */
final class Cluster implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final EmbeddedKafkaBroker broker;
    private final Properties client;

    private Cluster(EmbeddedKafkaBroker broker, Properties client) {
        this.broker = broker;
        this.client = client;
    }

    /** Starts a broker on 127.0.0.1 (free port, temp data dir deleted on close). */
    static Cluster embedded() {
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start();
        Properties client = new Properties();
        client.put("bootstrap.servers", broker.bootstrapServers());
        return new Cluster(broker, client);
    }

    /** An existing cluster; {@code clientProperties} may carry security settings. */
    static Cluster external(String bootstrapServers, Properties clientProperties) {
        Properties client = new Properties();
        client.putAll(clientProperties);
        client.put("bootstrap.servers", bootstrapServers);
        return new Cluster(null, client);
    }

    boolean isEmbedded() {
        return broker != null;
    }

    String bootstrapServers() {
        return client.getProperty("bootstrap.servers");
    }

    /** Bootstrap servers plus every client property given; a fresh copy each time. */
    Properties clientProperties() {
        Properties p = new Properties();
        p.putAll(client);
        return p;
    }

    /**
     * Creates the topics that do not exist yet, with {@code partitions} partitions and the cluster's default
     * replication factor; existing topics are used as they are.
     *
     * @return the topics created
     */
    List<String> ensureTopics(List<String> names, int partitions) throws InterruptedException {
        Properties props = clientProperties();
        props.putIfAbsent("default.api.timeout.ms", Long.toString(TIMEOUT.toMillis()));
        try (Admin admin = Admin.create(props)) {
            Set<String> existing = admin.listTopics().names().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            List<NewTopic> missing = new ArrayList<>();
            for (String name : names) {
                if (!existing.contains(name)) {
                    missing.add(new NewTopic(name, Optional.of(partitions), Optional.empty()));
                }
            }
            List<String> created = new ArrayList<>();
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    created.add(entry.getKey());
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    // Created concurrently by another client: use it.
                }
            }
            return created;
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create topics " + names + " on " + bootstrapServers() + ": "
                    + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("no answer from " + bootstrapServers() + " within " + TIMEOUT.toSeconds()
                    + " s while creating topics; is the address right?", e);
        }
    }

    /** Stops the embedded broker (clean shutdown, temp data deleted); nothing for an external cluster. */
    @Override
    public void close() {
        if (broker != null) {
            broker.close();
        }
    }
}
