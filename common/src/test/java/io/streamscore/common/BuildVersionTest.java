package io.streamscore.common;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

class BuildVersionTest {
    @Test
    void readsTheKafkaClientsVersionFromTheClientsJar() {
        String v = BuildVersion.kafkaClients();
        assertTrue(v.matches("\\d+\\.\\d+\\.\\d+.*"), "kafka-clients version: " + v);
    }

    @Test
    void theVersionLineNamesProgramKafkaAndJava() {
        String line = BuildVersion.line("scorer", BuildVersionTest.class);
        assertTrue(line.startsWith("scorer development build (Kafka " + BuildVersion.kafkaClients() + ", Java "), line);
    }
}
