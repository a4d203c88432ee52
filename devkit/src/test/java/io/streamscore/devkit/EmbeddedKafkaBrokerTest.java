package io.streamscore.devkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.SecurityProtocol;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedKafkaBrokerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void shouldProduceAndConsumeOnCompactedAndPartitionedTopics() throws Exception {
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
            assertTrue(kafka.bootstrapServers().startsWith("127.0.0.1:"), kafka.bootstrapServers());
            kafka.createTopic("models", 1, Map.of("cleanup.policy", "compact"));
            kafka.createTopic("features", 4, Map.of());

            try (Admin admin = kafka.admin()) {
                ConfigResource models = new ConfigResource(ConfigResource.Type.TOPIC, "models");
                Config config = admin.describeConfigs(List.of(models)).all().get(30, TimeUnit.SECONDS).get(models);
                assertEquals("compact", config.get("cleanup.policy").value());
                assertEquals(4, admin.describeTopics(List.of("features")).allTopicNames()
                        .get(30, TimeUnit.SECONDS).get("features").partitions().size());
            }

            Map<String, String> sent = new LinkedHashMap<>();
            for (int i = 0; i < 200; i++) {
                sent.put("key-" + i, "value-" + i);
            }
            produce(kafka.bootstrapServers(), "features", sent);
            produce(kafka.bootstrapServers(), "models", Map.of("model-a", "v1"));

            List<ConsumerRecord<String, String>> received = consumeInGroup(kafka.bootstrapServers(), "features",
                    sent.size());
            Map<String, String> byKey = new HashMap<>();
            Set<Integer> partitions = new TreeSet<>();
            for (ConsumerRecord<String, String> record : received) {
                byKey.put(record.key(), record.value());
                partitions.add(record.partition());
            }
            assertEquals(sent, byKey);
            assertEquals(Set.of(0, 1, 2, 3), partitions, "200 keys should spread over all 4 partitions");
            assertEquals("v1", consumeInGroup(kafka.bootstrapServers(), "models", 1).get(0).value());
        }
    }

    @Test
    void shouldKeepDataAndPortsAcrossStopAndRestart() throws Exception {
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
            kafka.createTopic("events", 2, Map.of());
            produce(kafka.bootstrapServers(), "events", Map.of("a", "1", "b", "2"));
            String before = kafka.bootstrapServers();

            long stopStart = System.nanoTime();
            kafka.stop();
            long stopMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopStart);
            assertFalse(kafka.isRunning());
            kafka.stop(); // a second stop is a no-op

            long restartStart = System.nanoTime();
            kafka.restart();
            long restartMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartStart);
            System.err.printf("devkit timing: stop %d ms, restart %d ms%n", stopMillis, restartMillis);

            assertTrue(kafka.isRunning());
            assertEquals(before, kafka.bootstrapServers());
            produce(kafka.bootstrapServers(), "events", Map.of("c", "3"));
            Map<String, String> values = new HashMap<>();
            for (ConsumerRecord<String, String> record : consumeInGroup(kafka.bootstrapServers(), "events", 3)) {
                values.put(record.key(), record.value());
            }
            assertEquals(Map.of("a", "1", "b", "2", "c", "3"), values);
            assertThrows(IllegalStateException.class, kafka::restart, "restart while running must fail");
        }
    }

    @Test
    void shouldRunTwoBrokersInOneJvmWithoutSharingAnything() throws Exception {
        try (EmbeddedKafkaBroker first = EmbeddedKafkaBroker.start();
             EmbeddedKafkaBroker second = EmbeddedKafkaBroker.start()) {
            assertNotEquals(first.bootstrapServers(), second.bootstrapServers());
            assertNotEquals(first.dataDir(), second.dataDir());
            first.createTopic("same-name", 1, Map.of());
            second.createTopic("same-name", 1, Map.of());
            produce(first.bootstrapServers(), "same-name", Map.of("k", "first"));
            produce(second.bootstrapServers(), "same-name", Map.of("k", "second"));

            assertEquals("first", consumeInGroup(first.bootstrapServers(), "same-name", 1).get(0).value());
            assertEquals("second", consumeInGroup(second.bootstrapServers(), "same-name", 1).get(0).value());
        }
    }

    @Test
    void shouldCloseTwiceAndDeleteItsTempDir() {
        EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start();
        Path dir = kafka.dataDir();
        assertTrue(Files.isDirectory(dir));

        long closeStart = System.nanoTime();
        kafka.close();
        System.err.printf("devkit timing: close %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - closeStart));
        kafka.close();

        assertFalse(Files.exists(dir), "temp data dir should be deleted on close: " + dir);
        assertFalse(kafka.isRunning());
        assertThrows(IllegalStateException.class, kafka::restart);
    }

    @Test
    void shouldKeepACallerGivenDataDirForTheNextBroker(@TempDir Path dir) throws Exception {
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder().withDataDir(dir).start()) {
            kafka.createTopic("kept", 1, Map.of());
            produce(kafka.bootstrapServers(), "kept", Map.of("k", "v"));
        }
        assertTrue(Files.isDirectory(dir.resolve("logs")), "caller's dir must survive close");

        try (EmbeddedKafkaBroker again = EmbeddedKafkaBroker.builder().withDataDir(dir).start()) {
            assertEquals("v", consumeInGroup(again.bootstrapServers(), "kept", 1).get(0).value());
        }
    }

    @Test
    void shouldServeAnExtraSaslListenerWithAcls() throws Exception {
        String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required "
                + "user_alice=\"alice-secret\";";
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.builder()
                .withListener("SASL_PLAINTEXT", SecurityProtocol.SASL_PLAINTEXT)
                .withBrokerProperty("sasl.enabled.mechanisms", "PLAIN")
                .withBrokerProperty("listener.name.sasl_plaintext.plain.sasl.jaas.config", jaas)
                .withBrokerProperty("authorizer.class.name",
                        "org.apache.kafka.metadata.authorizer.StandardAuthorizer")
                // The PLAINTEXT and CONTROLLER listeners authenticate nobody: their ANONYMOUS principal is the
                // broker itself and the devkit's admin, so it must be a super user once an authorizer is on.
                .withBrokerProperty("super.users", "User:ANONYMOUS")
                .start()) {
            kafka.createTopic("secured", 1, Map.of());
            Map<String, Object> alice = Map.of(
                    CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers("SASL_PLAINTEXT"),
                    CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT",
                    SaslConfigs.SASL_MECHANISM, "PLAIN",
                    SaslConfigs.SASL_JAAS_CONFIG, "org.apache.kafka.common.security.plain.PlainLoginModule "
                            + "required username=\"alice\" password=\"alice-secret\";");

            try (Admin asAlice = Admin.create(alice)) {
                ExecutionException denied = assertThrows(ExecutionException.class, () -> asAlice.createTopics(
                        List.of(new NewTopic("alice-topic", 1, (short) 1))).all().get(30, TimeUnit.SECONDS));
                assertInstanceOf(TopicAuthorizationException.class, denied.getCause());

                try (Admin superUser = kafka.admin()) {
                    superUser.createAcls(List.of(new AclBinding(
                            new ResourcePattern(ResourceType.TOPIC, "alice-", PatternType.PREFIXED),
                            new AccessControlEntry("User:alice", "*", AclOperation.ALL, AclPermissionType.ALLOW))))
                            .all().get(30, TimeUnit.SECONDS);
                }
                // ACLs reach the authorizer through the metadata log, a moment after createAcls returns.
                awaitTopicCreated(asAlice, "alice-topic");
            }
        }
    }

    @Test
    void shouldRejectUnknownListenerNames() {
        try (EmbeddedKafkaBroker kafka = EmbeddedKafkaBroker.start()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> kafka.bootstrapServers("SSL"));
            assertTrue(e.getMessage().contains("SSL"), e.getMessage());
        }
    }

    private static void awaitTopicCreated(Admin admin, String topic) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(10, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                last = e.getCause();
            } catch (java.util.concurrent.TimeoutException e) {
                last = e;
            }
        }
        throw new AssertionError("expected alice to create " + topic + " once allowed within " + WAIT
                + ", last error: " + last, last);
    }

    private static void produce(String bootstrap, String topic, Map<String, String> records) throws Exception {
        Map<String, Object> props = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            for (Map.Entry<String, String> e : records.entrySet()) {
                producer.send(new ProducerRecord<>(topic, e.getKey(), e.getValue())).get(30, TimeUnit.SECONDS);
            }
        }
    }

    /** Consumes with a fresh consumer group (exercising the group coordinator and offsets topic). */
    private static List<ConsumerRecord<String, String>> consumeInGroup(String bootstrap, String topic, int expected) {
        Map<String, Object> props = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, "devkit-test-" + UUID.randomUUID(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (received.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            }
        }
        assertEquals(expected, received.size(), () -> "records on " + topic + " within " + WAIT + ": expected "
                + expected + ", received " + received.size() + " " + received);
        return received;
    }
}
