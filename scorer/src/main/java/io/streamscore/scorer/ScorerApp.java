package io.streamscore.scorer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
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

    /** Runs until the JVM is asked to stop; returns normally after a graceful shutdown. */
    public void run() throws Exception {
        log.info("Starting scorer with configuration {}", config.describeMasked());
        ensureTopics();
        ScorerMetrics metrics = new ScorerMetrics();
        CountDownLatch stopped = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        KafkaStreams streams = new KafkaStreams(ScorerTopology.build(config, metrics), config.toStreamsProperties(metrics));
        // Not try-with-resources for streams: its close() waits forever; it is closed below with the timeout.
        try (HttpEndpoint http = new HttpEndpoint(config.httpPort(), metrics, () -> streams.state().name())) {
            streams.setUncaughtExceptionHandler(e -> {
                log.error("Stream thread died; replacing it", e);
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
            });
            streams.setStateListener((now, before) -> {
                log.info("Kafka Streams state {} -> {}", before, now);
                if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) {
                    stopped.countDown();
                }
            });
            Thread hook = new Thread(() -> {
                log.info("Shutdown requested; closing within {}", config.shutdownTimeout());
                stopped.countDown();
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
            streams.start();
            log.info("Scorer started: HTTP on port {} (/health, /metrics)", http.port());
            try {
                stopped.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            KafkaStreams.State finalState = streams.state();
            try {
                if (!streams.close(config.shutdownTimeout())) {
                    log.warn("Kafka Streams did not close within {}", config.shutdownTimeout());
                }
            } finally {
                closed.countDown();
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
        } finally {
            if (streams.state() != KafkaStreams.State.NOT_RUNNING) {
                streams.close(config.shutdownTimeout());
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
