package io.streamscore.trainer.kafka;

import io.streamscore.common.FeatureSchema;
import io.streamscore.common.event.FeatureEvent;
import io.streamscore.common.event.FeatureEventException;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.trainer.DataFormatException;
import io.streamscore.trainer.Dataset;
import io.streamscore.trainer.RowBuffer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Reads labelled feature events from a topic as a batch snapshot: every partition from its beginning to the end
 * offsets taken at the start, so records produced meanwhile are not part of this training run. The record format is
 * the scorer's feature event plus a {@code label} (0/1 or true/false). Errors name the topic, partition, offset and field.
 */
public final class TopicDataLoader {

    private TopicDataLoader() {
    }

    /**
     * @param modelId      when not null, only events for this model id are used (others are counted and skipped)
     * @param featureNames the feature columns; null takes the names of the first event (named form only)
     * @param progress     receives the number of records read so far, now and then
     */
    public static Result load(Properties client, String topic, String modelId, List<String> featureNames,
                              Duration timeout, java.util.function.LongConsumer progress) throws DataFormatException {
        Builder rows = new Builder(topic, featureNames);
        long[] skipped = {0};
        long read;
        try {
            read = TopicSnapshot.read(client, topic, timeout, r -> {
                FeatureEvent event = parse(r);
                if (modelId != null && !modelId.equals(event.modelId())) {
                    skipped[0]++;
                    return;
                }
                rows.add(event, where(r));
            }, progress);
        } catch (UnknownTopicOrPartitionException e) {
            throw new DataFormatException(e.getMessage());
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new DataFormatException("topic '" + topic + "': no answer from " + client.get("bootstrap.servers")
                    + " within " + timeout.toSeconds() + " s");
        } catch (KafkaException e) {
            throw new DataFormatException("topic '" + topic + "': " + e.getMessage());
        }
        return new Result(rows.build(), read, skipped[0]);
    }

    private static FeatureEvent parse(ConsumerRecord<byte[], byte[]> r) throws DataFormatException {
        if (r.value() == null) {
            throw new DataFormatException(where(r) + ": null value (a tombstone); training records need features and a label");
        }
        try {
            return FeatureEventJson.parse(r.value());
        } catch (FeatureEventException e) {
            throw new DataFormatException(where(r) + ": " + e.reason() + ": " + e.getMessage());
        }
    }

    private static String where(ConsumerRecord<?, ?> r) {
        return "topic '" + r.topic() + "' partition " + r.partition() + " offset " + r.offset();
    }

    /** The data set and what was read to make it. */
    public record Result(Dataset data, long recordsRead, long recordsSkipped) {
    }

    /** Collects rows into one growing contiguous array. */
    private static final class Builder {
        private final String topic;
        private List<String> names;
        private RowBuffer rows;
        private String schema;

        Builder(String topic, List<String> names) {
            this.topic = topic;
            this.names = names == null ? null : List.copyOf(names);
        }

        void add(FeatureEvent event, String where) throws DataFormatException {
            if (event.label() == null) {
                throw new DataFormatException(where + ": field 'label': missing; training records need a label (0/1 or true/false)");
            }
            if (names == null) {
                if (event.isPositional()) {
                    throw new DataFormatException(where + ": field 'features': positional (an array); name the columns"
                            + " with --features so the model knows them");
                }
                names = List.copyOf(event.namedFeatures().keySet());
                if (names.isEmpty()) {
                    throw new DataFormatException(where + ": field 'features': empty");
                }
            }
            int k = names.size();
            if (rows == null) {
                rows = new RowBuffer(k);
            }
            rows.ensureRoom(where);
            if (event.isPositional()) {
                checkFeatureSchema(event, where);
                double[] v = event.values();
                if (v.length != k) {
                    throw new DataFormatException(where + ": field 'features': " + v.length + " values but " + k
                            + " feature names " + names);
                }
                for (int j = 0; j < k; j++) {
                    rows.set(j, v[j]);
                }
            } else {
                Map<String, Double> byName = event.namedFeatures();
                for (int j = 0; j < k; j++) {
                    Double v = byName.get(names.get(j));
                    if (v == null) {
                        throw new DataFormatException(where + ": field 'features." + names.get(j) + "': missing");
                    }
                    rows.set(j, v);
                }
            }
            rows.endRow(event.label());
        }

        /**
         * A positional event that names its feature schema must name this one: else its array follows another column
         * order and would train the weights on swapped features. Events without one are taken as in the order of the
         * column names (training data need not carry it; the scorer does require it).
         */
        private void checkFeatureSchema(FeatureEvent event, String where) throws DataFormatException {
            if (event.featureSchema() == null) {
                return;
            }
            if (schema == null) {
                schema = FeatureSchema.fingerprint(names);
            }
            if (!event.featureSchema().equalsIgnoreCase(schema)) {
                String given = event.featureSchema();
                throw new DataFormatException(where + ": field 'featureSchema': '"
                        + (given.length() <= 40 ? given : given.substring(0, 40) + "…") + "' is not " + schema
                        + ", the feature schema of the columns " + names + "; the array follows another feature order");
            }
        }

        Dataset build() throws DataFormatException {
            if (rows == null || rows.rows() == 0) {
                throw new DataFormatException("topic '" + topic + "': no training records (for this model id) between"
                        + " the beginning and the end offsets");
            }
            if (rows.positives() == 0 || rows.positives() == rows.rows()) {
                throw new DataFormatException("topic '" + topic + "': field 'label': every one of the " + rows.rows()
                        + " records has label " + (rows.positives() == 0 ? 0 : 1) + "; logistic regression needs both classes");
            }
            return rows.toDataset(names, "topic " + topic);
        }
    }
}
