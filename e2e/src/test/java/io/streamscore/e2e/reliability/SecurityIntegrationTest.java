package io.streamscore.e2e.reliability;

import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.trainer.synthetic.SyntheticData;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A broker with a SASL_PLAINTEXT (PLAIN) listener and StandardAuthorizer ACLs; the trainer and the scorer jars are
 * configured for it only through {@code --client-config}. The ACLs granted are exactly those of docs/security.md.
 */
@Tag("integration")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SecurityIntegrationTest {
    private static final Logger log = LoggerFactory.getLogger(SecurityIntegrationTest.class);
    private static final String LISTENER = "SASL_PLAINTEXT";
    private static final String SCORER_PW = "scorer-pw-9f3Kq";
    private static final String TRAINER_PW = "trainer-pw-7Hx2m";
    private static final String MALLORY_PW = "mallory-pw-4Tz8w";
    private static final String WRONG_PW = "wrong-pw-1Qa5c";
    private static EmbeddedKafkaBroker kafka;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafkaBroker.builder()
                .withListener(LISTENER, SecurityProtocol.SASL_PLAINTEXT)
                .withBrokerProperty("sasl.enabled.mechanisms", "PLAIN")
                .withBrokerProperty("listener.name.sasl_plaintext.plain.sasl.jaas.config",
                        "org.apache.kafka.common.security.plain.PlainLoginModule required user_scorer=\"" + SCORER_PW
                                + "\" user_trainer=\"" + TRAINER_PW + "\" user_mallory=\"" + MALLORY_PW + "\";")
                .withBrokerProperty("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                // PLAINTEXT/CONTROLLER principal: the broker itself and the test's admin, producer and readers.
                .withBrokerProperty("super.users", "User:ANONYMOUS")
                .start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    private static String jaas(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
    }

    private Path clientConfig(String name, String user, String password, String extra) throws Exception {
        return Reliability.write(dir.resolve(name + ".properties"), "security.protocol=SASL_PLAINTEXT\n"
                + "sasl.mechanism=PLAIN\n" + "sasl.jaas.config=" + jaas(user, password) + "\n" + extra);
    }

    private static AclBinding allow(String principal, ResourceType type, String name, PatternType pattern, AclOperation op) {
        return new AclBinding(new ResourcePattern(type, name, pattern),
                new AccessControlEntry("User:" + principal, "*", op, AclPermissionType.ALLOW));
    }

    /** The scorer's minimal ACLs (docs/security.md); {@code writeScores} false leaves out WRITE on the scores topic. */
    private static List<AclBinding> scorerAcls(String principal, String appId, Reliability.Topics t, boolean writeScores) {
        List<AclBinding> acls = new ArrayList<>(List.of(
                allow(principal, ResourceType.TOPIC, t.models(), PatternType.LITERAL, AclOperation.READ),
                allow(principal, ResourceType.TOPIC, t.features(), PatternType.LITERAL, AclOperation.READ),
                allow(principal, ResourceType.TOPIC, t.deadLetters(), PatternType.LITERAL, AclOperation.WRITE),
                allow(principal, ResourceType.TOPIC, t.shadowScores(), PatternType.LITERAL, AclOperation.WRITE),
                allow(principal, ResourceType.GROUP, appId, PatternType.LITERAL, AclOperation.READ),
                allow(principal, ResourceType.TRANSACTIONAL_ID, appId, PatternType.PREFIXED, AclOperation.WRITE)));
        acls.add(allow(principal, ResourceType.TOPIC, t.scores(), PatternType.LITERAL,
                writeScores ? AclOperation.WRITE : AclOperation.DESCRIBE));
        return acls;
    }

    /** The trainer's minimal ACLs for publishing (docs/security.md). */
    private static List<AclBinding> trainerAcls(String principal, String modelTopic) {
        return List.of(
                allow(principal, ResourceType.TOPIC, modelTopic, PatternType.LITERAL, AclOperation.CREATE),
                allow(principal, ResourceType.TOPIC, modelTopic, PatternType.LITERAL, AclOperation.DESCRIBE_CONFIGS),
                allow(principal, ResourceType.TOPIC, modelTopic, PatternType.LITERAL, AclOperation.READ),
                allow(principal, ResourceType.TOPIC, modelTopic, PatternType.LITERAL, AclOperation.WRITE),
                // Every publish is a transaction with transactional.id streamscore-models-<model id> (fencing).
                allow(principal, ResourceType.TRANSACTIONAL_ID, "streamscore-models-", PatternType.PREFIXED,
                        AclOperation.WRITE));
    }

    /** ACLs reach the authorizer through the metadata log a moment after createAcls returns: wait for the effect. */
    private static void awaitDescribable(String user, String password, String topic) throws InterruptedException {
        Map<String, Object> props = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(LISTENER),
                CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT", SaslConfigs.SASL_MECHANISM, "PLAIN",
                SaslConfigs.SASL_JAAS_CONFIG, jaas(user, password));
        try (Admin admin = Admin.create(props)) {
            String[] last = {""};
            Reliability.waitFor(user + " may describe " + topic, Duration.ofSeconds(30), () -> {
                try {
                    admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS);
                    return true;
                } catch (ExecutionException e) {
                    last[0] = String.valueOf(e.getCause());
                    return e.getCause() instanceof UnknownTopicOrPartitionException; // allowed, just not created yet
                } catch (Exception e) {
                    last[0] = String.valueOf(e);
                    return false;
                }
            }, () -> last[0]);
        }
    }

    private static void grant(List<AclBinding> acls) throws Exception {
        try (Admin admin = kafka.admin()) {
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
        }
    }

    private static void assertNoSecrets(Reliability.AppProcess p, String... secrets) {
        String output = p.output();
        for (String s : secrets) {
            assertFalse(output.contains(s), p.name() + " output contains the secret '" + s + "'");
        }
        assertFalse(output.contains("PlainLoginModule required username"), p.name() + " output contains the jaas config");
    }

    private List<String> scorerArgs(String appId, Reliability.Topics t, Path config) {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(LISTENER),
                "--application-id", appId, "--http-port", "0", "--client-config", config.toString()));
        args.addAll(t.flags());
        return args;
    }

    @Test
    void minimalAclsTrainAndScoreEndToEndAndNoSecretIsLogged() throws Exception {
        Reliability.Topics t = Reliability.Topics.named();
        kafka.createTopic(t.features(), 1, Map.of());
        kafka.createTopic(t.scores(), 1, Map.of());
        kafka.createTopic(t.deadLetters(), 1, Map.of());
        kafka.createTopic(t.shadowScores(), 1, Map.of());
        String appId = "secure-" + Reliability.shortId();
        List<AclBinding> acls = new ArrayList<>(trainerAcls("trainer", t.models()));
        acls.addAll(scorerAcls("scorer", appId, t, true));
        grant(acls);
        awaitDescribable("trainer", TRAINER_PW, t.models());
        awaitDescribable("scorer", SCORER_PW, t.scores());

        Path data = dir.resolve("clusters.csv");
        try (Writer w = Files.newBufferedWriter(data)) {
            SyntheticData.writeCsv(SyntheticData.overlappingClusters(200, 3), w);
        }
        Path trainerConfig = clientConfig("trainer", "trainer", TRAINER_PW, "");
        Reliability.AppProcess trainer = Reliability.launch("trainer", dir, "trainer", List.of("train", "--data",
                data.toString(), "--out", dir.resolve("m.json").toString(), "--model-id", "clusters", "--publish",
                "--bootstrap-servers", kafka.bootstrapServers(LISTENER), "--models-topic", t.models(),
                "--client-config", trainerConfig.toString()));
        assertEquals(0, trainer.awaitExit(Duration.ofSeconds(90)), trainer.tail());
        assertTrue(trainer.logContains("published model 'clusters' version 1"), trainer.tail());
        assertNoSecrets(trainer, TRAINER_PW);

        Path scorerConfig = clientConfig("scorer", "scorer", SCORER_PW, "state.dir=" + dir.resolve("state") + "\n");
        try (Reliability.AppProcess scorer = Reliability.launch("scorer", dir, "scorer", scorerArgs(appId, t, scorerConfig));
             KafkaProducer<byte[], byte[]> p = Reliability.producer(kafka, 60_000);
             Reliability.ScoreCounter scores = new Reliability.ScoreCounter(kafka, t.scores())) {
            for (int n = 0; n < 500; n++) {
                p.send(new ProducerRecord<>(t.features(), Reliability.key(n), Reliability.event(n, "clusters")));
            }
            p.flush();
            scores.awaitDistinct(500, Duration.ofSeconds(90));
            assertEquals(0, scores.duplicates());
            assertTrue(scorer.logContains("sasl.jaas.config=[hidden]"), "the start log shows the setting, masked:\n"
                    + scorer.tail());
            scorer.close(); // SIGTERM: the shutdown lines are checked for secrets too
            log.info("SASL/PLAIN + minimal ACLs: trainer published, scorer scored {} of 500 (exactly once)", scores.distinct());
            assertNoSecrets(scorer, SCORER_PW);
        }
    }

    @Test
    void wrongPasswordOrNoSaslFailFastWithAClearMessage() throws Exception {
        Reliability.Topics t = Reliability.Topics.named();
        String appId = "badpw-" + Reliability.shortId();
        Path wrong = clientConfig("wrong", "scorer", WRONG_PW, "");
        long t0 = System.nanoTime();
        try (Reliability.AppProcess scorer = Reliability.launch("scorer", dir, "scorer-wrong-password",
                scorerArgs(appId, t, wrong))) {
            assertEquals(1, scorer.awaitExit(Duration.ofSeconds(60)), scorer.tail());
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(scorer.logContains("SaslAuthenticationException"), scorer.tail());
            log.info("scorer, wrong password: exit 1 after {} ms: {}", ms, scorer.output().lines()
                    .filter(l -> l.startsWith("error:")).findFirst().orElse(""));
            assertNoSecrets(scorer, WRONG_PW, SCORER_PW);
        }

        Path data = dir.resolve("d.csv");
        try (Writer w = Files.newBufferedWriter(data)) {
            SyntheticData.writeCsv(SyntheticData.overlappingClusters(100, 3), w);
        }
        t0 = System.nanoTime();
        Reliability.AppProcess trainer = Reliability.launch("trainer", dir, "trainer-wrong-password", List.of("train",
                "--data", data.toString(), "--out", dir.resolve("m.json").toString(), "--quiet", "--publish",
                "--bootstrap-servers", kafka.bootstrapServers(LISTENER), "--models-topic", t.models(),
                "--client-config", clientConfig("trainer-wrong", "trainer", WRONG_PW, "").toString()));
        assertEquals(1, trainer.awaitExit(Duration.ofSeconds(90)), trainer.tail());
        log.info("trainer, wrong password: exit 1 after {} ms: {}", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
                trainer.output().lines().filter(l -> l.startsWith("error:")).findFirst().orElse(""));
        assertTrue(trainer.logContains("SaslAuthenticationException"), trainer.tail());
        assertTrue(Files.exists(dir.resolve("m.json")), "the model file is written anyway");
        assertNoSecrets(trainer, WRONG_PW, TRAINER_PW);

        // A PLAINTEXT client on the SASL listener gets no authentication error, only closed connections: bounded by
        // the startup limit, it ends with a message that points at --client-config.
        Path plain = Reliability.write(dir.resolve("plain.properties"), "streamscore.startup.timeout.ms=6000\n");
        t0 = System.nanoTime();
        try (Reliability.AppProcess scorer = Reliability.launch("scorer", dir, "scorer-plaintext",
                scorerArgs(appId, t, plain))) {
            assertEquals(1, scorer.awaitExit(Duration.ofSeconds(60)), scorer.tail());
            assertTrue(scorer.logContains("are SASL/SSL settings needed in --client-config?"), scorer.tail());
            log.info("scorer, PLAINTEXT on the SASL listener, startup limit 6 s: exit 1 after {} ms",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        }
    }

    @Test
    void aPrincipalThatMayNotWriteScoresStopsWithATopicAuthorizationError() throws Exception {
        Reliability.Topics t = Reliability.Topics.named().create(kafka, 1);
        Reliability.publish(kafka, t.models(), Reliability.train("clusters"));
        String appId = "nowrite-" + Reliability.shortId();
        grant(scorerAcls("mallory", appId, t, false));
        awaitDescribable("mallory", MALLORY_PW, t.scores());
        try (KafkaProducer<byte[], byte[]> p = Reliability.producer(kafka, 60_000)) {
            for (int n = 0; n < 10; n++) {
                p.send(new ProducerRecord<>(t.features(), Reliability.key(n), Reliability.event(n, "clusters")));
            }
        }
        Path config = clientConfig("mallory", "mallory", MALLORY_PW, "state.dir=" + dir.resolve("state") + "\n");
        long t0 = System.nanoTime();
        try (Reliability.AppProcess scorer = Reliability.launch("scorer", dir, "scorer-no-write", scorerArgs(appId, t, config))) {
            int exit = scorer.awaitExit(Duration.ofSeconds(120));
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            String out = scorer.output();
            log.info("scorer without WRITE on scores: exit {} after {} ms; {}", exit, ms, out.lines()
                    .filter(l -> l.contains("TopicAuthorizationException")).findFirst().orElse(""));
            assertEquals(1, exit, scorer.tail());
            assertTrue(out.contains("TopicAuthorizationException"), scorer.tail());
            assertTrue(out.contains(t.scores()), "names the topic:\n" + scorer.tail());
            assertNoSecrets(scorer, MALLORY_PW);
        }
    }
}
