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
 * The scorer's HTTP endpoint on the JDK's built-in server:
 * <ul>
 *   <li>{@code GET /health/live}: 200 unless the instance cannot repair itself, else 503 ({@link ScorerHealth#live()});</li>
 *   <li>{@code GET /health/ready}: 200 when it is scoring, else 503 ({@link ScorerHealth#ready()});</li>
 *   <li>{@code GET /health}: the same as {@code /health/live}. It used to be 200 for RUNNING or REBALANCING, a
 *   liveness-like rule (200 during the restore and rebalances); as an alias of liveness, a probe or healthcheck already
 *   pointed at it does not start restarting a scorer that is restoring its models or waiting on one record;</li>
 *   <li>{@code GET /metrics}: every meter of the scorer's registry ({@link ScorerMetrics#scrape}) in the Prometheus
 *   text format 0.0.4: the scorer's own, Kafka Streams and its clients', the JVM's and the process's (docs/metrics.md).
 *   </li>
 * </ul>
 * A probe's body is one line: {@code live: …}, {@code not live: …}, {@code ready: …} or {@code not ready: …}, saying
 * why. Probes read only what the scorer has observed, so they never wait for Kafka.
 */
public final class HttpEndpoint implements AutoCloseable {
    private static final String TEXT = "text/plain; charset=utf-8";
    /** The content type of {@code /metrics}: the Prometheus text exposition format, version 0.0.4. */
    public static final String METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private final HttpServer server;

    /**
     * Binds and starts serving.
     *
     * @param port   0 for any free port (see {@link #port()})
     * @param health what the probes answer, and the Kafka Streams state for the metrics
     */
    public HttpEndpoint(int port, ScorerMetrics metrics, ScorerHealth health) throws IOException {
        try {
            server = HttpServer.create(new InetSocketAddress(port), 0);
        } catch (java.net.BindException e) {
            throw new PortInUseException(port, e);
        }
        // A context matches every path it prefixes: each handler checks for its exact path.
        server.createContext("/health", exchange -> {
            switch (exchange.getRequestURI().getPath()) {
                case "/health", "/health/", "/health/live" -> probe(exchange, "live", health::live);
                case "/health/ready" -> probe(exchange, "ready", health::ready);
                default -> notFound(exchange);
            }
        });
        server.createContext("/metrics", exchange -> {
            if (exchange.getRequestURI().getPath().equals("/metrics")) {
                respond(exchange, 200, METRICS_CONTENT_TYPE, metrics.scrape(health.state().name()));
            } else {
                notFound(exchange);
            }
        });
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "scorer-http");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    private static void probe(HttpExchange exchange, String name, Supplier<ScorerHealth.Verdict> verdict)
            throws IOException {
        ScorerHealth.Verdict v = verdict.get();
        respond(exchange, v.ok() ? 200 : 503, TEXT, (v.ok() ? "" : "not ") + name + ": " + v.why() + "\n");
    }

    private static void notFound(HttpExchange exchange) throws IOException {
        respond(exchange, 404, TEXT, "not found: " + exchange.getRequestURI().getPath()
                + " (try /health/live, /health/ready, /health, /metrics)\n");
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

    /**
     * The HTTP port is taken, typically by another scorer on the same host; the message is the one line the command
     * line prints, naming the port and the way out.
     */
    public static final class PortInUseException extends IOException {
        private static final long serialVersionUID = 1L;

        PortInUseException(int port, java.net.BindException cause) {
            super("HTTP port " + port + " is already in use (another scorer on this host?); give this one another port"
                    + " with --http-port PORT, or --http-port 0 for any free port (" + ScorerConfig.HTTP_PORT
                    + " in --client-config)", cause);
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
