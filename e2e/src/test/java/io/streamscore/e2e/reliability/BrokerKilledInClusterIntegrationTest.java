package io.streamscore.e2e.reliability;

import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerConfig;
import kafka.server.BrokerServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.metadata.bootstrap.BootstrapMetadata;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A 3-broker KRaft cluster (Kafka's own test kit, one separate controller) with every topic at replication factor 3 and
 * {@code min.insync.replicas=2}: an exactly-once scorer scores 100,000 events while one broker, the leader of score
 * partition 0, is killed in the middle and started again once the cluster has recovered without it. Scores read with
 * {@code isolation.level=read_committed}: nothing lost, nothing duplicated.
 *
 * <p>The kill is as hard as an in-process broker allows: {@code controlled.shutdown.enable=false}, so the broker does
 * not tell the controller nor hand its leaderships over (the controller finds out when its heartbeats stop, after
 * {@code broker.session.timeout.ms}, 9 s by default), its sockets close under the clients, and its clean-shutdown
 * marker is deleted before the restart, so it recovers its logs as after a crash. What it cannot do is lose what the
 * operating system had not written to disk yet; with acks=all and two in-sync replicas left, that data lives on the
 * other two brokers anyway. Recovery times go to the log and RELIABILITY.md, not into assertions.
 */
@Tag("integration")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BrokerKilledInClusterIntegrationTest {
    private static final Logger log = LoggerFactory.getLogger(BrokerKilledInClusterIntegrationTest.class);
    private static final int BROKERS = 3;
    private static final short REPLICATION = 3;
    private static final int PARTITIONS = 4;
    private static final int EVENTS = 100_000;
    private static final int KILL_AFTER = 20_000;
    /** Kafka's name for the file a broker writes on a clean shutdown (CleanShutdownFileHandler). */
    private static final String CLEAN_SHUTDOWN_MARKER = ".kafka_cleanshutdown";

    @TempDir
    Path dir;

    @Test
    void aBrokerKilledUnderLoadLosesAndDuplicatesNothingUnderExactlyOnce() throws Exception {
        try (KafkaClusterTestKit cluster = startCluster()) {
            String bootstrap = cluster.bootstrapServers(); // every broker's address, taken while all are up
            Reliability.Topics t = Reliability.Topics.named();
            try (Admin admin = admin(bootstrap)) {
                createTopics(admin, t);
                assertReplicatedAndMinIsr(admin, t);
            }
            Reliability.publish(bootstrap, t.models(), Reliability.train("clusters"));

            String appId = "cluster-" + Reliability.shortId();
            Map<String, String> file = new HashMap<>(Map.of("state.dir", dir.resolve("state").toString()));
            Map<String, String> flags = new HashMap<>(Map.of(ScorerConfig.BOOTSTRAP_SERVERS, bootstrap,
                    ScorerConfig.APPLICATION_ID, appId, ScorerConfig.HTTP_PORT, "0",
                    ScorerConfig.PROCESSING_GUARANTEE, ScorerConfig.EXACTLY_ONCE_V2,
                    ScorerConfig.MODELS_TOPIC, t.models(), ScorerConfig.FEATURES_TOPIC, t.features(),
                    ScorerConfig.SCORES_TOPIC, t.scores(), ScorerConfig.DEAD_LETTERS_TOPIC, t.deadLetters(),
                    ScorerConfig.SHADOW_SCORES_TOPIC, t.shadowScores()));

            AtomicLong produced = new AtomicLong();
            AtomicReference<Throwable> producerFailure = new AtomicReference<>();
            Thread producer = new Thread(() -> {
                // delivery.timeout.ms 120 s: the leader moves are ridden out by the idempotent producer's retries.
                try (KafkaProducer<byte[], byte[]> p = Reliability.producer(bootstrap, 120_000)) {
                    for (int n = 0; n < EVENTS; n++) {
                        p.send(new ProducerRecord<>(t.features(), Reliability.key(n), Reliability.event(n, "clusters")),
                                (meta, e) -> {
                                    if (e != null) {
                                        producerFailure.compareAndSet(null, e);
                                    }
                                });
                        if (n % 500 == 499) {
                            p.flush();
                            produced.set(n + 1);
                            // Rate limit (~2.5k events/s at most, 40 s for all), not a synchronisation: the producer is
                            // still sending when the broker is killed, so the kill lands on both ends of the scorer.
                            TimeUnit.MILLISECONDS.sleep(200);
                        }
                    }
                    p.flush();
                    produced.set(EVENTS);
                } catch (Throwable e) {
                    producerFailure.compareAndSet(null, e);
                }
            }, "cluster-test-producer");

            try (ScorerApp.Running scorer = new ScorerApp(ScorerConfig.resolve(file, flags)).start();
                 Reliability.ScoreCounter scores = new Reliability.ScoreCounter(bootstrap, t.scores());
                 Reliability.ScoreCounter dead = new Reliability.ScoreCounter(bootstrap, t.deadLetters());
                 Admin admin = admin(bootstrap)) {
                assertTrue(scorer.awaitRunning(Duration.ofSeconds(90)), "scorer RUNNING: " + scorer.state());
                producer.start();
                scores.awaitDistinct(KILL_AFTER, Duration.ofSeconds(120));

                int victim = leaderOf(admin, t.scores(), 0);
                int ledByVictim = ledBy(admin, t, victim);
                String coordinators = coordinators(admin, appId);
                // What read_committed readers can see at the kill; a score beyond it was committed afterwards.
                Map<Integer, Long> committedAtKill = scores.endOffsets(Duration.ofSeconds(10));
                long scoredAtKill = scores.distinct();
                long producedAtKill = produced.get();
                assertTrue(producedAtKill < EVENTS, "the kill must come while events are still produced; produced "
                        + producedAtKill + " of " + EVENTS + " before " + scoredAtKill + " were scored");

                BrokerServer broker = cluster.brokers().get(victim);
                long killNanos = System.nanoTime();
                broker.shutdown(); // controlled.shutdown.enable=false: no handover, the controller is not told
                broker.awaitShutdown();
                long downMs = msSince(killNanos);
                int markers = deleteCleanShutdownMarkers(cluster.nodes().brokerNodes().get(victim).logDataDirectories());
                assertTrue(markers > 0, "the killed broker left no " + CLEAN_SHUTDOWN_MARKER + " to delete; has Kafka "
                        + "renamed it? Without deleting it the restart would not recover its logs as after a crash");
                log.info("broker {} (leader of {} of the test's partitions, score partition 0 among them; {}) killed "
                                + "after {} distinct committed scores, {} events produced; down in {} ms", victim,
                        ledByVictim, coordinators, scoredAtKill, producedAtKill, downMs);

                // The cluster without it: the first score committed after the kill, then one on every partition.
                long deadline = killNanos + Duration.ofSeconds(120).toNanos();
                Map<Integer, Long> movedMs = new TreeMap<>();
                long leaderMovedMs = -1;
                while (movedMs.size() < committedAtKill.size()) {
                    awaitOrFail(deadline, "a score committed after the kill on every score partition (moved so far: "
                            + movedMs + ")", scorer);
                    scores.poll(Duration.ofMillis(50));
                    if (leaderMovedMs < 0 && isLedByAnother(admin, t.scores(), 0, victim)) {
                        leaderMovedMs = msSince(killNanos);
                    }
                    committedAtKill.forEach((partition, end) -> {
                        if (scores.lastOffset(partition) >= end) {
                            movedMs.putIfAbsent(partition, msSince(killNanos));
                        }
                    });
                }
                long firstNewScoreMs = movedMs.values().stream().mapToLong(Long::longValue).min().orElseThrow();
                long everyPartitionMs = movedMs.values().stream().mapToLong(Long::longValue).max().orElseThrow();
                int newLeaderOfScores0 = leaderOf(admin, t.scores(), 0);

                // Back again, as a supervisor restarts a crashed broker: it recovers its logs, catches up, rejoins.
                long restartNanos = System.nanoTime();
                broker.startup();
                long startedMs = msSince(restartNanos);
                Reliability.waitFor("broker " + victim + " back in the ISR of every partition of the test's topics",
                        Duration.ofSeconds(120), () -> inEveryIsr(admin, t, victim),
                        () -> "ISRs without it: " + isrsWithout(admin, t, victim));
                long backInIsrMs = msSince(restartNanos);

                scores.awaitDistinct(EVENTS, Duration.ofSeconds(180));
                long allScoredMs = msSince(killNanos);
                producer.join(TimeUnit.SECONDS.toMillis(60));
                assertNull(producerFailure.get(), "producer failed: " + producerFailure.get());
                scores.drainToEnd(Duration.ofSeconds(30));
                dead.drainToEnd(Duration.ofSeconds(30));
                long lost = scores.lost(EVENTS);
                long duplicates = scores.duplicates();
                log.info("3 brokers, RF 3, min ISR 2, exactly_once_v2: kill -> score partition 0 led by another broker "
                                + "{} ms, -> first new committed score {} ms, -> on "
                                + "every score partition {} ms (by partition {}; score partition 0 now led by {}), -> all {} "
                                + "scored {} ms; "
                                + "restart -> broker started {} ms, -> back in every ISR {} ms; score records {}, distinct "
                                + "{}, lost {}, duplicated {}, dead letters {}, scorer {} (stream threads replaced: {})",
                        leaderMovedMs, firstNewScoreMs, everyPartitionMs, movedMs, newLeaderOfScores0, EVENTS, allScoredMs, startedMs,
                        backInIsrMs, scores.records(), scores.distinct(), lost, duplicates, dead.records(),
                        scorer.state(), scorer.metrics().threadsReplacedCount());
                assertEquals(0, lost, "lost");
                assertEquals(0, duplicates, "duplicated");
                assertEquals(0, dead.records(), "dead letters: every event is valid and its model exists");
                assertTrue(scorer.awaitRunning(Duration.ofSeconds(30)), "scorer still RUNNING: " + scorer.state());
            } finally {
                producer.join(TimeUnit.SECONDS.toMillis(130));
            }
        }
    }

    /**
     * Three brokers and one controller of their own, so killing a broker leaves the metadata quorum alone. Production
     * metadata version and features (the test kit's default is the newest testing ones), production settings otherwise
     * except fewer threads (two shared cores) and internal topics with fewer partitions.
     */
    private static KafkaClusterTestKit startCluster() throws Exception {
        MetadataVersion version = MetadataVersion.latestProduction();
        Map<String, Short> features = Feature.PRODUCTION_FEATURES.stream()
                .collect(Collectors.toMap(Feature::featureName, f -> f.defaultLevel(version), (a, b) -> a, TreeMap::new));
        TestKitNodes nodes = new TestKitNodes.Builder(BootstrapMetadata.fromVersions(version, features, "streamscore"))
                .setCombined(false)
                .setNumBrokerNodes(BROKERS)
                .setNumControllerNodes(1)
                .build();
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(nodes)
                .setConfigProp("unstable.api.versions.enable", "false")
                .setConfigProp("unstable.feature.versions.enable", "false")
                .setConfigProp("default.replication.factor", String.valueOf(REPLICATION))
                .setConfigProp("min.insync.replicas", "2")
                .setConfigProp("offsets.topic.replication.factor", String.valueOf(REPLICATION))
                .setConfigProp("offsets.topic.num.partitions", "6")
                .setConfigProp("transaction.state.log.replication.factor", String.valueOf(REPLICATION))
                .setConfigProp("transaction.state.log.min.isr", "2")
                .setConfigProp("transaction.state.log.num.partitions", "6")
                .setConfigProp("controlled.shutdown.enable", "false")
                .setConfigProp("auto.create.topics.enable", "false")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("num.network.threads", "2")
                .setConfigProp("num.io.threads", "2")
                .setConfigProp("background.threads", "2")
                .setConfigProp("log.cleaner.threads", "1")
                .build();
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    private static Admin admin(String bootstrap) {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000));
    }

    private static List<String> topics(Reliability.Topics t) {
        return List.of(t.models(), t.features(), t.scores(), t.deadLetters(), t.shadowScores());
    }

    private static void createTopics(Admin admin, Reliability.Topics t) throws Exception {
        List<NewTopic> topics = new ArrayList<>();
        topics.add(new NewTopic(t.models(), 1, REPLICATION).configs(Map.of("cleanup.policy", "compact")));
        for (String name : List.of(t.features(), t.scores(), t.deadLetters(), t.shadowScores())) {
            topics.add(new NewTopic(name, PARTITIONS, REPLICATION));
        }
        admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        // A broker that has not yet learned of a new topic answers UNKNOWN_TOPIC_OR_PARTITION for a moment: that is
        // "not yet", not a failure.
        Reliability.waitFor("a leader and 3 in-sync replicas on every partition", Duration.ofSeconds(60),
                () -> describeKnown(admin, t).map(ds -> ds.values().stream().flatMap(d -> d.partitions().stream())
                        .allMatch(p -> p.leader() != null && p.isr().size() == REPLICATION)).orElse(false),
                () -> describeKnown(admin, t).map(Object::toString).orElse("some topic not known yet"));
    }

    /** The topics' descriptions, or empty while a broker does not know one of them yet. */
    private static java.util.Optional<Map<String, TopicDescription>> describeKnown(Admin admin, Reliability.Topics t) {
        try {
            return java.util.Optional.of(describe(admin, t));
        } catch (IllegalStateException e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) {
                    return java.util.Optional.empty();
                }
            }
            throw e;
        }
    }

    /** What the test claims: every topic has 3 replicas per partition and min.insync.replicas=2. */
    private static void assertReplicatedAndMinIsr(Admin admin, Reliability.Topics t) throws Exception {
        for (TopicDescription d : describe(admin, t).values()) {
            for (TopicPartitionInfo p : d.partitions()) {
                assertEquals(REPLICATION, p.replicas().size(), d.name() + "-" + p.partition() + " replicas");
            }
        }
        List<ConfigResource> resources = topics(t).stream()
                .map(name -> new ConfigResource(ConfigResource.Type.TOPIC, name)).toList();
        Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get(30, TimeUnit.SECONDS);
        configs.forEach((r, c) -> assertEquals("2", c.get("min.insync.replicas").value(), r.name() + " min ISR"));
    }

    private static Map<String, TopicDescription> describe(Admin admin, Reliability.Topics t) {
        try {
            return admin.describeTopics(topics(t)).allTopicNames().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("describeTopics failed: " + e, e);
        }
    }

    private static int leaderOf(Admin admin, String topic, int partition) throws Exception {
        Node leader = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic)
                .partitions().get(partition).leader();
        assertTrue(leader != null && !leader.isEmpty(), topic + "-" + partition + " has a leader");
        return leader.id();
    }

    /**
     * Which brokers coordinate the scorer's consumer group and its transactions: a kill of one of them also stalls
     * the commits of partitions it does not lead, until the coordinator role has moved.
     */
    private static String coordinators(Admin admin, String appId) throws Exception {
        int group = admin.describeConsumerGroups(List.of(appId)).describedGroups().get(appId)
                .get(30, TimeUnit.SECONDS).coordinator().id();
        List<String> ids = admin.listTransactions().all().get(30, TimeUnit.SECONDS).stream()
                .map(TransactionListing::transactionalId).filter(id -> id.startsWith(appId)).toList();
        List<Integer> transactions = ids.isEmpty() ? List.of() : admin.describeTransactions(ids).all()
                .get(30, TimeUnit.SECONDS).values().stream().map(TransactionDescription::coordinatorId).toList();
        return "group coordinator " + group + ", transaction coordinator " + transactions;
    }

    /** Whether the partition has a leader other than {@code broker} now; false while none is known. */
    private static boolean isLedByAnother(Admin admin, String topic, int partition, int broker) {
        try {
            Node leader = admin.describeTopics(List.of(topic)).allTopicNames().get(5, TimeUnit.SECONDS).get(topic)
                    .partitions().get(partition).leader();
            return leader != null && !leader.isEmpty() && leader.id() != broker;
        } catch (Exception e) {
            return false; // asked again on the next round
        }
    }

    private static int ledBy(Admin admin, Reliability.Topics t, int broker) {
        return (int) describe(admin, t).values().stream().flatMap(d -> d.partitions().stream())
                .filter(p -> p.leader() != null && p.leader().id() == broker).count();
    }

    private static boolean inEveryIsr(Admin admin, Reliability.Topics t, int broker) {
        return isrsWithout(admin, t, broker).isEmpty();
    }

    private static List<String> isrsWithout(Admin admin, Reliability.Topics t, int broker) {
        List<String> without = new ArrayList<>();
        describe(admin, t).values().forEach(d -> d.partitions().forEach(p -> {
            if (p.isr().stream().noneMatch(n -> n.id() == broker)) {
                without.add(d.name() + "-" + p.partition() + " isr " + p.isr().stream().map(Node::id).toList());
            }
        }));
        return without;
    }


    private static int deleteCleanShutdownMarkers(Collection<String> logDirs) throws Exception {
        int deleted = 0;
        for (String logDir : logDirs) {
            if (Files.deleteIfExists(Path.of(logDir, CLEAN_SHUTDOWN_MARKER))) {
                deleted++;
            }
        }
        return deleted;
    }

    private static void awaitOrFail(long deadlineNanos, String what, ScorerApp.Running scorer) {
        if (System.nanoTime() > deadlineNanos) {
            fail("no " + what + " within 120 s of the kill; scorer " + scorer.state());
        }
    }

    private static long msSince(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - nanos);
    }
}
