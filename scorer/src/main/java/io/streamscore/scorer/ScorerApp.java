package io.streamscore.scorer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The scorer's lifecycle: wait for the cluster and the topics (creating them with --create-topics), start Kafka
 * Streams and the HTTP endpoint, run until SIGTERM or SIGINT, then close both within the configured timeout. A dead
 * stream thread is replaced (REPLACE_THREAD), except after an authentication or authorization failure, which a new
 * thread would only repeat, or when another running instance has taken this one's instance id: then the client stops
 * (ERROR, exit 1) with the cause in the log.
 *
 * <p>At start the scorer does not crash-loop while Kafka is down or a topic is missing: it retries with a backoff of
 * 1, 2, 4, 8, then 10 s, logging each retry with what is missing, until {@value ScorerConfig#STARTUP_TIMEOUT_MS} (default: for
 * ever) or a shutdown. A refused login or a denied topic fails at once.
 */
public final class ScorerApp {
    private static final Logger log = LoggerFactory.getLogger(ScorerApp.class);

    /**
     * Client-config property: how long the start may wait for the cluster and the topics before it fails (exit 1);
     * 0 or absent = wait for ever, which is what an orchestrated deployment wants (no crash loop while Kafka starts).
     */
    /** How long one check of the cluster may take. */
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

    private final ScorerConfig config;
    private final CountDownLatch shutdownRequested = new CountDownLatch(1);

    public ScorerApp(ScorerConfig config) {
        this.config = config;
    }

    /** Thrown when the topics the scorer needs are still missing at the startup limit; the message names every one. */
    public static final class MissingTopicsException extends Exception {
        private static final long serialVersionUID = 1L;

        MissingTopicsException(String message) {
            super(message);
        }
    }

    /**
     * Thrown at start when the model topic can delete models (cleanup.policy includes delete) and the user did not say
     * they know ({@value ScorerConfig#ALLOW_DELETING_MODEL_TOPIC}); the message says how to fix it.
     */
    public static final class ModelTopicPolicyException extends Exception {
        private static final long serialVersionUID = 1L;

        ModelTopicPolicyException(String message) {
            super(message);
        }
    }

    /**
     * Thrown at start, with labels on, when the labels topic does not have the features topic's partition count: a
     * label would then be read by another task than its score, and never join it (docs/outcomes.md).
     */
    public static final class CoPartitioningException extends Exception {
        private static final long serialVersionUID = 1L;

        CoPartitioningException(String message) {
            super(message);
        }
    }

    /**
     * Checks (or creates) the topics, then starts Kafka Streams and the HTTP endpoint and returns at once. For
     * embedding (the demo, integration tests); {@link #run()} is the command-line lifecycle around it.
     */
    public Running start() throws Exception {
        log.info("Starting scorer with configuration {}", config.describeMasked());
        if (!awaitClusterAndTopics()) {
            throw new InterruptedException("shutdown requested while waiting for Kafka at " + config.bootstrapServers());
        }
        checkModelTopicPolicy();
        checkLabelsCoPartitioned();
        return startStreams();
    }

    private Running startStreams() throws Exception {
        ScorerMetrics metrics = new ScorerMetrics();
        ScorerHealth health = new ScorerHealth(ScorerTopology.MODEL_STORE, metrics.inFlightRecords(), config.stuckRecord(),
                System::nanoTime);
        Topology topology = ScorerTopology.build(config, metrics);
        Properties streamsProperties = config.toStreamsProperties(metrics);
        // With an instance id: static membership (group.instance.id, set by the config) and transactional ids that
        // survive a restart, so a restarted instance takes its partitions back and fences its predecessor at once.
        KafkaStreams streams = config.instanceId().isPresent()
                ? new KafkaStreams(topology, streamsProperties,
                        new StableTransactionalIds(config.applicationId(), config.instanceId().get()))
                : new KafkaStreams(topology, streamsProperties);
        streams.setGlobalStateRestoreListener(health);
        HttpEndpoint http;
        try {
            http = new HttpEndpoint(config.httpPort(), metrics, health);
        } catch (java.io.IOException | RuntimeException e) {
            streams.close(config.shutdownTimeout());
            throw e;
        }
        Running running = new Running(streams, http, metrics, health, config.shutdownTimeout());
        streams.setUncaughtExceptionHandler(e -> {
            Throwable fenced = causeOfType(e, FencedInstanceIdException.class);
            if (fenced != null) {
                // Another running instance has joined with this instance id: replacing the thread would fence it in
                // turn, and the two would take the partitions from each other for ever.
                log.error("Stream thread died: another running scorer uses instance id '{}' ({}: {}); stopping (give "
                        + "each running instance its own {})", config.instanceId().orElse(""),
                        fenced.getClass().getName(), fenced.getMessage(), ScorerConfig.INSTANCE_ID, e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            Throwable denied = securityFailure(e);
            if (denied != null) {
                // A new thread would fail on the same record for the same reason: stop with the cause instead of a
                // replace loop that looks alive but never scores.
                log.error("Stream thread died: {} at {}: {}; stopping (grant the ACLs in docs/security.md or fix the "
                        + "credentials in --client-config)", denied.getClass().getName(), config.bootstrapServers(),
                        denied.getMessage(), e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
            log.error("Stream thread died; replacing it", e);
            health.threadReplaced();
            metrics.threadReplaced();
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> {
            health.stateChanged(now);
            log.info("Kafka Streams state {} -> {}", before, now);
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                running.stopped.countDown();
            }
        });
        streams.start();
        log.info("Scorer started: HTTP on port {} (/health/live, /health/ready, /metrics){}", http.port(),
                config.instanceId().map(id -> "; instance id " + id).orElse(""));
        return running;
    }

    /**
     * Runs until the JVM is asked to stop (SIGTERM/SIGINT); returns normally after a graceful shutdown, also when the
     * stop comes while the scorer is still waiting for Kafka.
     */
    public void run() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        AtomicReference<Running> current = new AtomicReference<>();
        Thread hook = new Thread(() -> {
            log.info("Shutdown requested; closing within {}", config.shutdownTimeout());
            shutdownRequested.countDown();
            Running r = current.get();
            if (r != null) {
                r.stopped.countDown();
            }
            // The JVM halts once the hooks return: wait for run() to finish closing.
            try {
                if (!closed.await(config.shutdownTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
                    log.warn("Shutdown did not finish in time");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "scorer-shutdown");
        // Installed before the wait for Kafka, so SIGTERM also ends a scorer that is still waiting.
        Runtime.getRuntime().addShutdownHook(hook);
        KafkaStreams.State finalState;
        try {
            log.info("Starting scorer with configuration {}", config.describeMasked());
            if (!awaitClusterAndTopics()) {
                log.info("Scorer stopped while waiting for Kafka");
                return;
            }
            checkModelTopicPolicy();
            checkLabelsCoPartitioned();
            Running running = startStreams();
            current.set(running);
            if (shutdownRequested.getCount() == 0) {
                running.stopped.countDown();
            }
            try {
                running.awaitStop();
                finalState = running.state();
            } finally {
                running.close();
            }
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Already shutting down: the hook is running and waits for the latch released above.
            }
        }
        if (finalState == KafkaStreams.State.ERROR) {
            throw new IllegalStateException("Kafka Streams entered ERROR state (see the log above for the cause)");
        }
        log.info("Scorer stopped");
    }

    /** A started scorer: its state and metrics, and a close that stops it within the shutdown timeout. */
    public static final class Running implements AutoCloseable {
        private final KafkaStreams streams;
        private final HttpEndpoint http;
        private final ScorerMetrics metrics;
        private final ScorerHealth health;
        private final java.time.Duration shutdownTimeout;
        private final CountDownLatch stopped = new CountDownLatch(1);
        private boolean closed;

        private Running(KafkaStreams streams, HttpEndpoint http, ScorerMetrics metrics, ScorerHealth health,
                        java.time.Duration shutdownTimeout) {
            this.streams = streams;
            this.http = http;
            this.metrics = metrics;
            this.health = health;
            this.shutdownTimeout = shutdownTimeout;
        }

        public KafkaStreams.State state() {
            return streams.state();
        }

        public ScorerMetrics metrics() {
            return metrics;
        }

        /** What /health/live and /health/ready answer. */
        public ScorerHealth health() {
            return health;
        }

        /** The HTTP port actually bound (useful with port 0). */
        public int httpPort() {
            return http.port();
        }

        /** Waits until Kafka Streams is RUNNING; false when the timeout passes first or it failed. */
        public boolean awaitRunning(java.time.Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() < deadline) {
                KafkaStreams.State s = streams.state();
                if (s == KafkaStreams.State.RUNNING) {
                    return true;
                }
                if (s == KafkaStreams.State.ERROR || s == KafkaStreams.State.NOT_RUNNING) {
                    return false;
                }
                Thread.sleep(20);
            }
            return false;
        }

        /** Blocks until Kafka Streams stops by itself (ERROR, NOT_RUNNING) or a shutdown is requested. */
        public void awaitStop() throws InterruptedException {
            stopped.await();
        }

        /** Closes Kafka Streams (within the shutdown timeout) and the HTTP endpoint; idempotent. */
        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            stopped.countDown();
            try {
                // Leave the group at once: staying in it would leave this instance's partitions unscored until
                // session.timeout.ms (45 s by default) runs out. Without labels the scorer keeps no local state; with
                // labels its stores are in state.dir and their changelogs, so whoever takes the partitions restores them.
                if (!streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(shutdownTimeout))) {
                    log.warn("Kafka Streams did not close within {}", shutdownTimeout);
                }
            } finally {
                http.close();
            }
        }
    }

    /**
     * Waits until the cluster answers and every topic exists (creating the missing ones with --create-topics), retrying
     * with a bounded backoff and a WARN per retry that says what is missing. A refused login or a denied topic is not
     * retried: waiting cannot fix it. Gives up only after {@value ScorerConfig#STARTUP_TIMEOUT_MS} (default: never).
     *
     * @return false when a shutdown was requested while waiting
     */
    private boolean awaitClusterAndTopics() throws MissingTopicsException, InterruptedException {
        List<String> needed = new ArrayList<>(List.of(config.modelsTopic(), config.featuresTopic(),
                config.scoresTopic(), config.deadLettersTopic(), config.shadowScoresTopic()));
        needed.addAll(config.outcomes().topics()); // none unless labels are on
        needed.addAll(config.drift().topics()); // none unless drift is on
        long limitMs = config.startupTimeout().toMillis();
        long startNanos = System.nanoTime();
        Properties adminProps = config.toAdminProperties();
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(ATTEMPT_TIMEOUT.toMillis()));
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(ATTEMPT_TIMEOUT.toMillis()));
        long backoffMs = FIRST_BACKOFF.toMillis();
        try (Admin admin = Admin.create(adminProps)) {
            for (int attempt = 1; ; attempt++) {
                String problem;
                boolean reachable = false;
                Set<String> missing = new TreeSet<>();
                try {
                    missing = missingTopics(admin, needed);
                    reachable = true;
                    if (missing.isEmpty()) {
                        if (attempt > 1) {
                            log.info("Kafka at {} is up and topics {} exist; starting", config.bootstrapServers(), needed);
                        }
                        return true;
                    }
                    if (config.createTopics()) {
                        createTopics(admin, missing);
                        continue; // check again: created, or created concurrently by someone else
                    }
                    problem = "missing topic" + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing)
                            + " on " + config.bootstrapServers() + " (create them or start with --create-topics)";
                } catch (java.util.concurrent.TimeoutException | org.apache.kafka.common.errors.TimeoutException e) {
                    problem = "Kafka at " + config.bootstrapServers() + " did not answer within "
                            + ATTEMPT_TIMEOUT.toSeconds() + " s";
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() == null ? e : e.getCause();
                    Throwable denied = securityFailure(cause);
                    if (denied != null) {
                        throw new IllegalStateException(denied.getClass().getSimpleName() + " from Kafka at "
                                + config.bootstrapServers() + ": " + denied.getMessage()
                                + " (check the credentials in --client-config and the ACLs in docs/security.md)", denied);
                    }
                    problem = cause instanceof org.apache.kafka.common.errors.TimeoutException
                            ? "Kafka at " + config.bootstrapServers() + " did not answer within "
                            + ATTEMPT_TIMEOUT.toSeconds() + " s"
                            : "Kafka at " + config.bootstrapServers() + ": " + cause.getClass().getSimpleName() + ": "
                            + cause.getMessage();
                }
                long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
                if (limitMs > 0 && waitedMs + backoffMs > limitMs) {
                    if (reachable) {
                        throw new MissingTopicsException("missing topic" + (missing.size() == 1 ? " " : "s ")
                                + String.join(", ", missing) + " on " + config.bootstrapServers()
                                + "; create them or start with --create-topics (waited " + waitedMs / 1000 + " s)");
                    }
                    throw new IllegalStateException("gave up after " + waitedMs / 1000 + " s (" + ScorerConfig.STARTUP_TIMEOUT_MS
                            + "=" + limitMs + "): " + problem + " (is it reachable? are SASL/SSL settings needed in "
                            + "--client-config?)");
                }
                log.warn("Waiting for Kafka: {}; retrying in {} s (attempt {}, waited {} s)", problem,
                        backoffMs / 1000.0, attempt, waitedMs / 1000);
                if (shutdownRequested.await(backoffMs, TimeUnit.MILLISECONDS)) {
                    return false;
                }
                backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF.toMillis());
            }
        }
    }

    /**
     * Refuses a model topic whose cleanup.policy includes delete: retention would remove published versions, so an
     * instance started later would serve something other than one that read them in time. Compact-only is the
     * contract (docs/model-topic.md); {@value ScorerConfig#ALLOW_DELETING_MODEL_TOPIC} overrides it with a WARN.
     */
    private void checkModelTopicPolicy() throws ModelTopicPolicyException, InterruptedException {
        Properties adminProps = config.toAdminProperties();
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(ATTEMPT_TIMEOUT.toMillis()));
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(ATTEMPT_TIMEOUT.toMillis()));
        String policy;
        try (Admin admin = Admin.create(adminProps)) {
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, config.modelsTopic());
            ConfigEntry entry = admin.describeConfigs(List.of(resource)).all()
                    .get(ATTEMPT_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS).get(resource)
                    .get(TopicConfig.CLEANUP_POLICY_CONFIG);
            policy = entry == null ? TopicConfig.CLEANUP_POLICY_DELETE : entry.value();
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (securityFailure(cause) != null) {
                // Reading topic configs needs DESCRIBE_CONFIGS; without it the check cannot run: say so, go on.
                log.warn("Cannot check the cleanup.policy of model topic '{}' ({}); make sure it is compact only "
                        + "(docs/model-topic.md)", config.modelsTopic(), cause.getMessage());
                return;
            }
            throw new IllegalStateException("cannot read the configuration of model topic '" + config.modelsTopic()
                    + "': " + cause, cause);
        }
        if (!policy.contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
            return;
        }
        String why = "model topic '" + config.modelsTopic() + "' has cleanup.policy=" + policy + ": retention would "
                + "delete published model versions, and a scorer started afterwards would serve another model than "
                + "the running ones";
        if (config.allowDeletingModelTopic()) {
            log.warn("{}; starting anyway because {}=true", why, ScorerConfig.ALLOW_DELETING_MODEL_TOPIC);
            return;
        }
        throw new ModelTopicPolicyException(why + ". Fix: kafka-configs --alter --entity-type topics --entity-name "
                + config.modelsTopic() + " --add-config cleanup.policy=compact (or start with "
                + "--allow-deleting-model-topic if you know)");
    }

    /**
     * With labels on, refuses a labels topic whose partition count differs from the features topic's: Kafka Streams
     * puts partition N of both in one task, and a label is joined only with the scores of its task.
     */
    private void checkLabelsCoPartitioned() throws CoPartitioningException, InterruptedException {
        if (!config.outcomes().enabled()) {
            return;
        }
        String labels = config.outcomes().labelsTopic().get();
        Properties adminProps = config.toAdminProperties();
        adminProps.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(ATTEMPT_TIMEOUT.toMillis()));
        adminProps.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, String.valueOf(ATTEMPT_TIMEOUT.toMillis()));
        Map<String, TopicDescription> described;
        try (Admin admin = Admin.create(adminProps)) {
            described = admin.describeTopics(List.of(config.featuresTopic(), labels)).allTopicNames()
                    .get(ATTEMPT_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new IllegalStateException("cannot describe topics '" + config.featuresTopic() + "' and '" + labels
                    + "' to check that they are co-partitioned: " + cause, cause);
        }
        int features = described.get(config.featuresTopic()).partitions().size();
        int labelPartitions = described.get(labels).partitions().size();
        if (features != labelPartitions) {
            throw new CoPartitioningException("labels topic '" + labels + "' has " + labelPartitions + " partition"
                    + (labelPartitions == 1 ? "" : "s") + " but features topic '" + config.featuresTopic() + "' has "
                    + features + ": a label must land in the partition of its feature event (same key, same "
                    + "partitioner, same partition count), or it never meets its score. Recreate '" + labels + "' with "
                    + features + " partitions (or let --create-topics create it) and produce labels with the feature "
                    + "event's key");
        }
    }

    /** The needed topics that do not exist; throws for no answer or a topic this principal may not describe. */
    private static Set<String> missingTopics(Admin admin, List<String> needed)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        Set<String> missing = new TreeSet<>();
        Map<String, KafkaFuture<TopicDescription>> described = admin.describeTopics(needed).topicNameValues();
        for (String t : needed) {
            try {
                described.get(t).get(ATTEMPT_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                    throw e;
                }
                missing.add(t);
            }
        }
        return missing;
    }

    private void createTopics(Admin admin, Set<String> missing)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        List<NewTopic> create = new ArrayList<>();
        // With labels on, the labels and outcomes topics get the features topic's partition count: a label must be
        // read by the task that scored its event, and outcomes keep the events' partitioning.
        Optional<Integer> featurePartitions = Optional.empty();
        if (config.outcomes().enabled() && !missing.contains(config.featuresTopic())) {
            featurePartitions = Optional.of(admin.describeTopics(List.of(config.featuresTopic())).allTopicNames()
                    .get(ATTEMPT_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS).get(config.featuresTopic())
                    .partitions().size());
        }
        for (String t : missing) {
            boolean likeFeatures = config.outcomes().enabled() && (t.equals(config.outcomes().labelsTopic().get())
                    || t.equals(config.outcomes().outcomesTopic()));
            NewTopic topic = new NewTopic(t, likeFeatures ? featurePartitions : Optional.empty(), Optional.empty());
            if (t.equals(config.modelsTopic())) {
                // Compacted: the last model per id is kept forever; a tombstone eventually removes the id.
                topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            }
            if (config.outcomes().enabled() && t.equals(config.outcomes().qualityTopic())
                    || config.drift().topics().contains(t)) {
                // Compacted: one record per window key, the highest revision kept (quality and drift).
                topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            }
            create.add(topic);
        }
        try {
            admin.createTopics(create).all().get(ATTEMPT_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            log.info("Created topics {} (model topic compacted)", missing);
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    /** The first throwable of {@code type} in {@code e}'s cause chain, or null. */
    static Throwable causeOfType(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return t;
            }
        }
        return null;
    }

    /** The authentication or authorization failure in {@code e}'s cause chain, or null: retrying cannot fix those. */
    static Throwable securityFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthenticationException || t instanceof AuthorizationException) {
                return t;
            }
        }
        return null;
    }
}
