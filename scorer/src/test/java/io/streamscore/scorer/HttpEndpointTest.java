package io.streamscore.scorer;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams.State;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpEndpointTest {
    private final AtomicLong now = new AtomicLong(0);
    private final ScorerMetrics metrics = new ScorerMetrics();
    private final ScorerHealth health = new ScorerHealth(ScorerTopology.MODEL_STORE, metrics.inFlightRecords(),
            Duration.ofSeconds(30), now::get);
    private final HttpClient client = HttpClient.newHttpClient();
    private HttpEndpoint http;

    @BeforeEach
    void start() throws Exception {
        http = new HttpEndpoint(0, metrics, health);
    }

    @AfterEach
    void stop() {
        http.close();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void assertResponse(int status, String body, String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertEquals(status + " " + body, r.statusCode() + " " + r.body(), path);
        assertEquals("text/plain; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""), path);
    }

    @Test
    void aPortInUseIsOneLineNamingThePortAndTheWayOut() {
        HttpEndpoint.PortInUseException e = org.junit.jupiter.api.Assertions.assertThrows(
                HttpEndpoint.PortInUseException.class, () -> new HttpEndpoint(http.port(), metrics, health));
        assertEquals("HTTP port " + http.port() + " is already in use (another scorer on this host?); give this one"
                + " another port with --http-port PORT, or --http-port 0 for any free port (streamscore.http.port in"
                + " --client-config)", e.getMessage());
        assertTrue(e.getCause() instanceof java.net.BindException);
    }

    @Test
    void probesFollowStateRestoreStuckRecordsAndReplacements() throws Exception {
        health.stateChanged(State.REBALANCING);
        health.onRestoreStart(new TopicPartition("models", 0), ScorerTopology.MODEL_STORE, 0, 900);
        assertResponse(200, "live: Kafka Streams is REBALANCING\n", "/health/live");
        assertResponse(200, "live: Kafka Streams is REBALANCING\n", "/health");
        assertResponse(503, "not ready: Kafka Streams is REBALANCING, restoring the model topic: models-0 at offset 0 of 900\n",
                "/health/ready");

        health.onRestoreEnd(new TopicPartition("models", 0), ScorerTopology.MODEL_STORE, 900);
        health.stateChanged(State.RUNNING);
        assertResponse(200, "ready: Kafka Streams is RUNNING, model topic restored, no record in flight longer than "
                + "30000 ms\n", "/health/ready");

        InFlightRecords.Marker marker = metrics.inFlightRecords().register();
        marker.start(now.get());
        now.addAndGet(Duration.ofSeconds(31).toNanos());
        assertResponse(503, "not ready: a stream thread has been on one record for 31.0 s (limit 30000 ms, "
                + "streamscore.stuck.record.ms)\n", "/health/ready");
        assertResponse(200, "live: Kafka Streams is RUNNING\n", "/health/live");
        marker.end();
        assertEquals(200, get("/health/ready").statusCode());

        for (int i = 0; i <= ScorerHealth.MAX_REPLACEMENTS; i++) {
            health.threadReplaced();
        }
        String replaced = "4 stream threads replaced in the last 60 s (limit 3; each new thread dies again, see the log)\n";
        assertResponse(503, "not live: " + replaced, "/health/live");
        assertResponse(503, "not live: " + replaced, "/health");
        assertResponse(503, "not ready: " + replaced, "/health/ready");

        health.stateChanged(State.ERROR);
        assertResponse(503, "not live: Kafka Streams is ERROR (stopped by a fatal error; see the log)\n", "/health/live");
    }

    @Test
    void headAnswersWithoutABodyAndOtherMethodsAndPathsAreRefused() throws Exception {
        HttpResponse<String> head = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port()
                + "/health/ready")).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(503, head.statusCode());
        assertEquals("", head.body());
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port()
                + "/health/live")).POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals(404, get("/health/nope").statusCode());
        assertEquals(404, get("/healthz").statusCode());
        assertEquals(404, get("/metrics/x").statusCode());
    }

    @Test
    void servesMetricsWithTheStateTheStuckGaugeAndReplacements() throws Exception {
        metrics.scored(1000);
        metrics.threadReplaced();
        health.stateChanged(State.ERROR);
        HttpResponse<String> m = get("/metrics");
        assertEquals(200, m.statusCode());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", m.headers().firstValue("Content-Type").orElse(""));
        Scrape s = Scrape.parse(m.body());
        assertEquals(1, s.value("streamscore_records_scored_total"));
        assertEquals(1, s.value("streamscore_streams_state{state=\"ERROR\"}"));
        assertEquals(1, s.samples("streamscore_streams_state").size(), "only the current state: " + m.body());
        assertEquals(0, s.value("streamscore_oldest_in_flight_record_seconds"));
        assertEquals(1, s.value("streamscore_stream_threads_replaced_total"));

        health.stateChanged(State.RUNNING);
        s = Scrape.parse(get("/metrics").body());
        assertEquals(1, s.value("streamscore_streams_state{state=\"RUNNING\"}"));
        assertEquals(1, s.samples("streamscore_streams_state").size(), "the state before is gone: " + s.text());
    }
}
