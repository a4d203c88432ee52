package io.streamscore.scorer;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpEndpointTest {

    @Test
    void shouldReportHealthByStreamsStateAndServeMetrics() throws Exception {
        AtomicReference<String> state = new AtomicReference<>("REBALANCING");
        ScorerMetrics metrics = new ScorerMetrics();
        metrics.scored(1000);
        try (HttpEndpoint http = new HttpEndpoint(0, metrics, state::get)) {
            HttpClient client = HttpClient.newHttpClient();
            String base = "http://127.0.0.1:" + http.port();
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
            assertEquals("REBALANCING\n", health.body());
            state.set("ERROR");
            HttpResponse<String> sick = client.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(503, sick.statusCode());
            assertEquals("ERROR\n", sick.body());
            HttpResponse<String> m = client.send(HttpRequest.newBuilder(URI.create(base + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, m.statusCode());
            assertEquals(PrometheusFormat.CONTENT_TYPE, m.headers().firstValue("Content-Type").orElse(""));
            assertTrue(m.body().contains("streamscore_records_scored_total 1\n"), m.body());
            assertTrue(m.body().contains("streamscore_streams_state{state=\"ERROR\"} 1\n"), m.body());
        }
    }
}
