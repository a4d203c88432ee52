package io.streamscore.scorer.outcomes;

import io.streamscore.common.event.ReasonCode;
import io.streamscore.common.outcome.DurationText;
import io.streamscore.scorer.OutputGuard;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.processor.api.ProcessorSupplier;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The outcome part of the scorer's topology (docs/outcomes.md), present only with labels on:
 *
 * <pre>
 *   features ──► scorer ──(ScoredEvent)──┐
 *   labels ──────────────────────────────┴► outcome-join [outcome-joins store] ──► outcomes topic
 *                                                                            └──► dead-letters topic (LABEL_*)
 *   outcomes topic ──► outcome-reader ──► repartition by MODEL@vVERSION
 *                  ──► quality [quality-windows store] ──► quality topic (+ gauges on /metrics)
 * </pre>
 *
 * The join is in the scorer's sub-topology (the labels source shares its task with the features source of the same
 * partition number: the scores and their labels must be co-partitioned). The quality part reads the outcomes topic
 * back, so its figures are a function of that topic alone, and is built with the DSL for its repartition topic
 * ({@code <application.id>-outcomes-by-model-repartition}), which Kafka Streams creates and purges. The scorer's own
 * nodes are then added to the {@link Topology} the DSL builds.
 */
public final class OutcomesTopology {
    public static final String JOIN_STORE = "outcome-joins";
    public static final String QUALITY_STORE = "quality-windows";
    public static final String LABELS_SOURCE = "labels-source";
    public static final String JOIN = "outcome-join";
    public static final String OUTCOMES_SINK = "outcomes-sink";
    public static final String LABEL_DEAD_LETTERS_SINK = "label-dead-letters-sink";
    static final String OUTCOMES_SOURCE = "outcomes-source";
    static final String READER = "outcome-reader";
    /** The repartition topic's name within the application: {@code <application.id>-outcomes-by-model-repartition}. */
    public static final String REPARTITION = "outcomes-by-model";
    static final String QUALITY = "quality";
    static final String QUALITY_SINK = "quality-sink";

    private OutcomesTopology() {
    }

    /**
     * A topology holding the quality part (outcomes topic → quality topic), to which the scorer adds its nodes and then
     * {@link #addJoin the join}.
     */
    public static Topology withQuality(OutcomesConfig config, OutcomeMetrics metrics) {
        StreamsBuilder builder = new StreamsBuilder();
        addQuality(builder, config, metrics);
        return builder.build();
    }

    /** Adds the quality part to {@code builder} (which may build other DSL parts too, e.g. drift). */
    public static void addQuality(StreamsBuilder builder, OutcomesConfig config, OutcomeMetrics metrics) {
        List<String> windows = config.qualityWindows().stream().map(DurationText::format).toList();
        metrics.enable(windows);
        ProcessorSupplier<byte[], byte[], byte[], byte[]> quality = new ProcessorSupplier<>() {
            @Override
            public QualityProcessor get() {
                return new QualityProcessor(QUALITY_STORE, config, metrics);
            }

            @Override
            public Set<StoreBuilder<?>> stores() {
                StoreBuilder<KeyValueStore<Bytes, byte[]>> store = Stores.keyValueStoreBuilder(
                        Stores.persistentKeyValueStore(QUALITY_STORE), Serdes.Bytes(), Serdes.ByteArray())
                        .withCachingEnabled();
                return Set.of(store);
            }
        };
        builder.stream(config.outcomesTopic(), Consumed.with(Serdes.ByteArray(), Serdes.ByteArray())
                        .withName(OUTCOMES_SOURCE))
                .process(() -> new OutcomeReader(metrics, windows), Named.as(READER))
                .repartition(Repartitioned.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(REPARTITION))
                .process(quality, Named.as(QUALITY))
                .to(config.qualityTopic(), Produced.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(QUALITY_SINK));
    }

    /**
     * Adds the labels source, the join (a child of {@code scorer}, which forwards it {@link ScoredEvent}s), its store
     * and its sinks to {@code topology}.
     *
     * @param deadLettered counts each label dead letter by reason (the scorer's dead-letter counter)
     */
    public static void addJoin(Topology topology, OutcomesConfig config, OutcomeMetrics metrics, String scorer,
                               String deadLettersTopic, OutputGuard guard, Consumer<ReasonCode> deadLettered) {
        ByteArrayDeserializer bytesIn = new ByteArrayDeserializer();
        ByteArraySerializer bytesOut = new ByteArraySerializer();
        topology.addSource(LABELS_SOURCE, bytesIn, bytesIn, config.labelsTopic().orElseThrow());
        topology.addProcessor(JOIN, () -> new OutcomeJoinProcessor(JOIN_STORE, OUTCOMES_SINK, LABEL_DEAD_LETTERS_SINK,
                config.labelWindow(), metrics, guard, deadLettered), scorer, LABELS_SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(JOIN_STORE), Serdes.Bytes(),
                Serdes.ByteArray()), JOIN);
        topology.addSink(OUTCOMES_SINK, config.outcomesTopic(), bytesOut, bytesOut, JOIN);
        // A second sink to the dead-letters topic: a sink's parents are fixed when it is added.
        topology.addSink(LABEL_DEAD_LETTERS_SINK, deadLettersTopic, bytesOut, bytesOut, JOIN);
    }
}
