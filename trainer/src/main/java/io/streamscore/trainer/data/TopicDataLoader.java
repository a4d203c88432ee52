package io.streamscore.trainer.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamscore.common.FeatureSchema;
import io.streamscore.common.event.FeatureEvent;
import io.streamscore.common.event.FeatureEventException;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.common.event.ReasonCode;
import io.streamscore.trainer.kafka.TopicSnapshot;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;

/**
 * Reads labelled feature events from a topic as a batch snapshot: every partition from its beginning to the end
 * offsets taken at the start, so records produced meanwhile are not part of this training run. The record format is
 * the scorer's feature event plus a {@code label} in the trainer's one label grammar ({@link Labels}). A run trains one
 * model id: the one asked for, or else the one all the events carry. Errors name the topic, partition, offset and
 * field.
 *
 * <p>A positional event's array is read in the order of {@code --features}. When the event names the order it was
 * built for ({@code featureSchema}, the {@link FeatureSchema} fingerprint the scorer checks), that must be the
 * fingerprint of the {@code --features} names: otherwise the array follows another order and would silently train
 * each weight on another feature's values, so the load stops naming both schemas.
 */
public final class TopicDataLoader {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** How many other model ids an error lists by name. */
    private static final int IDS_SHOWN = 10;

    private TopicDataLoader() {
    }

    /**
     * @param modelId  train on this model id's events only, counting and skipping the others; null to take the model
     *                 id of the events, which must then all carry the same one
     * @param columns  the features: {@code --features} names them in order (needed for positional events) and picks
     *                 them from named ones; by default the names of the first event, less any {@code --exclude}d
     * @param progress receives the number of records read so far, now and then
     */
    public static Result load(Properties client, String topic, String modelId, ColumnSelection columns,
                              Duration timeout, java.util.function.LongConsumer progress) throws DataFormatException {
        Builder rows = new Builder(topic, columns, false);
        Read read = read(client, topic, modelId, null, null, rows, timeout, progress);
        return new Result(rows.build(), read.modelId, read.records, read.skipped);
    }

    /**
     * The rows of one model id whose record timestamps fall in [{@code fromMs}, {@code toMs}), each with its record
     * timestamp (for an outcome, {@code labelledAt}): what {@code retrain} trains and judges on. Unlike
     * {@link #load}, finding no row, or rows of one class only, is not an error here: the caller decides what too
     * little data means. Each partition is read from its first record at or after {@code fromMs} (Kafka's time
     * index) to the end offsets at the start; records outside the range are counted and not parsed.
     *
     * @param modelId  the model id whose events to use (others are counted and skipped)
     * @param columns  as for {@link #load}
     */
    public static TimedResult loadRange(Properties client, String topic, String modelId, ColumnSelection columns,
                                        long fromMs, long toMs, Duration timeout,
                                        java.util.function.LongConsumer progress) throws DataFormatException {
        java.util.Objects.requireNonNull(modelId, "modelId");
        Builder rows = new Builder(topic, columns, true);
        long[] outside = {0};
        Read read = read(client, topic, modelId, r -> {
            boolean in = r.timestamp() >= fromMs && r.timestamp() < toMs;
            if (!in) {
                outside[0]++;
            }
            return in;
        }, fromMs, rows, timeout, progress);
        return new TimedResult(rows.rows == null || rows.rows.rows() == 0 ? null : rows.toDataset(),
                rows.timestamps(), read.records, read.skipped, outside[0]);
    }

    private record Read(String modelId, long records, long skipped) {
    }

    private static Read read(Properties client, String topic, String modelId,
                             java.util.function.Predicate<ConsumerRecord<byte[], byte[]>> inRange, Long fromTimestamp,
                             Builder rows, Duration timeout, java.util.function.LongConsumer progress)
            throws DataFormatException {
        String[] training = {modelId};
        TreeSet<String> others = new TreeSet<>();
        long[] skipped = {0};
        long read;
        try {
            read = TopicSnapshot.read(client, topic, timeout, fromTimestamp, r -> {
                if (inRange != null && !inRange.test(r)) {
                    return;
                }
                Labelled event = parse(r);
                if (training[0] == null) {
                    training[0] = event.event().modelId();
                }
                if (!training[0].equals(event.event().modelId())) {
                    skipped[0]++;
                    if (others.size() < IDS_SHOWN) {
                        others.add(event.event().modelId());
                    }
                    return;
                }
                rows.add(event, where(r), r.timestamp());
            }, progress);
        } catch (UnknownTopicOrPartitionException e) {
            throw new DataFormatException(e.getMessage());
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new DataFormatException("topic '" + topic + "': no answer from " + client.get("bootstrap.servers")
                    + " within " + timeout.toSeconds() + " s");
        } catch (KafkaException e) {
            throw new DataFormatException("topic '" + topic + "': " + e.getMessage());
        }
        if (modelId == null && skipped[0] > 0) {
            List<String> ids = new ArrayList<>();
            ids.add(training[0]);
            ids.addAll(others);
            throw new DataFormatException("topic '" + topic + "': events for more than one model id (" + String.join(", ", ids)
                    + (others.size() == IDS_SHOWN ? ", ..." : "") + "); train one of them with --model-id");
        }
        return new Read(training[0], read, skipped[0]);
    }

    /** A feature event with its label read by the trainer's grammar (null when the event has none). */
    private record Labelled(FeatureEvent event, Double label) {
    }

    private static Labelled parse(ConsumerRecord<byte[], byte[]> r) throws DataFormatException {
        if (r.value() == null) {
            throw new DataFormatException(where(r) + ": null value (a tombstone); training records need features and a label");
        }
        try {
            FeatureEvent event = FeatureEventJson.parse(r.value());
            return new Labelled(event, event.label() == null ? null : (double) event.label());
        } catch (FeatureEventException e) {
            if (e.reason() == ReasonCode.INVALID_LABEL) {
                // The scorer's parser takes 0, 1, true and false; the trainer's grammar also 0.0, 1.0 and strings.
                return withTrainerLabel(r);
            }
            throw new DataFormatException(where(r) + ": " + e.reason() + ": " + e.getMessage());
        }
    }

    /** Reads the label with {@link Labels} and the rest of the event with the scorer's parser. */
    private static Labelled withTrainerLabel(ConsumerRecord<byte[], byte[]> r) throws DataFormatException {
        ObjectNode tree;
        try {
            tree = (ObjectNode) JSON.readTree(r.value());
        } catch (IOException | ClassCastException e) {
            throw new DataFormatException(where(r) + ": " + ReasonCode.MALFORMED_JSON + ": "
                    + (e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        JsonNode node = tree.remove("label");
        if (node == null) {
            throw new DataFormatException(where(r) + ": field 'label': not " + Labels.GRAMMAR);
        }
        String text = node.isValueNode() ? node.asText() : node.toString();
        double label = Labels.parse(text);
        if (Double.isNaN(label)) {
            throw new DataFormatException(where(r) + ": field 'label': '" + (text.length() <= 40 ? text
                    : text.substring(0, 37) + "...") + "' is not " + Labels.GRAMMAR);
        }
        try {
            return new Labelled(FeatureEventJson.parse(JSON.writeValueAsBytes(tree)), label);
        } catch (FeatureEventException e) {
            throw new DataFormatException(where(r) + ": " + e.reason() + ": " + e.getMessage());
        } catch (JsonProcessingException e) {
            throw new DataFormatException(where(r) + ": " + ReasonCode.MALFORMED_JSON + ": " + e.getOriginalMessage());
        }
    }

    private static String where(ConsumerRecord<?, ?> r) {
        return "topic '" + r.topic() + "' partition " + r.partition() + " offset " + r.offset();
    }

    /**
     * The data set and what was read to make it.
     *
     * @param modelId the model id whose events were used
     */
    public record Result(Dataset data, String modelId, long recordsRead, long recordsSkipped) {
    }

    /**
     * The rows of a time range and their record timestamps.
     *
     * @param data            the rows in the order read (partition by partition); null when there is none
     * @param timestamps      row i's record timestamp, ms since the epoch
     * @param recordsRead     records read (from each partition's first record in the range on)
     * @param recordsSkipped  records of other model ids, in the range
     * @param recordsOutside  records read whose timestamps are outside the range
     */
    public record TimedResult(Dataset data, long[] timestamps, long recordsRead, long recordsSkipped,
                              long recordsOutside) {
    }

    /** Collects rows into one growing contiguous array. */
    private static final class Builder {
        private final String topic;
        private final ColumnSelection columns;
        private List<String> names;
        private RowBuffer rows;
        /** The fingerprint of {@link #names}, computed at the first positional event that names one. */
        private String schema;
        /** Each row's record timestamp; null when they are not kept. */
        private long[] times;

        Builder(String topic, ColumnSelection columns, boolean keepTimestamps) {
            this.topic = topic;
            this.columns = columns;
            this.names = columns.include();
            this.times = keepTimestamps ? new long[1024] : null;
        }

        void add(Labelled labelled, String where, long timestamp) throws DataFormatException {
            FeatureEvent event = labelled.event();
            if (labelled.label() == null) {
                throw new DataFormatException(where + ": field 'label': missing; training records need a label ("
                        + Labels.GRAMMAR + ")");
            }
            if (names == null) {
                if (event.isPositional()) {
                    throw new DataFormatException(where + ": field 'features': positional (an array); name the columns"
                            + " with --features so the model knows them");
                }
                List<String> first = List.copyOf(event.namedFeatures().keySet());
                if (first.isEmpty()) {
                    throw new DataFormatException(where + ": field 'features': empty");
                }
                try {
                    names = columns.resolve(first, null);
                } catch (IllegalArgumentException e) {
                    throw new DataFormatException(where + ": field 'features': " + e.getMessage());
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
            if (times != null) {
                if (rows.rows() == times.length) {
                    times = java.util.Arrays.copyOf(times, times.length * 2);
                }
                times[rows.rows()] = timestamp;
            }
            rows.endRow(labelled.label());
        }

        long[] timestamps() {
            return rows == null ? new long[0] : java.util.Arrays.copyOf(times, rows.rows());
        }

        Dataset toDataset() {
            return rows.toDataset(names, "topic " + topic);
        }

        /**
         * The array's order is only known from {@code --features}: a positional event after named ones (whose key
         * order set the columns) is refused like a first positional event, and one that names a feature schema must
         * name the columns'. Events without {@code featureSchema} are taken in {@code --features} order: training data
         * need not carry it (the scorer does require it).
         */
        private void checkFeatureSchema(FeatureEvent event, String where) throws DataFormatException {
            if (columns.include() == null) {
                throw new DataFormatException(where + ": field 'features': positional (an array), but the columns "
                        + ColumnSelection.shown(names) + " come from the names of an earlier event; name the columns"
                        + " in the array's order with --features");
            }
            String given = event.featureSchema();
            if (given == null) {
                return;
            }
            if (schema == null) {
                schema = FeatureSchema.fingerprint(names);
            }
            if (!given.equalsIgnoreCase(schema)) {
                throw new DataFormatException(where + ": field 'featureSchema': the event's array follows feature schema '"
                        + (given.length() <= 40 ? given : given.substring(0, 40) + "…") + "', but --features "
                        + ColumnSelection.shown(names) + " has feature schema '" + schema + "'; the values are in"
                        + " another feature order: give --features in the order the events were built for");
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
