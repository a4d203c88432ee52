package io.streamscore.e2e.reliability;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.drift.DriftBaseline;
import io.streamscore.common.drift.DriftJson;
import io.streamscore.common.drift.DriftWindow;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The scorer with drift on, as its own process, SIGKILLed in the middle of a stream of 4,000 events (2 partitions,
 * exactly-once, one 1h window) and started again at once with the same application id and {@code --instance-id}. The
 * counts (RocksDB with changelogs in both tasks) are restored; afterwards the window's highest drift revision counts
 * exactly the 4,000 events, bin by bin as counted offline, with the offline PSIs: nothing lost, nothing counted twice.
 */
@Tag("integration")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class DriftKilledHardIntegrationTest {
    private static final int EVENTS = 4_000;
    private static final int KILL_AFTER_SCORES = 1_500;
    private static final long HOUR = 3_600_000L;
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

    /** The features of {@link Reliability#event}, as the event carries them. */
    private static double[] features(long n) {
        return new double[]{((n * 7919) % 600) / 100.0 - 2, ((n * 104729) % 600) / 100.0 - 2};
    }

    @Test
    void theDriftCountsSurviveSigkillUnderExactlyOnce() throws Exception {
        Reliability.Topics t = Reliability.Topics.named().create(kafka, 2);
        String s = Reliability.shortId();
        String drift = "drift-" + s;
        kafka.createTopic(drift, 1, Map.of("cleanup.policy", "compact"));
        LogisticModel model = Reliability.train("clusters");
        DriftBaseline baseline = model.driftBaseline();
        Reliability.publish(kafka, t.models(), model);
        long now = System.currentTimeMillis();
        long start = now - 3 * HOUR - Math.floorMod(now, HOUR);
        long[] offline = new long[baseline.slots()];
        for (long n = 0; n < EVENTS; n++) {
            double[] x = features(n);
            baseline.count(x, model.predictProbability(x), offline);
        }

        String appId = "drift-kill-" + s;
        Path config = Reliability.write(dir.resolve("scorer.properties"), "state.dir=" + dir.resolve("state") + "\n"
                + "transaction.timeout.ms=60000\n");
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", kafka.bootstrapServers(),
                "--application-id", appId, "--processing-guarantee", "exactly_once_v2", "--http-port", "0",
                "--client-config", config.toString(), "--instance-id", "scorer-a", "--drift-windows", "1h",
                "--drift-topic", drift, "--drift-grace", "1m"));
        args.addAll(t.flags());

        AtomicReference<Throwable> producerFailure = new AtomicReference<>();
        Thread producer = new Thread(() -> {
            try (KafkaProducer<byte[], byte[]> p = Reliability.producer(kafka, 120_000)) {
                for (int n = 0; n < EVENTS; n++) {
                    p.send(new ProducerRecord<>(t.features(), null, start + n * 500L, Reliability.key(n),
                            Reliability.event(n, "clusters")));
                    if ((n + 1) % 50 == 0) {
                        p.flush();
                        // Rate limit (~1,000 events/s at most), not a synchronisation: the kill must land mid-stream.
                        TimeUnit.MILLISECONDS.sleep(50);
                    }
                }
                p.flush();
            } catch (Throwable e) {
                producerFailure.set(e);
            }
        }, "drift-kill-producer");

        try (Reliability.ScoreCounter scores = new Reliability.ScoreCounter(kafka, t.scores())) {
            Reliability.AppProcess first = Reliability.launch("scorer", dir, "drift-1", args);
            Reliability.AppProcess second;
            long killedAt;
            try (first) {
                Reliability.waitFor("the first scorer to start", Duration.ofSeconds(60),
                        () -> first.logContains("Scorer started"), first::tail);
                producer.start();
                scores.awaitDistinct(KILL_AFTER_SCORES, Duration.ofSeconds(120));
                first.process().destroyForcibly(); // SIGKILL: no commit, no flush of RocksDB, no checkpoint
                first.process().waitFor(30, TimeUnit.SECONDS);
                killedAt = scores.distinct();
                second = Reliability.launch("scorer", dir, "drift-2", args);
            }
            try (second) {
                assertTrue(killedAt < EVENTS, "the kill must come before the last score: " + killedAt);
                producer.join(TimeUnit.SECONDS.toMillis(120));
                assertEquals(null, producerFailure.get(), "producer failed");
                scores.awaitDistinct(EVENTS, Duration.ofSeconds(150));
                // Past the window's end + grace on both partitions (not past its retention): the window closes.
                try (KafkaProducer<byte[], byte[]> p = Reliability.producer(kafka, 60_000)) {
                    for (int part = 0; part < 2; part++) {
                        p.send(new ProducerRecord<>(t.features(), part, start + HOUR + 120_000,
                                ("flush-" + part).getBytes(StandardCharsets.UTF_8), Reliability.event(1_000_000 + part,
                                        "clusters")));
                    }
                    p.flush();
                }
                String key = "clusters@v1@1h@" + Instant.ofEpochMilli(start);
                DriftWindow w = awaitCount(drift, key, EVENTS, Duration.ofSeconds(120), second);
                double[] psi = baseline.psi(offline);
                for (int i = 0; i < baseline.featureNames().size(); i++) {
                    String name = baseline.featureNames().get(i);
                    assertArrayEquals(Arrays.copyOfRange(offline, baseline.offset(i), baseline.offset(i)
                            + baseline.feature(i).count()), w.featureBins().get(name).observed(), name);
                    assertEquals(psi[i], w.featurePsi().get(name), 1e-9, name);
                }
                assertEquals(psi[psi.length - 1], w.scorePsi(), 1e-9, "score");
                assertTrue(second.process().isAlive(), "second scorer still running:\n" + second.tail());
                System.out.printf("drift kill: killed after %d of %d scores; window %s revision %d counts %d events, "
                        + "bin for bin as offline%n", killedAt, EVENTS, key, w.revision(), w.count());
            }
        } finally {
            producer.join(TimeUnit.SECONDS.toMillis(60));
        }
    }

    /**
     * Reads the drift topic (read_committed) until the highest revision of {@code key} counts {@code count} events;
     * fails on a revision above that count (an event counted twice) at once.
     */
    private static DriftWindow awaitCount(String topic, String key, long count, Duration timeout,
                                          Reliability.AppProcess scorer) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            c.assign(List.of(tp));
            c.seekToBeginning(List.of(tp));
            DriftWindow highest = null;
            long deadline = System.nanoTime() + timeout.toNanos();
            while (highest == null || highest.count() != count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("drift window " + key + " not complete after " + timeout.toSeconds()
                            + " s: " + (highest == null ? "no record" : "revision " + highest.revision() + " counts "
                            + highest.count()) + " of " + count + "\nscorer:\n" + scorer.tail());
                }
                for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
                    DriftWindow w = DriftJson.fromBytes(r.value());
                    if (w.key().equals(key) && (highest == null || w.revision() > highest.revision())) {
                        highest = w;
                        assertTrue(w.count() <= count, "counted more events than were sent: " + w.count());
                    }
                }
            }
            return highest;
        }
    }
}
