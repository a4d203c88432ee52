package io.streamscore.trainer.data;

import io.streamscore.common.FeatureSchema;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.trainer.cli.CliRunner;
import io.streamscore.trainer.synthetic.SyntheticData;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("integration")
@Timeout(120)
class TopicDataLoaderIntegrationTest {
    private static EmbeddedKafkaBroker kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    private static Properties client() {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        return p;
    }

    /** Produces the values in order to partition 0 of a new topic. */
    private static String topicWith(List<String> values) throws Exception {
        String topic = "train-" + UUID.randomUUID();
        kafka.createTopic(topic, 1, Map.of());
        Properties p = client();
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (String v : values) {
                producer.send(new ProducerRecord<>(topic, 0, "k", v)).get();
            }
        }
        return topic;
    }

    @Test
    void readsNamedEventsOfOneModelInTopicOrder() throws Exception {
        String topic = topicWith(List.of(
                "{\"modelId\":\"m\",\"features\":{\"b\":2,\"a\":1},\"label\":1}",
                "{\"modelId\":\"other\",\"features\":{\"a\":9},\"label\":0}",
                "{\"modelId\":\"m\",\"features\":{\"a\":3,\"b\":4,\"extra\":5},\"label\":false}"));
        TopicDataLoader.Result r = TopicDataLoader.load(client(), topic, "m", ColumnSelection.ALL, Duration.ofSeconds(30), n -> { });
        Dataset d = r.data();
        assertEquals(List.of("b", "a"), d.featureNames(), "names of the first event, in its order");
        assertEquals(2, d.rows());
        assertEquals(3, r.recordsRead());
        assertEquals(1, r.recordsSkipped());
        assertArrayEquals(new double[] {2, 1}, d.row(0));
        assertArrayEquals(new double[] {4, 3}, d.row(1));
        assertEquals(1.0, d.label(0));
        assertEquals(0.0, d.label(1));
    }

    @Test
    void errorsNameTopicPartitionOffsetAndField() throws Exception {
        String missingLabel = topicWith(List.of("{\"modelId\":\"m\",\"features\":{\"a\":1},\"label\":1}",
                "{\"modelId\":\"m\",\"features\":{\"a\":1}}"));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> TopicDataLoader.load(client(), missingLabel, null, ColumnSelection.ALL, Duration.ofSeconds(30), n -> { }));
        assertEquals("topic '" + missingLabel + "' partition 0 offset 1: field 'label': missing; training records need"
                + " a label (0/1, true/false or 0.0/1.0)", e.getMessage());

        String missingFeature = topicWith(List.of("{\"modelId\":\"m\",\"features\":{\"a\":1,\"b\":2},\"label\":1}",
                "{\"modelId\":\"m\",\"features\":{\"a\":1},\"label\":0}"));
        e = assertThrows(DataFormatException.class,
                () -> TopicDataLoader.load(client(), missingFeature, null, ColumnSelection.ALL, Duration.ofSeconds(30), n -> { }));
        assertEquals("topic '" + missingFeature + "' partition 0 offset 1: field 'features.b': missing", e.getMessage());

        String malformed = topicWith(List.of("{\"modelId\":\"m\",\"features\":{\"a\":1},\"label\":1", "x"));
        e = assertThrows(DataFormatException.class,
                () -> TopicDataLoader.load(client(), malformed, null, ColumnSelection.ALL, Duration.ofSeconds(30), n -> { }));
        assertTrue(e.getMessage().startsWith("topic '" + malformed + "' partition 0 offset 0: MALFORMED_JSON: "), e.getMessage());

        e = assertThrows(DataFormatException.class,
                () -> TopicDataLoader.load(client(), "no-such-topic", null, ColumnSelection.ALL, Duration.ofSeconds(30), n -> { }));
        assertEquals("topic 'no-such-topic' does not exist on " + kafka.bootstrapServers(), e.getMessage());
    }

    @Test
    void trainFromATopicThroughTheCliWithPositionalEvents() throws Exception {
        Dataset source = SyntheticData.overlappingClusters(300, 5);
        List<String> values = new java.util.ArrayList<>();
        for (int i = 0; i < source.rows(); i++) {
            values.add("{\"modelId\":\"clusters\",\"features\":[" + source.value(i, 0) + "," + source.value(i, 1)
                    + "],\"label\":" + (int) source.label(i) + "}");
        }
        String topic = topicWith(values);
        Path out = dir.resolve("m.json");
        CliRunner.Run run = CliRunner.run("train", "--data-topic", topic, "--bootstrap-servers", kafka.bootstrapServers(),
                "--features", "x1,x2", "--model-id", "clusters", "--quiet", "--holdout", "0", "--out", out.toString());
        assertEquals(0, run.exit(), run.err());
        assertTrue(run.out().contains("data: topic " + topic + ", 600 rows x 2 features (300 positive)"), run.out());
        LogisticModel model = ModelJson.fromBytes(Files.readAllBytes(out));
        assertEquals(List.of("x1", "x2"), model.featureNames());
        assertTrue(model.metadata().metrics().get("train").get("accuracy") > 0.85);

        CliRunner.Run noNames = CliRunner.run("train", "--data-topic", topic, "--bootstrap-servers", kafka.bootstrapServers(),
                "--quiet", "--out", dir.resolve("x.json").toString());
        assertEquals(1, noNames.exit());
        assertTrue(noNames.err().contains("partition 0 offset 0: field 'features': positional (an array); name the columns with --features"),
                noNames.err());
    }

    @Test
    void positionalEventsThatNameAFeatureSchemaMustNameTheOneOfTheFeatures() throws Exception {
        String x1x2 = FeatureSchema.fingerprint(List.of("x1", "x2"));
        String x2x1 = FeatureSchema.fingerprint(List.of("x2", "x1"));
        String topic = topicWith(List.of(
                "{\"modelId\":\"m\",\"featureSchema\":\"" + x1x2 + "\",\"features\":[1,2],\"label\":1}",
                "{\"modelId\":\"m\",\"featureSchema\":\"" + x1x2.toUpperCase(java.util.Locale.ROOT)
                        + "\",\"features\":[3,4],\"label\":0}",
                "{\"modelId\":\"m\",\"features\":[5,6],\"label\":1}",
                "{\"modelId\":\"m\",\"featureSchema\":\"" + x2x1 + "\",\"features\":[8,7],\"label\":0}"));

        // --features x1,x2: the fourth event was built for x2,x1, so its array would train x1's weight on x2's values.
        DataFormatException e = assertThrows(DataFormatException.class, () -> TopicDataLoader.load(client(), topic, "m",
                ColumnSelection.only(List.of("x1", "x2")), Duration.ofSeconds(30), n -> { }));
        assertEquals("topic '" + topic + "' partition 0 offset 3: field 'featureSchema': the event's array follows feature"
                + " schema '" + x2x1 + "', but --features [x1, x2] has feature schema '" + x1x2 + "'; the values are in"
                + " another feature order: give --features in the order the events were built for", e.getMessage());

        // --features x2,x1: now the first event is the one built for another order.
        e = assertThrows(DataFormatException.class, () -> TopicDataLoader.load(client(), topic, "m",
                ColumnSelection.only(List.of("x2", "x1")), Duration.ofSeconds(30), n -> { }));
        assertTrue(e.getMessage().startsWith("topic '" + topic + "' partition 0 offset 0: field 'featureSchema': the"
                + " event's array follows feature schema '" + x1x2 + "', but --features [x2, x1] has feature schema '"
                + x2x1 + "'"), e.getMessage());

        // Matching (in any letter case) and unbound events load in --features order.
        String agreeing = topicWith(List.of(
                "{\"modelId\":\"m\",\"featureSchema\":\"" + x1x2 + "\",\"features\":[1,2],\"label\":1}",
                "{\"modelId\":\"m\",\"featureSchema\":\"" + x1x2.toUpperCase(java.util.Locale.ROOT)
                        + "\",\"features\":[3,4],\"label\":0}",
                "{\"modelId\":\"m\",\"features\":[5,6],\"label\":1}"));
        Dataset d = TopicDataLoader.load(client(), agreeing, "m", ColumnSelection.only(List.of("x1", "x2")),
                Duration.ofSeconds(30), n -> { }).data();
        assertEquals(3, d.rows());
        assertArrayEquals(new double[] {1, 2}, d.row(0));
        assertArrayEquals(new double[] {3, 4}, d.row(1));
        assertArrayEquals(new double[] {5, 6}, d.row(2));
    }

    @Test
    void aPositionalEventAfterNamedOnesNeedsTheFeatureOrder() throws Exception {
        String topic = topicWith(List.of(
                "{\"modelId\":\"m\",\"features\":{\"b\":2,\"a\":1},\"label\":1}",
                "{\"modelId\":\"m\",\"featureSchema\":\"" + FeatureSchema.fingerprint(List.of("b", "a"))
                        + "\",\"features\":[4,3],\"label\":0}"));
        DataFormatException e = assertThrows(DataFormatException.class, () -> TopicDataLoader.load(client(), topic, null,
                ColumnSelection.ALL, Duration.ofSeconds(30), n -> { }));
        assertEquals("topic '" + topic + "' partition 0 offset 1: field 'features': positional (an array), but the"
                + " columns [b, a] come from the names of an earlier event; name the columns in the array's order with"
                + " --features", e.getMessage());

        Dataset d = TopicDataLoader.load(client(), topic, null, ColumnSelection.only(List.of("b", "a")),
                Duration.ofSeconds(30), n -> { }).data();
        assertArrayEquals(new double[] {2, 1}, d.row(0));
        assertArrayEquals(new double[] {4, 3}, d.row(1));
    }

    /** Produces (timestamp, value) pairs in order to partition 0 of a new topic. */
    private static String topicWithTimes(List<Map.Entry<Long, String>> records) throws Exception {
        String topic = "train-" + UUID.randomUUID();
        kafka.createTopic(topic, 1, Map.of());
        Properties p = client();
        p.put("key.serializer", StringSerializer.class.getName());
        p.put("value.serializer", StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
            for (Map.Entry<Long, String> r : records) {
                producer.send(new ProducerRecord<>(topic, 0, r.getKey(), "k", r.getValue())).get();
            }
        }
        return topic;
    }

    @Test
    void aTimeRangeKeepsTheRowsOfItsRecordTimestampsAndDoesNotReadOlderOnes() throws Exception {
        String topic = topicWithTimes(List.of(
                Map.entry(1000L, "not json: before the range, never read"),
                Map.entry(2000L, "{\"modelId\":\"m\",\"features\":{\"a\":1},\"label\":1}"),
                Map.entry(5000L, "{\"modelId\":\"m\",\"features\":{\"a\":2},\"label\":0}"),
                Map.entry(2500L, "{\"modelId\":\"other\",\"features\":{\"a\":9},\"label\":0}"),
                Map.entry(1500L, "{\"modelId\":\"m\",\"features\":{\"a\":3},\"label\":0}"),
                Map.entry(4999L, "{\"modelId\":\"m\",\"features\":{\"a\":4},\"label\":1}")));
        TopicDataLoader.TimedResult r = TopicDataLoader.loadRange(client(), topic, "m", ColumnSelection.ALL, 2000, 5000,
                Duration.ofSeconds(30), n -> { });
        assertEquals(2, r.data().rows(), "2000 is in [2000, 5000), 5000 is not, nor 1500 (written later)");
        assertArrayEquals(new double[] {1}, r.data().row(0));
        assertArrayEquals(new double[] {4}, r.data().row(1));
        assertArrayEquals(new long[] {2000, 4999}, r.timestamps());
        assertEquals(5, r.recordsRead(), "read from the first record at or after 2000: offset 0 is never read");
        assertEquals(1, r.recordsSkipped());
        assertEquals(2, r.recordsOutside());

        TopicDataLoader.TimedResult none = TopicDataLoader.loadRange(client(), topic, "m", ColumnSelection.ALL, 6000,
                7000, Duration.ofSeconds(30), n -> { });
        assertEquals(null, none.data());
        assertEquals(0, none.timestamps().length);
        assertEquals(0, none.recordsRead());
    }

    @Test
    void labelsFollowTheSameGrammarAsCsv() throws Exception {
        String topic = topicWith(List.of(
                "{\"modelId\":\"m\",\"features\":{\"a\":1},\"label\":1}",
                "{\"modelId\":\"m\",\"features\":{\"a\":2},\"label\":0.0}",
                "{\"modelId\":\"m\",\"features\":{\"a\":3},\"label\":1.0}",
                "{\"modelId\":\"m\",\"features\":{\"a\":4},\"label\":false}",
                "{\"modelId\":\"m\",\"features\":{\"a\":5},\"label\":\"TRUE\"}",
                "{\"modelId\":\"m\",\"features\":{\"a\":6},\"label\":\"0\"}"));
        Dataset d = TopicDataLoader.load(client(), topic, null, ColumnSelection.ALL, Duration.ofSeconds(30), n -> { }).data();
        assertArrayEquals(new double[] {1, 0, 1, 0, 1, 0}, new double[] {d.label(0), d.label(1), d.label(2), d.label(3),
                d.label(4), d.label(5)});
        assertArrayEquals(new double[] {5}, d.row(4));

        String bad = topicWith(List.of("{\"modelId\":\"m\",\"features\":{\"a\":1},\"label\":1}",
                "{\"modelId\":\"m\",\"features\":{\"a\":1},\"label\":2.0}"));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> TopicDataLoader.load(client(), bad, null, ColumnSelection.ALL, Duration.ofSeconds(30), n -> { }));
        assertEquals("topic '" + bad + "' partition 0 offset 1: field 'label': '2.0' is not 0/1, true/false or 0.0/1.0",
                e.getMessage());
    }

    @Test
    void oneModelIdPerRun() throws Exception {
        String mixed = topicWith(List.of(
                "{\"modelId\":\"fraud\",\"features\":{\"a\":1,\"id\":7},\"label\":1}",
                "{\"modelId\":\"churn\",\"features\":{\"a\":2,\"id\":8},\"label\":0}",
                "{\"modelId\":\"fraud\",\"features\":{\"a\":3,\"id\":9},\"label\":0}"));
        DataFormatException e = assertThrows(DataFormatException.class,
                () -> TopicDataLoader.load(client(), mixed, null, ColumnSelection.ALL, Duration.ofSeconds(30), n -> { }));
        assertEquals("topic '" + mixed + "': events for more than one model id (fraud, churn); train one of them with"
                + " --model-id", e.getMessage());

        TopicDataLoader.Result fraud = TopicDataLoader.load(client(), mixed, "fraud",
                ColumnSelection.allBut(List.of("id")), Duration.ofSeconds(30), n -> { });
        assertEquals("fraud", fraud.modelId());
        assertEquals(List.of("a"), fraud.data().featureNames());
        assertEquals(2, fraud.data().rows());
        assertEquals(1, fraud.recordsSkipped());

        // One model id on the topic: it names the model (not the topic).
        Dataset source = SyntheticData.overlappingClusters(100, 6);
        List<String> values = new java.util.ArrayList<>();
        for (int i = 0; i < source.rows(); i++) {
            values.add("{\"modelId\":\"clusters\",\"features\":{\"x1\":" + source.value(i, 0) + ",\"x2\":"
                    + source.value(i, 1) + "},\"label\":" + (int) source.label(i) + "}");
        }
        String single = topicWith(values);
        Path out = dir.resolve("single.json");
        CliRunner.Run run = CliRunner.run("train", "--data-topic", single, "--bootstrap-servers", kafka.bootstrapServers(),
                "--quiet", "--out", out.toString());
        assertEquals(0, run.exit(), run.err());
        assertEquals("clusters", ModelJson.fromBytes(Files.readAllBytes(out)).modelId());
    }
}
