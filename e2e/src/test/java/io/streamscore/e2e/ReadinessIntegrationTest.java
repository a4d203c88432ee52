package io.streamscore.e2e;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.devkit.junit.SharedKafkaBroker;
import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * /health/ready on a real broker: the model topic holds enough models that restoring it takes a while, and a poller
 * asks /health/ready, /health/live and /metrics over and over from before the scorer starts. Ready must come only once
 * Kafka Streams is RUNNING with every model restored; live must hold throughout the restore.
 */
@SharedKafkaBroker
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReadinessIntegrationTest {
    private static final Logger log = LoggerFactory.getLogger(ReadinessIntegrationTest.class);
    /** Models of this many features make the restore last long enough to be seen from outside. */
    private static final int MODELS = 2_000;
    private static final int FEATURES = 300;

    @TempDir
    Path dir;

    /** One poll: what /health/ready, /health/live and then /metrics said. */
    record Observation(long nanos, int ready, String readyBody, int live, String liveBody, long modelsApplied) {
    }

    @Test
    void readyOnlyAfterTheModelTopicIsRestoredAndRunning(EmbeddedKafkaBroker kafka) throws Exception {
        E2e.Topics t = E2e.Topics.create(kafka, 1, 1);
        long bytes = publishModels(kafka, t.models());
        int port = freePort();
        Map<String, String> file = new HashMap<>(Map.of("state.dir", dir.resolve("state").toString()));
        Map<String, String> flags = new HashMap<>(Map.of(ScorerConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers(),
                ScorerConfig.APPLICATION_ID, "ready-" + E2e.shortId(), ScorerConfig.MODELS_TOPIC, t.models(),
                ScorerConfig.FEATURES_TOPIC, t.features(), ScorerConfig.SCORES_TOPIC, t.scores(),
                ScorerConfig.DEAD_LETTERS_TOPIC, t.deadLetters(), ScorerConfig.SHADOW_SCORES_TOPIC, t.shadowScores(),
                ScorerConfig.HTTP_PORT, String.valueOf(port)));
        ScorerConfig config = ScorerConfig.resolve(file, flags);

        List<Observation> seen = new CopyOnWriteArrayList<>();
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> poller = pool.submit(() -> poll(port, seen, stop));
            long startNanos = System.nanoTime();
            Future<ScorerApp.Running> starting = pool.submit(() -> new ScorerApp(config).start());
            try (ScorerApp.Running running = starting.get(120, TimeUnit.SECONDS)) {
                E2e.waitFor("/health/ready to answer 200", Duration.ofSeconds(60),
                        () -> seen.stream().anyMatch(o -> o.ready() == 200), () -> last(seen));
                stop.set(true);
                poller.get(10, TimeUnit.SECONDS);
                assertEquals(KafkaStreams.State.RUNNING, running.state());

                List<Observation> answered = seen.stream().filter(o -> o.ready() > 0).toList();
                int firstReady = indexOfFirstReady(answered);
                Observation ready = answered.get(firstReady);
                List<Observation> before = answered.subList(0, firstReady);
                log.info("{} models ({} MB) on the model topic; {} polls answered before ready, first ready {} ms "
                                + "after start; while restoring: {}", MODELS, bytes / 1_000_000, before.size(),
                        TimeUnit.NANOSECONDS.toMillis(ready.nanos() - startNanos),
                        before.stream().map(Observation::readyBody).filter(b -> b.contains("restoring")).findFirst()
                                .orElse("(not seen)"));

                assertTrue(before.stream().anyMatch(o -> o.ready() == 503
                                && o.readyBody().startsWith("not ready: Kafka Streams is REBALANCING, restoring the model topic: ")),
                        "while the model topic is restored, /health/ready answers 503 and says so: " + bodies(before));
                for (Observation o : before) {
                    assertEquals(503, o.ready(), o.toString());
                    assertEquals(200, o.live(), "live while starting and restoring: " + o);
                }
                for (Observation o : answered.subList(firstReady, answered.size())) {
                    assertEquals(200, o.ready(), "ready stays ready: " + o);
                    assertEquals("ready: Kafka Streams is RUNNING, model topic restored, no record in flight longer "
                            + "than 30000 ms\n", o.readyBody());
                    // Read just after the ready answer: every model was already applied (a premature ready, during
                    // the restore, would show fewer).
                    assertEquals(MODELS, o.modelsApplied(), "models applied when ready: " + o);
                }
                assertEquals(MODELS, running.metrics().modelsAppliedCount());
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** Distinct models of {@link #FEATURES} features each, keyed by id; returns the bytes written. */
    private static long publishModels(EmbeddedKafkaBroker kafka, String topic) throws Exception {
        List<String> names = new ArrayList<>();
        for (int f = 0; f < FEATURES; f++) {
            names.add("feature_" + f);
        }
        long bytes = 0;
        try (KafkaProducer<byte[], byte[]> producer = E2e.producer(kafka)) {
            for (int i = 0; i < MODELS; i++) {
                double[] weights = new double[FEATURES];
                for (int f = 0; f < FEATURES; f++) {
                    weights[f] = ((i * 31 + f * 17) % 200 - 100) / 1000.0;
                }
                LogisticModel model = new LogisticModel("m-" + i, 1, names, weights, 0.1, null, 0.5, null);
                byte[] value = ModelJson.toBytes(model);
                bytes += value.length;
                producer.send(new ProducerRecord<>(topic, E2e.utf8(model.modelId()), value));
            }
            producer.flush();
        }
        return bytes;
    }

    /** Polls until {@code stop}; a refused connection (the endpoint not up yet) is simply not recorded. */
    private static void poll(int port, List<Observation> seen, AtomicBoolean stop) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        String base = "http://127.0.0.1:" + port;
        while (!stop.get()) {
            try {
                HttpResponse<String> ready = get(client, base + "/health/ready");
                HttpResponse<String> live = get(client, base + "/health/live");
                String metrics = get(client, base + "/metrics").body();
                seen.add(new Observation(System.nanoTime(), ready.statusCode(), ready.body(), live.statusCode(),
                        live.body(), sample(metrics, "streamscore_models_applied_total")));
            } catch (IOException notUpYet) {
                // the scorer has not bound its port yet, or just closed it
            } catch (InterruptedException e) {
                return;
            }
            try {
                TimeUnit.MILLISECONDS.sleep(5); // poll interval
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static HttpResponse<String> get(HttpClient client, String url) throws IOException, InterruptedException {
        return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The value of an unlabelled counter; -1 when absent. A counter's value is a whole number, whatever its notation. */
    private static long sample(String metrics, String name) {
        Scrape s = Scrape.parse(metrics);
        if (!s.has(name)) {
            return -1;
        }
        double v = s.value(name);
        if (v != Math.rint(v)) {
            throw new AssertionError(name + " is not a whole number: " + v);
        }
        return (long) v;
    }

    private static int indexOfFirstReady(List<Observation> answered) {
        for (int i = 0; i < answered.size(); i++) {
            if (answered.get(i).ready() == 200) {
                return i;
            }
        }
        throw new AssertionError("never ready");
    }

    private static String last(List<Observation> seen) {
        return seen.isEmpty() ? "no answer yet" : seen.get(seen.size() - 1).toString();
    }

    private static String bodies(List<Observation> seen) {
        return seen.stream().map(o -> o.ready() + " " + o.readyBody().strip()).distinct().toList().toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
