package io.streamscore.trainer.kafka;

import io.streamscore.common.event.FeatureEvent;
import io.streamscore.common.event.FeatureEventException;
import io.streamscore.common.event.FeatureEventJson;
import io.streamscore.trainer.DataFormatException;
import io.streamscore.trainer.Dataset;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        props.putIfAbsent(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Long.toString(timeout.toMillis()));
        Builder rows = new Builder(topic, featureNames);
        long skipped = 0;
        long read = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
            Map<String, List<PartitionInfo>> topics = consumer.listTopics(timeout);
            if (!topics.containsKey(topic)) {
                throw new DataFormatException("topic '" + topic + "' does not exist on " + client.get("bootstrap.servers"));
            }
            List<TopicPartition> partitions = new ArrayList<>();
            for (PartitionInfo p : topics.get(topic)) {
                partitions.add(new TopicPartition(topic, p.partition()));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
            long lastProgress = System.nanoTime();
            while (partitions.stream().anyMatch(p -> consumer.position(p, timeout) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    if (r.offset() >= end.get(tp)) {
                        continue; // produced after the snapshot was taken
                    }
                    read++;
                    FeatureEvent event = parse(r);
                    if (modelId != null && !modelId.equals(event.modelId())) {
                        skipped++;
                        continue;
                    }
                    rows.add(event, where(r));
                }
                if (System.nanoTime() - lastProgress > 1_000_000_000L) {
                    progress.accept(read);
                    lastProgress = System.nanoTime();
                }
            }
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new DataFormatException("topic '" + topic + "': no answer from " + client.get("bootstrap.servers")
                    + " within " + timeout.toSeconds() + " s");
        } catch (KafkaException e) {
            throw new DataFormatException("topic '" + topic + "': " + e.getMessage());
        }
        progress.accept(read);
        return new Result(rows.build(), read, skipped);
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
        private double[] x = new double[0];
        private double[] y = new double[1024];
        private int rows;
        private long positives;

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
            if (x.length == 0) {
                x = new double[k * y.length];
            }
            if (rows == y.length) {
                y = Arrays.copyOf(y, y.length * 2);
                x = Arrays.copyOf(x, y.length * k);
            }
            if (event.isPositional()) {
                double[] v = event.values();
                if (v.length != k) {
                    throw new DataFormatException(where + ": field 'features': " + v.length + " values but " + k
                            + " feature names " + names);
                }
                System.arraycopy(v, 0, x, rows * k, k);
            } else {
                Map<String, Double> byName = event.namedFeatures();
                for (int j = 0; j < k; j++) {
                    Double v = byName.get(names.get(j));
                    if (v == null) {
                        throw new DataFormatException(where + ": field 'features." + names.get(j) + "': missing");
                    }
                    x[rows * k + j] = v;
                }
            }
            y[rows] = event.label();
            positives += event.label();
            rows++;
        }

        Dataset build() throws DataFormatException {
            if (rows == 0) {
                throw new DataFormatException("topic '" + topic + "': no training records (for this model id) between"
                        + " the beginning and the end offsets");
            }
            if (positives == 0 || positives == rows) {
                throw new DataFormatException("topic '" + topic + "': field 'label': every one of the " + rows
                        + " records has label " + (positives == 0 ? 0 : 1) + "; logistic regression needs both classes");
            }
            return new Dataset(names, Arrays.copyOf(x, rows * names.size()), Arrays.copyOf(y, rows), "topic " + topic);
        }
    }
}
