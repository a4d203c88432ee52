package io.streamscore.scorer.drift;

import io.streamscore.common.outcome.DurationText;
import io.streamscore.scorer.outcomes.ScoredEvent;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.util.Set;
import java.util.function.Supplier;

/**
 * The drift part of the scorer's topology (docs/drift.md), present only with drift on:
 *
 * <pre>
 *   features ──► scorer ──(ScoredEvent)──► drift-count [drift-counts store] ──► repartition by MODEL@vVERSION
 *            ──► drift [drift-windows store] ──► drift topic (+ gauges on /metrics)
 * </pre>
 *
 * The count runs in the scoring task, on the scorer's {@link ScoredEvent}s; the per-task totals it forwards every
 * second go through {@code <application.id>-drift-by-model-repartition} (created and purged by Kafka Streams) to the
 * one task that holds each model version. A repartition topic is something only the DSL makes, and the DSL cannot hang
 * a node under a Processor API node: so with drift on, the features source and the scorer are built with the DSL here
 * (same names, same processor), and the scorer adds its sinks to them as always. With drift off none of this exists.
 */
public final class DriftTopology {
    public static final String COUNT_STORE = "drift-counts";
    public static final String WINDOW_STORE = "drift-windows";
    /** The count's node name: the scorer forwards each champion score here. */
    public static final String COUNT = "drift-count";
    /** The repartition topic's name within the application: {@code <application.id>-drift-by-model-repartition}. */
    public static final String REPARTITION = "drift-by-model";
    static final String DRIFT = "drift";
    static final String SINK = "drift-sink";

    private DriftTopology() {
    }

    /**
     * Adds the features source {@code sourceName} and the scorer {@code scorerName} to {@code builder}, then the drift
     * part under the scorer.
     *
     * @param scorer makes the scoring processor, which forwards each champion's {@link ScoredEvent} to {@link #COUNT}
     */
    public static void add(StreamsBuilder builder, String featuresTopic, String sourceName, String scorerName,
                           Supplier<Processor<byte[], byte[], byte[], byte[]>> scorer, DriftConfig config,
                           DriftMetrics metrics) {
        metrics.enable(config.windows().stream().map(DurationText::format).toList());
        KStream<byte[], byte[]> scored = builder.stream(featuresTopic,
                        Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(sourceName))
                .process(scorer::get, Named.as(scorerName));
        // The scorer forwards ScoredEvent objects to the count (no serde runs between the nodes of one task); the DSL
        // types the stream by the scorer's byte[] outputs.
        @SuppressWarnings({"unchecked", "rawtypes"})
        KStream<byte[], ScoredEvent> events = (KStream) scored;
        events.process(withStore(COUNT_STORE, () -> new DriftCountProcessor(COUNT_STORE, config, metrics)), Named.as(COUNT))
                .repartition(Repartitioned.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(REPARTITION))
                .process(withStore(WINDOW_STORE, () -> new DriftProcessor(WINDOW_STORE, config, metrics)), Named.as(DRIFT))
                .to(config.topic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(SINK));
    }

    /** A supplier of {@code processor} that brings its store: persistent, cached, with a changelog. */
    private static <V> ProcessorSupplier<byte[], V, byte[], byte[]> withStore(String store,
                                                                            Supplier<Processor<byte[], V, byte[], byte[]>> processor) {
        return new ProcessorSupplier<>() {
            @Override
            public Processor<byte[], V, byte[], byte[]> get() {
                return processor.get();
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                StoreBuilder<KeyValueStore<Bytes, byte[]>> b = Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(store), Serdes.Bytes(), Serdes.ByteArray()).withCachingEnabled();
                return Set.of(b);
            }
        };
    }
}
