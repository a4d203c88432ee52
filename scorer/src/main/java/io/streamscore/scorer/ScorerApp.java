package io.streamscore.scorer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The scorer's lifecycle: check (or create) the topics, start Kafka Streams and the HTTP endpoint, run until SIGTERM or
 * SIGINT, then close both within the configured timeout. A dead stream thread is replaced (REPLACE_THREAD).
 */
public final class ScorerApp {
    private static final Logger log = LoggerFactory.getLogger(ScorerApp.class);

    private final ScorerConfig config;

    public ScorerApp(ScorerConfig config) {
        this.config = config;
    }

    /** Thrown when the topics the scorer needs are missing; the message names every one. */
    public static final class MissingTopicsException extends Exception {
        private static final long serialVersionUID = 1L;

        MissingTopicsException(String message) {
            super(message);
        }
    }

    /**
     * Checks (or creates) the topics, then starts Kafka Streams and the HTTP endpoint and returns at once. For
     * embedding (the demo, integration tests); {@link #run()} is the command-line lifecycle around it.
     */
    public Running start() throws Exception {
        log.info("Starting scorer with configuration {}", config.describeMasked());
        ensureTopics();
        ScorerMetrics metrics = new ScorerMetrics();
        KafkaStreams streams = new KafkaStreams(ScorerTopology.build(config, metrics), config.toStreamsProperties(metrics));
        HttpEndpoint http;
        try {
            http = new HttpEndpoint(config.httpPort(), metrics, () -> streams.state().name());
        } catch (java.io.IOException | RuntimeException e) {
            streams.close(config.shutdownTimeout());
            throw e;
        }
        Running running = new Running(streams, http, metrics, config.shutdownTimeout());
        streams.setUncaughtExceptionHandler(e -> {
            log.error("Stream thread died; replacing it", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((now, before) -> {
            log.info("Kafka Streams state {} -> {}", before, now);
            if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                running.stopped.countDown();
            }
        });
        streams.start();
        log.info("Scorer started: HTTP on port {} (/health, /metrics)", http.port());
        return running;
    }

    /** Runs until the JVM is asked to stop (SIGTERM/SIGINT); returns normally after a graceful shutdown. */
    public void run() throws Exception {
        CountDownLatch closed = new CountDownLatch(1);
        Running running = start();
        Thread hook = new Thread(() -> {
            log.info("Shutdown requested; closing within {}", config.shutdownTimeout());
            running.stopped.countDown();
            // The JVM halts once the hooks return: wait for run() to finish closing.
            try {
                if (!closed.await(config.shutdownTimeout().toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
                    log.warn("Shutdown did not finish in time");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "scorer-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        KafkaStreams.State finalState;
        try {
            running.awaitStop();
            finalState = running.state();
        } finally {
            try {
                running.close();
            } finally {
                closed.countDown();
            }
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Already shutting down: the hook is running and waits for the latch released above.
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
        private final java.time.Duration shutdownTimeout;
        private final CountDownLatch stopped = new CountDownLatch(1);
        private boolean closed;

        private Running(KafkaStreams streams, HttpEndpoint http, ScorerMetrics metrics, java.time.Duration shutdownTimeout) {
            this.streams = streams;
            this.http = http;
            this.metrics = metrics;
            this.shutdownTimeout = shutdownTimeout;
        }

        public KafkaStreams.State state() {
            return streams.state();
        }

        public ScorerMetrics metrics() {
            return metrics;
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
                // Leave the group at once: the scorer keeps no local state, so staying in it gains nothing and would
                // leave this instance's partitions unscored until session.timeout.ms (45 s by default) runs out.
                if (!streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(shutdownTimeout))) {
                    log.warn("Kafka Streams did not close within {}", shutdownTimeout);
                }
            } finally {
                http.close();
            }
        }
    }

    private void ensureTopics() throws MissingTopicsException, ExecutionException, InterruptedException {
        List<String> needed = List.of(config.modelsTopic(), config.featuresTopic(), config.scoresTopic(),
                config.deadLettersTopic());
        try (Admin admin = Admin.create(config.toAdminProperties())) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            Set<String> missing = new TreeSet<>(needed);
            missing.removeAll(existing);
            if (missing.isEmpty()) {
                return;
            }
            if (!config.createTopics()) {
                throw new MissingTopicsException("missing topic" + (missing.size() == 1 ? " " : "s ")
                        + String.join(", ", missing) + " on " + config.bootstrapServers()
                        + "; create them or start with --create-topics");
            }
            List<NewTopic> create = new ArrayList<>();
            for (String t : missing) {
                NewTopic topic = new NewTopic(t, Optional.empty(), Optional.empty());
                if (t.equals(config.modelsTopic())) {
                    // Compacted: the last model per id is kept forever; a tombstone eventually removes the id.
                    topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                }
                create.add(topic);
            }
            admin.createTopics(create).all().get(60, TimeUnit.SECONDS);
            log.info("Created topics {} (model topic compacted)", missing);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("no answer from " + config.bootstrapServers() + " within 60 s while checking topics", e);
        }
    }
}
