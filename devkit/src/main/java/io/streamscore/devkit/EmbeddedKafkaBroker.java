package io.streamscore.devkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Pattern;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker and controller) running in this JVM, bound to
 * 127.0.0.1 on ephemeral ports, for integration tests, the demo and {@link EmbeddedKafkaMain}.
 *
 * <p>It formats its storage with Kafka's own {@link Formatter} (what {@code kafka-storage.sh format} runs, without
 * {@code StorageTool.main}'s {@code System.exit}) and runs {@link KafkaRaftServer}, the class {@code kafka.Kafka}
 * starts. Settings are the ones a single KRaft node needs (replication factors and min ISR 1). {@link #stop()} and
 * {@link #restart()} keep the ports and the data, so a test can take the broker away and bring it back under a
 * running client. The data directory is a temp directory deleted on {@link #close()}, unless the caller gave one.
 *
 * <pre>{@code
 * try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
 *     kafka.createTopic("models", 1, Map.of("cleanup.policy", "compact"));
 *     producerProps.put("bootstrap.servers", kafka.bootstrapServers());
 * }
 * }</pre>
 */
public final class EmbeddedKafkaBroker implements AutoCloseable {

    /** The listener clients use unless they ask for another one by name. */
    public static final String PLAINTEXT_LISTENER = "PLAINTEXT";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    private static final String HOST = "127.0.0.1";
    private static final Pattern LISTENER_NAME = Pattern.compile("[A-Z][A-Z0-9_]*");
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

    private final Properties config;
    private final Map<String, Integer> listenerPorts;
    private final Path dataDir;
    private final boolean deleteDataDirOnClose;
    private final Duration startTimeout;
    private final String clusterId;

    private KafkaRaftServer server;
    private boolean closed;

    private EmbeddedKafkaBroker(Builder builder, Map<String, Integer> listenerPorts, Path dataDir,
                                boolean deleteDataDirOnClose) {
        this.listenerPorts = Map.copyOf(listenerPorts);
        this.dataDir = dataDir;
        this.deleteDataDirOnClose = deleteDataDirOnClose;
        this.startTimeout = builder.startTimeout;
        this.clusterId = Uuid.randomUuid().toString();
        this.config = brokerConfig(builder, listenerPorts, dataDir);
    }

    /** Starts a broker with the defaults: one PLAINTEXT listener, temp data dir, ephemeral ports. */
    public static EmbeddedKafkaBroker start() {
        return builder().start();
    }

    /** A builder for extra listeners, broker properties, a fixed port or a data dir that outlives the broker. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@code 127.0.0.1:PORT} of the PLAINTEXT listener, for {@code bootstrap.servers}. */
    public String bootstrapServers() {
        return bootstrapServers(PLAINTEXT_LISTENER);
    }

    /** {@code 127.0.0.1:PORT} of the named listener (one declared with {@link Builder#withListener}). */
    public String bootstrapServers(String listenerName) {
        Integer port = listenerPorts.get(listenerName);
        if (port == null) {
            throw new IllegalArgumentException("no listener named '" + listenerName + "'; listeners are "
                    + listenerPorts.keySet());
        }
        return HOST + ":" + port;
    }

    /** The port of the PLAINTEXT listener. */
    public int port() {
        return listenerPorts.get(PLAINTEXT_LISTENER);
    }

    /** Where the log and metadata directories live. */
    public Path dataDir() {
        return dataDir;
    }

    /** True between a successful start/restart and the next stop/close. */
    public synchronized boolean isRunning() {
        return server != null;
    }

    /**
     * Stops the broker cleanly (controlled shutdown, so the next start runs no log recovery), keeping its ports
     * and data for {@link #restart()}. Does nothing when it is not running.
     */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        KafkaRaftServer stopping = server;
        server = null;
        long startNanos = System.nanoTime();
        stopping.shutdown();
        stopping.awaitShutdown();
        LOG.debug("Broker {} stopped in {} ms", bootstrapServers(), elapsedMillis(startNanos));
    }

    /**
     * Starts the broker again after {@link #stop()}, on the same ports and the same data, and waits until it
     * answers. Clients that kept running reconnect by themselves.
     */
    public synchronized void restart() {
        if (closed) {
            throw new IllegalStateException("broker " + bootstrapServers() + " is closed; start a new one");
        }
        if (server != null) {
            throw new IllegalStateException("broker " + bootstrapServers() + " is running; stop() it first");
        }
        startServer();
    }

    /**
     * Creates a topic (replication factor 1) and waits until every partition has a leader, so producers and
     * consumers can use it at once.
     *
     * @param configs topic configs such as {@code cleanup.policy=compact}; may be empty
     */
    public void createTopic(String name, int partitions, Map<String, String> configs) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(configs, "configs");
        if (partitions < 1) {
            throw new IllegalArgumentException("partitions must be >= 1, was " + partitions + " for topic " + name);
        }
        try (Admin admin = admin()) {
            NewTopic topic = new NewTopic(name, partitions, (short) 1).configs(configs);
            admin.createTopics(List.of(topic)).all().get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            awaitLeaders(admin, name, partitions);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not create topic " + name + " on " + bootstrapServers()
                    + ": " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("topic " + name + " was not created on " + bootstrapServers()
                    + " within " + startTimeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        }
    }

    /**
     * An Admin client on the PLAINTEXT listener; the caller closes it. Extra client properties (for example a
     * short {@code default.api.timeout.ms}) override the defaults.
     */
    public Admin admin(Map<String, Object> overrides) {
        Map<String, Object> props = new LinkedHashMap<>();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(AdminClientConfig.CLIENT_ID_CONFIG, "devkit-admin");
        props.putAll(overrides);
        return Admin.create(props);
    }

    /** An Admin client on the PLAINTEXT listener with default settings; the caller closes it. */
    public Admin admin() {
        return admin(Map.of());
    }

    /** Stops the broker and deletes the temp data dir (a caller-given dir is kept). Safe to call twice. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            stop();
        } finally {
            if (deleteDataDirOnClose) {
                deleteQuietly(dataDir);
            }
        }
    }

    @Override
    public String toString() {
        return "EmbeddedKafkaBroker[" + listenerPorts + ", dataDir=" + dataDir + "]";
    }

    private void format() {
        // The Formatter prints "Formatting ..." lines; keep them for the error message only.
        ByteArrayOutputStream formatterOutput = new ByteArrayOutputStream();
        // Same directories the broker will use: log.dirs (one by default) and metadata.log.dir if overridden.
        List<String> dirs = new ArrayList<>();
        for (String dir : config.getProperty("log.dirs").split(",")) {
            dirs.add(dir.strip());
        }
        String metadataDir = config.getProperty("metadata.log.dir", dirs.get(0));
        // A caller-given dir formatted by an earlier run keeps its cluster id, topics and offsets. (The
        // Formatter's ignoreFormatted still insists on the same cluster id, so skip it altogether.)
        List<String> all = new ArrayList<>(dirs);
        all.add(metadataDir);
        if (all.stream().allMatch(dir -> Files.exists(Path.of(dir, "meta.properties")))) {
            LOG.debug("Kafka storage in {} is already formatted; reusing it", dataDir);
            return;
        }
        Formatter formatter = new Formatter()
                .setPrintStream(new PrintStream(formatterOutput, true, StandardCharsets.UTF_8))
                .setNodeId(Integer.parseInt(config.getProperty("node.id")))
                .setClusterId(clusterId)
                .setDirectories(dirs)
                .setMetadataLogDirectory(metadataDir)
                .setControllerListenerName(CONTROLLER_LISTENER)
                .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION);
        try {
            formatter.run();
        } catch (Exception e) {
            throw new IllegalStateException("could not format Kafka storage in " + dataDir + ": " + e
                    + "; formatter said: " + formatterOutput.toString(StandardCharsets.UTF_8).strip(), e);
        }
    }

    private synchronized void startServer() {
        long startNanos = System.nanoTime();
        KafkaRaftServer starting = new KafkaRaftServer(KafkaConfig.fromProps(config, false), Time.SYSTEM);
        try {
            starting.startup();
            awaitReady();
        } catch (RuntimeException e) {
            starting.shutdown();
            starting.awaitShutdown();
            throw e;
        }
        server = starting;
        LOG.debug("Broker {} ready in {} ms", bootstrapServers(), elapsedMillis(startNanos));
    }

    /** Ready means a describeCluster round trip on the client listener returns this node. */
    private void awaitReady() {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        Exception last = null;
        try (Admin admin = admin(Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000,
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000))) {
            while (System.nanoTime() < deadline) {
                try {
                    int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(2_000))
                            .nodes().get(2, TimeUnit.SECONDS).size();
                    if (nodes == 1) {
                        return;
                    }
                    last = new IllegalStateException("describeCluster returned " + nodes + " nodes, expected 1");
                } catch (ExecutionException e) {
                    last = e;
                } catch (TimeoutException e) {
                    last = e;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for broker " + bootstrapServers(), e);
        }
        throw new IllegalStateException("Kafka broker on " + bootstrapServers() + " (data " + dataDir
                + ") did not answer describeCluster within " + startTimeout + "; last error: " + last, last);
    }

    private void awaitLeaders(Admin admin, String topic, int partitions)
            throws InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        String seen = "nothing yet";
        while (System.nanoTime() < deadline) {
            try {
                TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(2, TimeUnit.SECONDS).get(topic);
                List<TopicPartitionInfo> infos = description.partitions();
                long led = infos.stream().filter(p -> p.leader() != null && !p.leader().isEmpty()).count();
                if (infos.size() == partitions && led == partitions) {
                    return;
                }
                seen = infos.size() + " partitions, " + led + " with a leader";
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    seen = e.getCause().toString();
                }
            } catch (TimeoutException e) {
                seen = e.toString();
            }
            // Poll interval, not a guess at a duration: metadata reaches a single node within milliseconds.
            TimeUnit.MILLISECONDS.sleep(20);
        }
        throw new TimeoutException("topic " + topic + ": expected " + partitions
                + " partitions with a leader within " + startTimeout + ", saw " + seen);
    }

    private static Properties brokerConfig(Builder builder, Map<String, Integer> ports, Path dataDir) {
        Properties props = new Properties();
        props.put("process.roles", "broker,controller");
        props.put("node.id", Integer.toString(builder.nodeId));
        int controllerPort = ports.get(CONTROLLER_LISTENER);
        props.put("controller.quorum.voters", builder.nodeId + "@" + HOST + ":" + controllerPort);
        props.put("controller.listener.names", CONTROLLER_LISTENER);
        props.put("inter.broker.listener.name", PLAINTEXT_LISTENER);

        List<String> listeners = new ArrayList<>();
        List<String> advertised = new ArrayList<>();
        List<String> protocols = new ArrayList<>();
        for (Map.Entry<String, Integer> e : ports.entrySet()) {
            String name = e.getKey();
            String address = name + "://" + HOST + ":" + e.getValue();
            listeners.add(address);
            if (!name.equals(CONTROLLER_LISTENER)) {
                advertised.add(address);
            }
            protocols.add(name + ":" + builder.listenerProtocols.get(name).name());
        }
        props.put("listeners", String.join(",", listeners));
        props.put("advertised.listeners", String.join(",", advertised));
        props.put("listener.security.protocol.map", String.join(",", protocols));

        props.put("log.dirs", dataDir.resolve("logs").toString());
        // Single node: every internal topic with one replica, or they never get created.
        props.put("offsets.topic.replication.factor", "1");
        props.put("offsets.topic.num.partitions", "1");
        props.put("transaction.state.log.replication.factor", "1");
        props.put("transaction.state.log.min.isr", "1");
        props.put("transaction.state.log.num.partitions", "1");
        props.put("share.coordinator.state.topic.replication.factor", "1");
        props.put("share.coordinator.state.topic.min.isr", "1");
        props.put("default.replication.factor", "1");
        props.put("min.insync.replicas", "1");
        // Else every first consumer group waits 3 s before its first assignment.
        props.put("group.initial.rebalance.delay.ms", "0");
        // Tests and the demo create topics explicitly; a typo must fail, not create a topic.
        props.put("auto.create.topics.enable", "false");
        // Few threads: two cores are shared with the apps under test.
        props.put("num.network.threads", "2");
        props.put("num.io.threads", "2");
        props.put("background.threads", "2");
        props.put("log.cleaner.threads", "1");
        props.put("num.recovery.threads.per.data.dir", "1");
        // Lets the log cleaner compact tests' small segments without waiting for the default 7 days of dirt.
        props.put("log.cleaner.backoff.ms", "1000");
        props.putAll(builder.brokerProperties);
        return props;
    }

    private static int freePort() {
        // Bind, read the port, release: a small race with other processes, acceptable on a dev machine and CI.
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(HOST), 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + HOST, e);
        }
    }

    private static void deleteQuietly(Path dir) {
        try {
            Utils.delete(dir.toFile());
        } catch (IOException e) {
            LOG.warn("Could not delete Kafka data dir {}", dir, e);
        }
    }

    private static long elapsedMillis(long startNanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    /** Options for a broker; {@link #start()} formats the storage, starts it and waits until it answers. */
    public static final class Builder {
        private final Map<String, String> brokerProperties = new LinkedHashMap<>();
        private final Map<String, SecurityProtocol> listenerProtocols = new LinkedHashMap<>();
        private final Map<String, Integer> fixedPorts = new LinkedHashMap<>();
        private Path dataDir;
        private int nodeId = 1;
        private Duration startTimeout = Duration.ofSeconds(60);

        private Builder() {
            listenerProtocols.put(PLAINTEXT_LISTENER, SecurityProtocol.PLAINTEXT);
            listenerProtocols.put(CONTROLLER_LISTENER, SecurityProtocol.PLAINTEXT);
        }

        /**
         * Sets any broker property, overriding the single-node defaults, e.g. {@code sasl.enabled.mechanisms} or
         * {@code authorizer.class.name}. Applied last, so it also wins over generated listener settings.
         */
        public Builder withBrokerProperty(String key, String value) {
            brokerProperties.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Declares an extra client listener on 127.0.0.1 and an ephemeral port, e.g.
         * {@code withListener("SASL_PLAINTEXT", SecurityProtocol.SASL_PLAINTEXT)}; find its address with
         * {@link EmbeddedKafkaBroker#bootstrapServers(String)}. Its per-listener settings (JAAS config,
         * mechanisms) go in with {@link #withBrokerProperty}.
         */
        public Builder withListener(String name, SecurityProtocol protocol) {
            Objects.requireNonNull(protocol, "protocol");
            if (name == null || !LISTENER_NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("listener name must be upper case letters, digits and _, was '"
                        + name + "'");
            }
            if (listenerProtocols.containsKey(name)) {
                throw new IllegalArgumentException("listener " + name + " is already declared");
            }
            listenerProtocols.put(name, protocol);
            return this;
        }

        /** A fixed port for the PLAINTEXT listener instead of an ephemeral one (0 means ephemeral). */
        public Builder withPort(int port) {
            return withListenerPort(PLAINTEXT_LISTENER, port);
        }

        /** A fixed port for a declared listener, or {@code CONTROLLER}; 0 means ephemeral. */
        public Builder withListenerPort(String name, int port) {
            if (!listenerProtocols.containsKey(name)) {
                throw new IllegalArgumentException("no listener named '" + name + "'; declare it with withListener");
            }
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be in 0..65535, was " + port + " for " + name);
            }
            fixedPorts.put(name, port);
            return this;
        }

        /**
         * Keeps the data in this directory (created when missing) and leaves it on close; a directory formatted by
         * an earlier broker is reused with its topics and offsets.
         */
        public Builder withDataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** The KRaft node id; 1 unless a caller-given data dir was formatted with another. */
        public Builder withNodeId(int id) {
            if (id < 0) {
                throw new IllegalArgumentException("node id must be >= 0, was " + id);
            }
            this.nodeId = id;
            return this;
        }

        /** How long start/restart and createTopic wait before failing; 60 s by default. */
        public Builder withStartTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("start timeout must be positive, was " + timeout);
            }
            this.startTimeout = timeout;
            return this;
        }

        /** Formats the storage, starts the broker and waits until it answers a describeCluster request. */
        public EmbeddedKafkaBroker start() {
            Map<String, Integer> ports = new LinkedHashMap<>();
            for (String name : listenerProtocols.keySet()) {
                int fixed = fixedPorts.getOrDefault(name, 0);
                ports.put(name, fixed == 0 ? freePort() : fixed);
            }
            boolean tempDir = dataDir == null;
            Path dir;
            try {
                dir = tempDir ? Files.createTempDirectory("streamscore-kafka-") : Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new UncheckedIOException("could not create Kafka data dir "
                        + (tempDir ? "in " + System.getProperty("java.io.tmpdir") : dataDir), e);
            }
            EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(this, ports, dir, tempDir);
            try {
                broker.format();
                broker.startServer();
                return broker;
            } catch (RuntimeException e) {
                broker.close();
                throw e;
            }
        }
    }
}
