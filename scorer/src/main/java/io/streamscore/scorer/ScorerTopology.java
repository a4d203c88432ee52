package io.streamscore.scorer;

import io.streamscore.scorer.drift.DriftTopology;
import io.streamscore.scorer.outcomes.OutcomesTopology;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;

import java.util.function.Supplier;

/**
 * Builds the scorer's topology, a pure function of its configuration (plus the metrics sink it reports to):
 *
 * <pre>
 *   models topic ──► model-gate (global, every instance) ──► ModelStore (decoded models, in memory)
 *                                                                 ▲ lookup
 *   features topic ──► scorer ──► scores topic          (the champion's score)
 *                            ├──► shadow-scores topic   (one per challenger, only for a scored record)
 *                            └──► dead-letters topic
 * </pre>
 *
 * Keys and values are read as raw bytes so that deserialization cannot fail outside the scorer's control and dead
 * letters carry the original bytes. The feature stream is never repartitioned: every instance holds every model.
 *
 * <p>With labels on ({@code --labels-topic}), the scorer also forwards each champion score to the outcome join, and the
 * topology gains the labels source, the join, the outcomes and quality topics ({@link OutcomesTopology},
 * docs/outcomes.md). With drift on ({@code --drift-windows}), it also forwards them to the drift count, and the
 * features source and the scorer are built with the DSL so the drift part can follow them ({@link DriftTopology},
 * docs/drift.md). With both off it is exactly the topology above.
 */
public final class ScorerTopology {
    public static final String MODEL_STORE = "models-store";
    static final String MODELS_SOURCE = "models-source";
    static final String MODEL_GATE = "model-gate";
    static final String FEATURES_SOURCE = "features-source";
    static final String SCORER = "scorer";
    static final String SCORES_SINK = "scores-sink";
    static final String DEAD_LETTERS_SINK = "dead-letters-sink";
    static final String SHADOW_SCORES_SINK = "shadow-scores-sink";

    private ScorerTopology() {
    }

    /** The topology with a private metrics sink (for callers that do not read metrics). */
    public static Topology build(ScorerConfig config) {
        return build(config, new ScorerMetrics());
    }

    public static Topology build(ScorerConfig config, ScorerMetrics metrics) {
        ByteArrayDeserializer bytesIn = new ByteArrayDeserializer();
        ByteArraySerializer bytesOut = new ByteArraySerializer();
        boolean outcomes = config.outcomes().enabled();
        boolean drift = config.drift().enabled();
        OutputLimit limit = OutputLimit.fromClientConfigs(config.clientProperties());
        Supplier<Processor<byte[], byte[], byte[], byte[]>> scorer = () -> new ScoringProcessor(MODEL_STORE, SCORES_SINK,
                DEAD_LETTERS_SINK, SHADOW_SCORES_SINK, metrics, limit, config.modelSelection(), config.contributions(),
                outcomes ? OutcomesTopology.JOIN : null, drift ? DriftTopology.COUNT : null);
        Topology topology;
        if (outcomes || drift) {
            StreamsBuilder builder = new StreamsBuilder();
            if (outcomes) {
                OutcomesTopology.addQuality(builder, config.outcomes(), metrics.outcomes());
            }
            if (drift) { // the features source and the scorer too: the drift count hangs under the scorer
                DriftTopology.add(builder, config.featuresTopic(), FEATURES_SOURCE, SCORER, scorer, config.drift(),
                        metrics.drift());
            }
            topology = builder.build();
        } else {
            topology = new Topology();
        }
        // Topology.addGlobalStore registers the store with reprocess-on-restore, so restored records pass the gate too.
        topology.addGlobalStore(new ModelStore.Builder(MODEL_STORE), MODELS_SOURCE, bytesIn, bytesIn,
                config.modelsTopic(), MODEL_GATE, () -> new ModelUpdateProcessor(MODEL_STORE, metrics));
        if (!drift) {
            topology.addSource(FEATURES_SOURCE, bytesIn, bytesIn, config.featuresTopic());
            topology.addProcessor(SCORER, scorer::get, FEATURES_SOURCE);
        }
        topology.addSink(SCORES_SINK, config.scoresTopic(), bytesOut, bytesOut, SCORER);
        topology.addSink(DEAD_LETTERS_SINK, config.deadLettersTopic(), bytesOut, bytesOut, SCORER);
        // Same task as the scores sink, so under exactly_once_v2 a score and its shadow scores commit together.
        topology.addSink(SHADOW_SCORES_SINK, config.shadowScoresTopic(), bytesOut, bytesOut, SCORER);
        if (outcomes) {
            OutcomesTopology.addJoin(topology, config.outcomes(), metrics.outcomes(), SCORER, config.deadLettersTopic(),
                    OutputGuard.fromClientConfigs(config.clientProperties()), metrics::deadLettered);
        }
        return topology;
    }
}
