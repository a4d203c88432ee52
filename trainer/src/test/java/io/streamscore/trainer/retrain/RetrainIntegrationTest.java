package io.streamscore.trainer.retrain;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.event.ModelSelection;
import io.streamscore.common.modellog.ModelLog;
import io.streamscore.common.outcome.Outcome;
import io.streamscore.common.outcome.OutcomeJson;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.devkit.junit.SharedKafkaBroker;
import io.streamscore.trainer.cli.CliRunner;
import io.streamscore.trainer.kafka.ModelPublisher;
import io.streamscore.trainer.kafka.TopicSnapshot;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code trainer retrain} against a real broker: outcomes written in the scorer's exact format, a champion on a real
 * model topic, decisions read back from the decisions topic and held to their published schema.
 */
@SharedKafkaBroker
@Tag("integration")
@Timeout(240)
class RetrainIntegrationTest {
    private static final List<String> FEATURES = List.of("x1", "x2");
    /** How the labels depend on the features before the drift ... */
    private static final double[] OLD_WEIGHTS = {1.5, -2.0};
    /** ... and after it: the champion trained on the old relation scores the new one badly. */
    private static final double[] NEW_WEIGHTS = {-2.0, 1.5};
    private static final int ROWS = 3000;

    private static EmbeddedKafkaBroker kafka;

    @BeforeAll
    static void broker(EmbeddedKafkaBroker shared) {
        kafka = shared;
    }

    private static Properties client() {
        Properties p = new Properties();
        p.put("bootstrap.servers", kafka.bootstrapServers());
        return p;
    }

    /** Topics and a model id of their own for one test. */
    private record Names(String modelId, String outcomes, String models, String decisions, String drift) {
        static Names fresh(String prefix) {
            String u = UUID.randomUUID().toString().substring(0, 8);
            return new Names(prefix + "-" + u, "outcomes-" + u, "models-" + u, "decisions-" + u, "drift-" + u);
        }
    }

    /** The champion: the exact relation the labels followed before the drift (version 1 on the model topic). */
    private static LogisticModel publishChampion(Names n, double[] weights) throws Exception {
        LogisticModel model = new LogisticModel(n.modelId(), 1, FEATURES, weights, 0.3, null, 0.5, null);
        try (ModelPublisher publisher = new ModelPublisher(client(), n.models(), Duration.ofSeconds(30))) {
            publisher.ensureCompactedTopic(1, Optional.empty());
            return publisher.publish(model).model();
        }
    }

    /**
     * Writes {@link #ROWS} outcomes of the model in the scorer's format, labelled over the last two hours (one row per
     * 2.4 s, oldest first, keyed by event id over two partitions): features standard normal, labels drawn from the
     * logistic relation {@code weights}, and in the oldest {@code noisyFraction} of the rows each label flipped with
     * probability {@code flip}. The probability is the champion's, as the scorer would have scored them.
     */
    private static void writeOutcomes(Names n, LogisticModel scoredBy, double[] weights, double noisyFraction,
                                      double flip, long seed) throws Exception {
        kafka.createTopic(n.outcomes(), 2, Map.of());
        Random random = new Random(seed);
        long now = System.currentTimeMillis();
        long step = Duration.ofHours(2).toMillis() / ROWS;
        Properties p = client();
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // One request in flight: with several, a run on a loaded machine once had a partition's batches refused as out
        // of order (OutOfOrderSequenceException) until they expired, and rows went missing; each send is checked below.
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < ROWS; i++) {
                double[] x = {random.nextGaussian(), random.nextGaussian()};
                double z = weights[0] * x[0] + weights[1] * x[1] + 0.3;
                int label = random.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
                if (i < noisyFraction * ROWS && random.nextDouble() < flip) {
                    label = 1 - label;
                }
                long labelledAt = now - Duration.ofHours(2).toMillis() + i * step;
                double probability = scoredBy.predictProbability(x);
                Outcome o = new Outcome("e-" + i, n.modelId(), scoredBy.version(), probability,
                        scoredBy.label(probability), scoredBy.threshold(), label, FEATURES, x, labelledAt - 60_000,
                        labelledAt - 59_990, labelledAt, null, ModelSelection.LATEST, false);
                sent.add(producer.send(new ProducerRecord<>(n.outcomes(), null, labelledAt,
                        ("e-" + i).getBytes(StandardCharsets.UTF_8), OutcomeJson.toBytes(o))));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get(60, TimeUnit.SECONDS);
            }
        }
    }

    private static ModelLog modelLog(Names n) throws Exception {
        try (ModelPublisher publisher = new ModelPublisher(client(), n.models(), Duration.ofSeconds(30))) {
            return publisher.read();
        }
    }

    /** Every decision on the topic, each held to the published schema and keyed by its model id. */
    private static List<Decision> decisions(Names n) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        TopicSnapshot.read(client(), n.decisions(), Duration.ofSeconds(30), records::add, x -> { });
        List<Decision> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
            DecisionSchema.assertValid(r.value());
            Decision d = DecisionJson.fromBytes(r.value());
            assertEquals(d.modelId(), new String(r.key(), StandardCharsets.UTF_8));
            assertEquals(d.decidedAt().toEpochMilli(), r.timestamp());
            out.add(d);
        }
        return out;
    }

    private static String[] retrain(Names n, String... more) {
        List<String> args = new ArrayList<>(List.of("retrain", "--model-id", n.modelId(), "--data-topic", n.outcomes(),
                "--models-topic", n.models(), "--decisions-topic", n.decisions(), "--since", "3h",
                "--bootstrap-servers", kafka.bootstrapServers()));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    @Test
    void theGateRefusesACandidateTrainedOnNoisyLabels() throws Exception {
        Names n = Names.fresh("gate-refuses");
        LogisticModel champion = publishChampion(n, OLD_WEIGHTS);
        // The older part (training) has 45% of its labels flipped; the newest 20% (held out) is clean.
        writeOutcomes(n, champion, OLD_WEIGHTS, 0.75, 0.45, 1);

        CliRunner.Run run = CliRunner.run(retrain(n));

        assertEquals(4, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("decision: REJECTED: candidate log-loss "), run.out());
        assertEquals(1, modelLog(n).highestVersionNumber(n.modelId()), "nothing was published");
        List<Decision> decisions = decisions(n);
        assertEquals(1, decisions.size());
        Decision d = decisions.get(0);
        assertEquals(Decision.Kind.REJECTED, d.kind());
        assertEquals(Decision.Trigger.MANUAL, d.trigger());
        assertEquals(GateMetric.LOG_LOSS, d.metric());
        assertEquals(1L, d.championVersion());
        assertNull(d.candidateVersion());
        assertTrue(d.candidateValue() > d.championValue(), d.toString());
        assertEquals(ROWS, d.trainRows() + d.holdoutRows());
        assertEquals(ROWS / 5, d.holdoutRows());
        assertTrue(d.reason().contains("more than the margin 0"), d.reason());
    }

    @Test
    void theGatePublishesACandidateThatFitsTheDriftedData() throws Exception {
        Names n = Names.fresh("gate-publishes");
        LogisticModel champion = publishChampion(n, OLD_WEIGHTS);
        writeOutcomes(n, champion, NEW_WEIGHTS, 0, 0, 2);

        CliRunner.Run run = CliRunner.run(retrain(n));

        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("decision: PUBLISHED as v2: candidate log-loss "), run.out());
        ModelLog log = modelLog(n);
        LogisticModel served = log.served(n.modelId());
        assertEquals(2, served.version());
        assertEquals(FEATURES, served.featureNames(), "the champion's features");
        Decision d = decisions(n).get(0);
        assertEquals(Decision.Kind.PUBLISHED, d.kind());
        assertEquals(1L, d.championVersion());
        assertEquals(2L, d.candidateVersion());
        assertTrue(d.candidateValue() < d.championValue(), d.toString());

        // The same rows again, as a challenger: the candidate is as good as v2 (same rows, same seed), so it passes
        // and is shadow-scored while v2 stays served.
        CliRunner.Run challenger = CliRunner.run(retrain(n, "--publish-as", "challenger", "--gate-metric", "auc"));
        assertEquals(0, challenger.exit(), challenger.out() + challenger.err());
        log = modelLog(n);
        assertEquals(2, log.served(n.modelId()).version());
        assertEquals(List.of(3L), log.challengers(n.modelId()).stream().map(LogisticModel::version).toList());
        List<Decision> all = decisions(n);
        assertEquals(2, all.size());
        assertEquals(Decision.Kind.PUBLISHED_AS_CHALLENGER, all.get(1).kind());
        assertEquals(3L, all.get(1).candidateVersion());
        assertEquals(GateMetric.AUC, all.get(1).metric());
    }

    @Test
    void tooFewRowsSkipTheRoundAndPublishNothing() throws Exception {
        Names n = Names.fresh("gate-skips");
        LogisticModel champion = publishChampion(n, OLD_WEIGHTS);
        writeOutcomes(n, champion, NEW_WEIGHTS, 0, 0, 3);

        CliRunner.Run run = CliRunner.run(retrain(n, "--min-rows", "1000"));

        assertEquals(5, run.exit(), run.out() + run.err());
        assertEquals(1, modelLog(n).highestVersionNumber(n.modelId()));
        Decision d = decisions(n).get(0);
        assertEquals(Decision.Kind.SKIPPED, d.kind());
        assertEquals("too few held-out rows to judge on: 600, fewer than --min-rows 1000", d.reason());
        assertNull(d.candidateValue());
    }

    @Test
    void watchModeRetrainsWhenADriftRecordWithAlertsAppears() throws Exception {
        Names n = Names.fresh("watch-drift");
        LogisticModel champion = publishChampion(n, OLD_WEIGHTS);
        writeOutcomes(n, champion, NEW_WEIGHTS, 0, 0, 4);
        kafka.createTopic(n.drift(), 1, Map.of());
        long windowEnd = System.currentTimeMillis() / 3_600_000L * 3_600_000L;
        // Records that must not trigger: no alerts and PSIs under the threshold; another model's alert.
        produce(n.drift(), n.modelId(), "{\"modelId\":\"" + n.modelId() + "\",\"modelVersion\":1,\"windowEndMs\":"
                + (windowEnd - 3_600_000L) + ",\"count\":1200,\"scorePsi\":0.02,\"featurePsi\":{\"x1\":0.03,\"x2\":0.01},"
                + "\"alerts\":[]}");
        produce(n.drift(), "other", "{\"modelId\":\"other\",\"modelVersion\":1,\"windowEndMs\":" + windowEnd
                + ",\"count\":1200,\"scorePsi\":0.5,\"featurePsi\":{},\"alerts\":[\"score\"]}");

        CompletableFuture<CliRunner.Run> watching = CompletableFuture.supplyAsync(() -> CliRunner.run(retrain(n,
                "--watch", "--on-drift", "--drift-topic", n.drift(), "--max-rounds", "1")));
        produce(n.drift(), n.modelId(), "{\"modelId\":\"" + n.modelId() + "\",\"modelVersion\":1,\"windowEndMs\":"
                + windowEnd + ",\"revision\":1,\"count\":1180,\"scorePsi\":0.41,\"featurePsi\":{\"x1\":0.38,"
                + "\"x2\":0.04},\"alerts\":[\"score\",\"x1\"]}");
        CliRunner.Run run = watching.get(180, TimeUnit.SECONDS);

        assertEquals(0, run.exit(), run.out() + run.err());
        assertTrue(run.out().contains("watch: drift fires: v1 window ending " + java.time.Instant.ofEpochMilli(windowEnd)
                + ", alerts score, x1; a round follows"), run.out());
        assertTrue(run.out().contains("watch: round 1 (drift: "), run.out());
        assertTrue(run.out().contains("watch: stopped after 1 round (--max-rounds 1)"), run.out());
        assertEquals(2, modelLog(n).served(n.modelId()).version());
        Decision d = decisions(n).get(0);
        assertEquals(Decision.Trigger.DRIFT, d.trigger());
        assertEquals(Decision.Kind.PUBLISHED, d.kind());
        assertEquals(windowEnd, d.driftWindowEndMs());
        assertEquals(2L, d.candidateVersion());
    }

    private static void produce(String topic, String key, String value) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(client(), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8),
                    value.getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
        }
    }
}
