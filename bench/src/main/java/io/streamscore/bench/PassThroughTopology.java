package io.streamscore.bench;

import io.streamscore.common.event.FeatureEvent;
import io.streamscore.common.event.FeatureEventException;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.common.event.ModelSelection;
import io.streamscore.common.event.Score;
import io.streamscore.common.event.ScoreJson;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

import java.time.Instant;

/**
 * The bench's baseline: a Kafka Streams app that does what the scorer does minus the model — read bytes, parse the
 * event with the scorer's parser ({@link FeatureEventJson}), write a score-shaped JSON of the same size with the
 * scorer's writer ({@link ScoreJson}), same key, timestamp and headers. No global store, no lookup, no dot product.
 */
final class PassThroughTopology {
    /** A 16-digit probability, so the value has the length of a real score's. */
    private static final double PROBABILITY = 0.7310585786300049;
    /** A version publish time, so the score has the scorer's shape and length (modelPublishedAt, selection). */
    private static final Instant PUBLISHED_AT = Instant.parse("2025-11-22T09:30:00.250Z");

    private PassThroughTopology() {
    }

    static Topology build(String featuresTopic, String outputTopic) {
        Topology t = new Topology();
        t.addSource("source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), featuresTopic);
        t.addProcessor("pass-through", PassThrough::new, "source");
        t.addSink("sink", outputTopic, new ByteArraySerializer(), new ByteArraySerializer(), "pass-through");
        return t;
    }

    private static final class PassThrough implements Processor<byte[], byte[], byte[], byte[]> {
        private ProcessorContext<byte[], byte[]> context;

        @Override
        public void init(ProcessorContext<byte[], byte[]> context) {
            this.context = context;
        }

        @Override
        public void process(Record<byte[], byte[]> record) {
            byte[] out;
            try {
                FeatureEvent e = FeatureEventJson.parse(record.value());
                out = ScoreJson.toBytes(new Score(e.eventId(), e.modelId(), 1, PROBABILITY, 1, 0.5, record.timestamp(),
                        context.currentSystemTimeMs(), PUBLISHED_AT, ModelSelection.LATEST));
            } catch (FeatureEventException e) {
                // The bench writes only good events; pass a bad one through untouched so each input still yields one output.
                out = record.value();
            }
            context.forward(record.withValue(out));
        }
    }
}
