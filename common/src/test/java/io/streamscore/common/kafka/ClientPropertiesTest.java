package io.streamscore.common.kafka;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientPropertiesTest {

    @Test
    void secretsAreRecognised() {
        for (String k : new String[] {"sasl.jaas.config", "ssl.keystore.password", "ssl.key.password", "ssl.keystore.key",
                "sasl.oauthbearer.token.endpoint.url", "basic.auth.user.info.secret", "my.private.thing", "SSL.TRUSTSTORE.PASSWORD"}) {
            assertTrue(ClientProperties.isSecret(k), k);
        }
        for (String k : new String[] {"bootstrap.servers", "security.protocol", "sasl.mechanism", "ssl.truststore.location"}) {
            assertFalse(ClientProperties.isSecret(k), k);
        }
    }

    /** Kafka's PASSWORD-typed settings are secrets by their type, under any prefix, whatever their names say. */
    @Test
    void kafkasPasswordSettingsAreSecretsUnderAnyPrefix() {
        for (String k : new String[] {"ssl.keystore.certificate.chain", "ssl.truststore.certificates",
                "producer.ssl.truststore.certificates", "listener.name.sasl_ssl.plain.sasl.jaas.config",
                "sasl.oauthbearer.client.credentials.client.secret"}) {
            assertTrue(ClientProperties.isSecret(k), k);
        }
        for (String k : new String[] {"ssl.truststore.location", "ssl.truststore.type", "producer.linger.ms", "certificates"}) {
            assertFalse(ClientProperties.isSecret(k), k);
        }
    }

    @Test
    void requireValidRefusesWhatKafkaRefusesAndNothingElse() {
        ClientProperties.requireValid(Map.of("request.timeout.ms", "5000", "security.protocol", "sasl_ssl",
                "some.plugin.setting", "x", "producer.acks", "all", "interceptor.classes", "com.example.Nope"),
                java.util.List.of("producer."), ClientProperties.CLIENT_DEFINITIONS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClientProperties.requireValid(
                Map.of("producer.acks", "some"), java.util.List.of("producer."), ClientProperties.CLIENT_DEFINITIONS));
        assertTrue(e.getMessage().startsWith("producer.acks is 'some'; Kafka refuses it: "), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ClientProperties.requireValid(
                Map.of("max.poll.records", "0"), java.util.List.of(), ClientProperties.CLIENT_DEFINITIONS));
        assertEquals("max.poll.records is '0'; Kafka refuses it: Value must be at least 1", e.getMessage());
    }

    @Test
    void maskedHidesSecretValuesOnly() {
        Map<String, String> m = ClientProperties.masked(Map.of("sasl.jaas.config", "x password=\"p\";",
                "bootstrap.servers", "b:1"));
        assertEquals("[hidden]", m.get("sasl.jaas.config"));
        assertEquals("b:1", m.get("bootstrap.servers"));
    }

    @Test
    void loadsAFileAndNamesAMissingOne(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.properties");
        Files.writeString(f, "security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\n");
        Properties p = ClientProperties.load(f);
        assertEquals("SASL_PLAINTEXT", p.getProperty("security.protocol"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClientProperties.load(dir.resolve("nope")));
        assertEquals("cannot read --client-config " + dir.resolve("nope") + ": no such file", e.getMessage());
    }
}
