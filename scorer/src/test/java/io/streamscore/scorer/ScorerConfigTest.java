package io.streamscore.scorer;

import io.streamscore.common.event.ModelSelection;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScorerConfigTest {

    @Test
    void shouldUseDefaultsWhenOnlyBootstrapIsGiven() {
        ScorerConfig c = ScorerConfig.resolve(Map.of(), Map.of("bootstrap.servers", "b:9092"));
        assertEquals(new ScorerConfig("b:9092", "streamscore-scorer", "models", "features", "scores", "dead-letters",
                "shadow-scores", "exactly_once_v2", 1, 8080, false, Duration.ofSeconds(30), Duration.ZERO, false,
                Optional.empty(), Duration.ofSeconds(30), ModelSelection.LATEST, ScorerConfig.ContributionsMode.OFF,
                ScorerProfile.LATENCY, io.streamscore.scorer.outcomes.OutcomesConfig.OFF,
                Map.of("linger.ms", "5", "batch.size", "65536")), c);
    }

    @Test
    void shouldLayerDefaultsThenFileThenFlags() {
        Map<String, String> file = Map.of("bootstrap.servers", "file:9092", "application.id", "from-file",
                "num.stream.threads", "3", "streamscore.topic.scores", "file-scores", "security.protocol", "SASL_SSL");
        Map<String, String> flags = Map.of("bootstrap.servers", "flag:9092", "num.stream.threads", "2");
        ScorerConfig c = ScorerConfig.resolve(file, flags);
        assertEquals("flag:9092", c.bootstrapServers());             // flag beats file
        assertEquals(2, c.threads());
        assertEquals("from-file", c.applicationId());                // file beats default
        assertEquals("file-scores", c.scoresTopic());
        assertEquals("models", c.modelsTopic());                     // default when nobody says otherwise
        assertEquals(Map.of("security.protocol", "SASL_SSL", "linger.ms", "5", "batch.size", "65536"), // + the profile
                c.clientProperties());
    }

    @Test
    void shouldTakeTheShadowTopicFromFileOrFlagAndRefuseItForAnotherRole() {
        assertEquals("shadow-scores", ScorerConfig.resolve(Map.of(), Map.of("bootstrap.servers", "b:1")).shadowScoresTopic());
        assertEquals("from-file", ScorerConfig.resolve(Map.of(ScorerConfig.SHADOW_SCORES_TOPIC, "from-file"),
                Map.of("bootstrap.servers", "b:1")).shadowScoresTopic());
        assertEquals("from-file", ScorerConfig.resolve(Map.of(ScorerConfig.SHADOW_SCORES_TOPIC, "from-file"),
                Map.of("bootstrap.servers", "b:1")).describeMasked().get(ScorerConfig.SHADOW_SCORES_TOPIC));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScorerConfig.resolve(Map.of(),
                Map.of("bootstrap.servers", "b:1", ScorerConfig.SHADOW_SCORES_TOPIC, "scores")));
        assertEquals("topic 'scores' is configured for two roles; the models, features, scores, dead-letters and "
                + "shadow-scores topics must differ", e.getMessage());
    }

    @Test
    void shouldWireTheDeadLetterQueueAndHandlerIntoStreamsProperties() {
        ScorerConfig c = ScorerConfig.resolve(Map.of("errors.dead.letter.queue.topic.name", "elsewhere",
                "security.protocol", "SSL"), Map.of("bootstrap.servers", "b:1"));
        ScorerMetrics m = new ScorerMetrics();
        Properties p = c.toStreamsProperties(m);
        assertEquals("dead-letters", p.get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG));
        assertEquals(DeadLetterProcessingExceptionHandler.class.getName(), p.get(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG));
        assertSame(m, p.get(DeadLetterProcessingExceptionHandler.METRICS_CONFIG));
        assertEquals("SSL", p.get("security.protocol"));
        assertEquals("exactly_once_v2", p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        assertEquals("b:1", p.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
    }

    @Test
    void shouldMaskSecretsInTheDescriptionAndToString() {
        Map<String, String> file = Map.of(
                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"hunter2\";",
                "ssl.truststore.password", "hunter2", "ssl.keystore.password", "hunter2", "ssl.key.password", "hunter2",
                "ssl.keystore.key", "-----BEGIN PRIVATE KEY----- hunter2", "sasl.oauthbearer.client.credentials.client.secret", "hunter2",
                "security.protocol", "SASL_SSL", "ssl.truststore.location", "/etc/ts.jks");
        ScorerConfig c = ScorerConfig.resolve(file, Map.of("bootstrap.servers", "b:1"));
        Map<String, String> shown = c.describeMasked();
        assertFalse(shown.toString().contains("hunter2"), shown.toString());
        assertFalse(c.toString().contains("hunter2"), c.toString());
        assertEquals("[hidden]", shown.get("sasl.jaas.config"));
        assertEquals("SASL_SSL", shown.get("security.protocol"));
        assertEquals("/etc/ts.jks", shown.get("ssl.truststore.location"));
        assertEquals("b:1", shown.get("bootstrap.servers"));
    }

    @Test
    void shouldRequireBootstrapServersWithAHint() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScorerConfig.resolve(Map.of(), Map.of()));
        assertEquals("bootstrap.servers is not set: pass --bootstrap-servers HOST:PORT or set it in the --client-config file",
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"processing.guarantee=exactly_once", "num.stream.threads=0", "num.stream.threads=two",
            "streamscore.http.port=70000", "streamscore.create.topics=yes", "streamscore.topic.scores=features",
            "streamscore.shutdown.timeout.ms=0", "streamscore.stuck.record.ms=0", "streamscore.instance.id=a b",
            "streamscore.instance.id=pod/1", "streamscore.model.selection=event_time",
            "streamscore.model.selection=", "streamscore.contributions=yes", "streamscore.contributions.top=-1",
            "streamscore.contributions.top=3"})
    void shouldRejectInvalidSettingsNamingTheProperty(String setting) {
        String[] kv = setting.split("=", 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScorerConfig.resolve(Map.of(kv[0], kv[1]), Map.of("bootstrap.servers", "b:1")));
        assertTrue(e.getMessage().contains(kv[0]) || e.getMessage().contains("'features'"), e.getMessage());
    }

    @Test
    void shouldAcceptAtLeastOnce() {
        assertEquals("at_least_once", ScorerConfig.resolve(Map.of(), Map.of("bootstrap.servers", "b:1",
                "processing.guarantee", "at_least_once")).processingGuarantee());
    }

    @Test
    void shouldSetStaticMembershipFromTheInstanceIdOnly() {
        ScorerConfig none = ScorerConfig.resolve(Map.of(), Map.of("bootstrap.servers", "b:1"));
        assertEquals(Optional.empty(), none.instanceId());
        assertFalse(none.toStreamsProperties(new ScorerMetrics()).containsKey("group.instance.id"),
                "no instance id: dynamic membership, as before");
        assertEquals("", none.describeMasked().get(ScorerConfig.INSTANCE_ID));

        ScorerConfig c = ScorerConfig.resolve(Map.of("streamscore.instance.id", "from-file"),
                Map.of("bootstrap.servers", "b:1", "streamscore.instance.id", " scorer-0.east "));
        assertEquals(Optional.of("scorer-0.east"), c.instanceId());
        assertEquals("scorer-0.east", c.toStreamsProperties(new ScorerMetrics()).get("group.instance.id"));
        assertEquals("scorer-0.east", c.describeMasked().get(ScorerConfig.INSTANCE_ID));
        assertFalse(c.clientProperties().containsKey(ScorerConfig.INSTANCE_ID), "not passed on to Kafka as is");
    }

    @ParameterizedTest
    @ValueSource(strings = {"group.instance.id", "main.consumer.group.instance.id", "consumer.group.instance.id"})
    void shouldRefuseAGroupInstanceIdOfItsOwnPointingToTheInstanceId(String key) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScorerConfig.resolve(Map.of(key, "x"), Map.of("bootstrap.servers", "b:1")));
        assertEquals(key + " is set; set streamscore.instance.id (--instance-id) instead: it sets group.instance.id and "
                + "the transactional ids together", e.getMessage());
    }

    @Test
    void shouldReadContributionsFromTheFileAndDescribeThem() {
        ScorerConfig c = ScorerConfig.resolve(Map.of("streamscore.contributions", "true", "streamscore.contributions.top",
                "5"), Map.of("bootstrap.servers", "b:1"));
        assertEquals(new ScorerConfig.ContributionsMode(true, 5), c.contributions());
        assertEquals("true", c.describeMasked().get("streamscore.contributions"));
        assertEquals("5", c.describeMasked().get("streamscore.contributions.top"));
        assertFalse(c.clientProperties().containsKey("streamscore.contributions"), "not passed on to Kafka");
    }

    @Test
    void shouldRefuseATopKWithContributionsOffNamingBothSettings() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScorerConfig.resolve(
                Map.of("streamscore.contributions.top", "3"), Map.of("bootstrap.servers", "b:1")));
        assertEquals("streamscore.contributions.top is 3 but streamscore.contributions is false; set "
                + "streamscore.contributions=true (--contributions-top K sets both)", e.getMessage());
    }

    @Test
    void shouldReadTheStuckRecordLimit() {
        assertEquals(Duration.ofSeconds(5), ScorerConfig.resolve(Map.of("streamscore.stuck.record.ms", "5000"),
                Map.of("bootstrap.servers", "b:1")).stuckRecord());
    }

    @Test
    void shouldReadTheModelSelectionFromTheFileAndLetTheFlagWin() {
        assertEquals(ModelSelection.LATEST, ScorerConfig.resolve(Map.of(), Map.of("bootstrap.servers", "b:1"))
                .modelSelection());
        ScorerConfig fromFile = ScorerConfig.resolve(Map.of("streamscore.model.selection", "event-time"),
                Map.of("bootstrap.servers", "b:1"));
        assertEquals(ModelSelection.EVENT_TIME, fromFile.modelSelection());
        assertEquals("event-time", fromFile.describeMasked().get(ScorerConfig.MODEL_SELECTION));
        assertFalse(fromFile.clientProperties().containsKey(ScorerConfig.MODEL_SELECTION), "not passed on to Kafka");
        assertEquals(ModelSelection.LATEST, ScorerConfig.resolve(Map.of("streamscore.model.selection", "event-time"),
                Map.of("bootstrap.servers", "b:1", "streamscore.model.selection", "latest")).modelSelection());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScorerConfig.resolve(
                Map.of("streamscore.model.selection", "newest"), Map.of("bootstrap.servers", "b:1")));
        assertEquals("streamscore.model.selection (--model-selection) is 'newest'; must be latest or event-time", e.getMessage());
    }

    @Test
    void shouldSendBatchesWithin5MsByDefaultAndKeepKafkaStreamsOwnDefaultsUnderTheThroughputProfile() {
        ScorerConfig byDefault = ScorerConfig.resolve(Map.of(), Map.of("bootstrap.servers", "b:1"));
        assertEquals(ScorerProfile.LATENCY, byDefault.profile());
        assertEquals("5", byDefault.toStreamsProperties(new ScorerMetrics()).get("linger.ms"));
        assertEquals("65536", byDefault.toStreamsProperties(new ScorerMetrics()).get("batch.size"));
        assertEquals("latency", byDefault.describeMasked().get(ScorerConfig.PROFILE));
        assertEquals("5", byDefault.describeMasked().get("linger.ms"), "the start log shows what the profile set");

        ScorerConfig throughput = ScorerConfig.resolve(Map.of(), Map.of("bootstrap.servers", "b:1",
                ScorerConfig.PROFILE, "throughput"));
        assertEquals(ScorerProfile.THROUGHPUT, throughput.profile());
        assertEquals(Map.of(), throughput.clientProperties(), "nothing over Kafka Streams' own defaults");
        assertFalse(throughput.toStreamsProperties(new ScorerMetrics()).containsKey("linger.ms"));
        assertFalse(throughput.toStreamsProperties(new ScorerMetrics()).containsKey("batch.size"));
        assertFalse(throughput.clientProperties().containsKey(ScorerConfig.PROFILE), "not passed on to Kafka");
    }

    @ParameterizedTest
    @ValueSource(strings = {"linger.ms", "producer.linger.ms"})
    void shouldLetAClientSettingInTheFileWinOverTheProfile(String key) {
        ScorerConfig c = ScorerConfig.resolve(Map.of(key, "50"), Map.of("bootstrap.servers", "b:1"));
        assertEquals(ScorerProfile.LATENCY, c.profile());
        assertEquals(Map.of(key, "50", "batch.size", "65536"), c.clientProperties(),
                "the profile's linger.ms is not added beside the user's; its batch.size stays");
    }

    @Test
    void shouldTakeTheProfileFromTheFileAndLetTheFlagWin() {
        assertEquals(ScorerProfile.THROUGHPUT, ScorerConfig.resolve(Map.of(ScorerConfig.PROFILE, "throughput"),
                Map.of("bootstrap.servers", "b:1")).profile());
        assertEquals(ScorerProfile.LATENCY, ScorerConfig.resolve(Map.of(ScorerConfig.PROFILE, "throughput"),
                Map.of("bootstrap.servers", "b:1", ScorerConfig.PROFILE, " Latency ")).profile());
    }

    @ParameterizedTest
    @ValueSource(strings = {"fast", "", "low-latency"})
    void shouldRefuseAnUnknownProfileNamingTheSettingAndTheChoices(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScorerConfig.resolve(
                Map.of(ScorerConfig.PROFILE, value), Map.of("bootstrap.servers", "b:1")));
        assertEquals("streamscore.profile (--profile) is '" + value + "'; must be throughput or latency", e.getMessage());
    }
}
