package io.streamscore.scorer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import org.apache.kafka.streams.KafkaStreams;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The meters the scorer does not count itself, bound to its registry next to {@link ScorerMetrics}: the JVM (memory
 * pools, GC pauses and allocation, threads, class loading, version), the process (CPU, uptime, open file descriptors)
 * and Kafka Streams with its embedded consumers, producers and admin client (Micrometer's {@link KafkaStreamsMetrics},
 * which mirrors {@code KafkaStreams#metrics()}: per-partition consumer lag, process rate, commit latency, alive stream
 * threads, producer and consumer client metrics). Closing stops the binders' background work (the GC listener and the
 * Kafka binder's refresh); the registry keeps the meters' last values.
 */
public final class PlatformMetrics implements AutoCloseable {
    /**
     * How often the Kafka binder looks for Kafka metrics that appeared or went (a partition assigned or revoked, a
     * thread replaced): a new partition's lag shows within this. Micrometer's default is a minute; one pass reads
     * {@code KafkaStreams#metrics()} once, which is cheap next to scoring.
     */
    static final Duration KAFKA_REFRESH = Duration.ofSeconds(10);

    private final JvmGcMetrics gc;
    private final KafkaStreamsMetrics kafka;
    private final ScheduledExecutorService refresh;

    private PlatformMetrics(JvmGcMetrics gc, KafkaStreamsMetrics kafka, ScheduledExecutorService refresh) {
        this.gc = gc;
        this.kafka = kafka;
        this.refresh = refresh;
    }

    /** Binds the JVM and process meters, and those of {@code streams} (created, started or not). */
    public static PlatformMetrics bind(MeterRegistry registry, KafkaStreams streams) {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        ScheduledExecutorService refresh = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scorer-kafka-metrics");
            t.setDaemon(true);
            return t;
        });
        KafkaStreamsMetrics kafka = new KafkaStreamsMetrics(streams, List.of(), refresh, KAFKA_REFRESH);
        kafka.bindTo(registry);
        return new PlatformMetrics(gc, kafka, refresh);
    }

    @Override
    public void close() {
        try {
            kafka.close();
        } finally {
            refresh.shutdownNow();
            gc.close();
        }
    }
}
