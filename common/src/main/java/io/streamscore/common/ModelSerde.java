package io.streamscore.common;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Kafka serde for models in {@link ModelJson}'s compact form. Null passes through both ways so that a tombstone (which
 * retires a model) stays a tombstone; a bad record fails with a {@link SerializationException} naming the topic.
 */
public final class ModelSerde implements Serde<LogisticModel> {

    @Override
    public Serializer<LogisticModel> serializer() {
        return (topic, model) -> model == null ? null
                : ModelJson.toCompactJson(model).getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public Deserializer<LogisticModel> deserializer() {
        return (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            try {
                return ModelJson.fromBytes(bytes);
            } catch (IllegalArgumentException e) { // InvalidModelException and anything else the reader refuses
                throw new SerializationException("bad model record on topic '" + topic + "': " + e.getMessage(), e);
            }
        };
    }
}
