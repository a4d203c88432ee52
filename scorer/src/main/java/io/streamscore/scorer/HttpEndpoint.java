package io.streamscore.scorer;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The scorer's HTTP endpoint on the JDK's built-in server: {@code GET /health} (200 with the Kafka Streams state when
 * it is RUNNING or REBALANCING, else 503) and {@code GET /metrics} (Prometheus text format).
 */
public final class HttpEndpoint implements AutoCloseable {
    private final HttpServer server;

    /**
     * Binds and starts serving.
     *
     * @param port         0 for any free port (see {@link #port()})
     * @param streamsState the current Kafka Streams state name, e.g. "RUNNING"
     */
    public HttpEndpoint(int port, ScorerMetrics metrics, Supplier<String> streamsState) throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/health", exchange -> {
            String state = streamsState.get();
            boolean healthy = "RUNNING".equals(state) || "REBALANCING".equals(state);
            respond(exchange, healthy ? 200 : 503, "text/plain; charset=utf-8", state + "\n");
        });
        server.createContext("/metrics", exchange -> respond(exchange, 200, PrometheusFormat.CONTENT_TYPE,
                PrometheusFormat.render(metrics, streamsState.get())));
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "scorer-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    private static void respond(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        try (exchange) {
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", contentType);
            boolean head = "HEAD".equals(exchange.getRequestMethod());
            exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(bytes);
                }
            }
        }
    }

    /** The bound port (useful when started with port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
