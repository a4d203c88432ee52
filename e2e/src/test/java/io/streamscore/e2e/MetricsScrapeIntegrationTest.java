package io.streamscore.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streamscore.common.LogisticMath;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.drift.DriftWindow;
import io.streamscore.scorer.drift.DriftConfig;
import io.streamscore.scorer.drift.DriftMetrics;
import io.streamscore.common.outcome.QualityWindow;
import io.streamscore.devkit.EmbeddedKafkaBroker;
import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerConfig;
import io.streamscore.scorer.outcomes.OutcomeMetrics;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.kafka.ModelPublisher;
import io.streamscore.trainer.optim.LogisticRegressionTrainer;
import io.streamscore.trainer.optim.ProgressListener;
import io.streamscore.trainer.optim.TrainingOptions;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /metrics} of a real scorer on a real broker, labels on, 2 partitions and 2 stream threads, scraped over HTTP
 * while it scores a known stream of events and labels and after: the scorer's own series with the values the stream
 * decides (scored = sent, dead letters by reason, latency count, quality gauges equal to what the quality processor
 * shows), Kafka Streams' (per-partition lag, alive threads, process rate, commit latency), the producer's and
 * consumer's, the JVM's and the process's. Then every metric that a query of the Grafana dashboard
 * (deploy/grafana/dashboards) names must be in the scrape.
 */
@Tag("integration")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class MetricsScrapeIntegrationTest {
    static final int EVENTS = 2_000;
    static final int MALFORMED = 7;
    private static EmbeddedKafkaBroker kafka;

    @TempDir
    Path stateDir;

    @BeforeAll
    static void startBroker() {
        kafka = EmbeddedKafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        kafka.close();
    }

    @Test
    void theScrapeHasEveryFamilyWithRealValuesAndEveryMetricTheDashboardNames() throws Exception {
        E2e.Topics t = E2e.Topics.create(kafka, 2, 2);
        OutcomesIntegrationTest.OutcomeTopics o = OutcomesIntegrationTest.OutcomeTopics.named();
        kafka.createTopic(o.labels(), 2, Map.of());
        kafka.createTopic(o.outcomes(), 2, Map.of());
        kafka.createTopic(o.quality(), 1, Map.of("cleanup.policy", "compact"));
        // The champion, and a challenger that needs a feature the events lack: it scores none of them, which the
        // challenger series count.
        try (ModelPublisher publisher = new ModelPublisher(E2e.client(kafka), t.models(), Duration.ofSeconds(30))) {
            publisher.ensureCompactedTopic(1, java.util.Optional.empty());
            publisher.publish(E2e.train("clusters", 11));
            publisher.publish(challengerNeedingVelocity(), true);
        }
        long start = OutcomesIntegrationTest.scenarioStart();
        Map<String, String> settings = new HashMap<>(o.settings());
        settings.put(ScorerConfig.THREADS, "2");
        // Drift too, so the dashboard's drift panels have their series: 5-minute windows by event time.
        String driftTopic = "drift-" + E2e.shortId();
        kafka.createTopic(driftTopic, 1, Map.of("cleanup.policy", "compact"));
        settings.put(DriftConfig.WINDOWS, "5m");
        settings.put(DriftConfig.GRACE, "0s");
        settings.put(DriftConfig.TOPIC, driftTopic);
        ScorerConfig config = E2e.scorerConfig(kafka, t, "metrics-" + E2e.shortId(), stateDir, settings);

        try (ScorerApp.Running scorer = new ScorerApp(config).start()) {
            assertTrue(scorer.awaitRunning(Duration.ofSeconds(60)), "scorer RUNNING; state " + scorer.state());
            E2e.waitFor("model clusters v1 served, v2 challenging", Duration.ofSeconds(30),
                    () -> Map.of("clusters", 1L).equals(scorer.metrics().servingVersions())
                            && Map.of("clusters", List.of(2L)).equals(scorer.metrics().challengerVersions()),
                    () -> "serving " + scorer.metrics().servingVersions() + ", challenging "
                            + scorer.metrics().challengerVersions());
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            URI metrics = URI.create("http://127.0.0.1:" + scorer.httpPort() + "/metrics");

            // Scraped over and over while the load goes through, as Prometheus would: every scrape must parse.
            AtomicBoolean stop = new AtomicBoolean();
            AtomicReference<Throwable> scrapeFailure = new AtomicReference<>();
            List<Integer> sizes = new ArrayList<>();
            Thread scraper = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        String body = get(http, metrics);
                        Scrape.parse(body);
                        synchronized (sizes) {
                            sizes.add(body.length());
                        }
                        TimeUnit.MILLISECONDS.sleep(50); // scrape interval
                    } catch (InterruptedException e) {
                        return;
                    } catch (Throwable e) {
                        scrapeFailure.compareAndSet(null, e);
                        return;
                    }
                }
            }, "scraper");
            scraper.start();

            // 2,000 events 0.3 s apart, each labelled a second later; a few malformed. Ten minutes of event time, less
            // than grace + label window (70 min): however far one partition runs ahead of the other, no outcome is
            // behind the quality clock by more than that, so none is TOO_LATE.
            try (KafkaProducer<byte[], byte[]> producer = E2e.producer(kafka)) {
                for (int i = 0; i < EVENTS; i++) {
                    long ts = start + i * 300L;
                    byte[] key = E2e.utf8("k-" + i);
                    producer.send(new ProducerRecord<>(t.features(), null, ts, key,
                            OutcomeScenario.event("e-" + i, "clusters", (i % 7) - 3, (i % 5) - 2)));
                    producer.send(new ProducerRecord<>(o.labels(), null, ts + 1_000, key,
                            OutcomeScenario.label("e-" + i, i % 3 == 0 ? 1 : 0)));
                }
                for (int i = 0; i < MALFORMED; i++) {
                    producer.send(new ProducerRecord<>(t.features(), null, start, E2e.utf8("bad-" + i), E2e.utf8("{not json")));
                }
                producer.flush();
                // Every outcome aggregated before the flush below moves the quality clock hours ahead: one still on its
                // way then would be TOO_LATE for its window.
                OutcomeMetrics pending = scorer.metrics().outcomes();
                E2e.waitFor("every event scored and its outcome aggregated", Duration.ofSeconds(120),
                        () -> scorer.metrics().scoredCount() == EVENTS
                                && pending.qualityCount("5m", OutcomeMetrics.QualityReason.AGGREGATED) == EVENTS
                                && pending.qualityCount("15m", OutcomeMetrics.QualityReason.AGGREGATED) == EVENTS,
                        () -> scorer.metrics().scoredCount() + " of " + EVENTS + " scored, "
                                + pending.qualityCount("15m", OutcomeMetrics.QualityReason.AGGREGATED) + " aggregated");
                // One event and label per partition hours ahead: the quality clock passes every window of the stream.
                long flushAt = start + Duration.ofHours(3).toMillis();
                for (int p = 0; p < 2; p++) {
                    byte[] key = E2e.utf8("flush-" + p);
                    producer.send(new ProducerRecord<>(t.features(), p, flushAt, key,
                            OutcomeScenario.event("flush-" + p, "clusters", 1, 1)));
                    producer.send(new ProducerRecord<>(o.labels(), p, flushAt + 1, key, OutcomeScenario.label("flush-" + p, 1)));
                }
                producer.flush();
            }
            long scored = EVENTS + 2;
            OutcomeMetrics outcomes = scorer.metrics().outcomes();
            E2e.waitFor("every score labelled, every outcome aggregated, both window sizes shown", Duration.ofSeconds(120),
                    () -> scorer.metrics().scoredCount() == scored
                            && outcomes.scoreCount(OutcomeMetrics.ScoreReason.LABELLED) == scored
                            && outcomes.qualityCount("5m", OutcomeMetrics.QualityReason.AGGREGATED) == scored
                            && outcomes.qualityCount("15m", OutcomeMetrics.QualityReason.AGGREGATED) == scored
                            && outcomes.latestQuality().keySet().stream().map(OutcomeMetrics.QualityKey::window)
                            .distinct().count() == 2
                            && !scorer.metrics().drift().latest().isEmpty(),
                    () -> scorer.metrics().scoredCount() + " scored, " + outcomes.scoreCount(OutcomeMetrics.ScoreReason.LABELLED)
                            + " labelled, " + outcomes.qualityCount("15m", OutcomeMetrics.QualityReason.AGGREGATED)
                            + " aggregated, quality " + outcomes.latestQuality().keySet());
            // Lag is Kafka's own figure, from the consumers' fetches: 0 on both feature partitions once all is read.
            AtomicReference<Scrape> last = new AtomicReference<>();
            E2e.waitFor("feature partitions' lag series at 0", Duration.ofSeconds(90), () -> {
                Scrape s = Scrape.parse(get(http, metrics));
                last.set(s);
                return lag(s, t.features()).equals(Map.of("0", 0.0, "1", 0.0));
            }, () -> "lag " + lag(last.get(), t.features()) + " of " + last.get().samples(
                    "kafka_consumer_fetch_manager_records_lag").stream().map(Scrape.Sample::labels).toList());
            stop.set(true);
            scraper.join(10_000);
            if (scrapeFailure.get() != null) {
                throw new AssertionError("a scrape during the load failed", scrapeFailure.get());
            }

            String body = get(http, metrics);
            Scrape s = Scrape.parse(body);

            // The scorer's own, with the values the stream decides.
            assertEquals(scored, s.value("streamscore_records_scored_total"));
            assertEquals(scored, s.value("streamscore_records_scored_by_model_total{model_id=\"clusters\",version=\"1\","
                    + "role=\"champion\"}"));
            assertEquals(MALFORMED, s.value("streamscore_records_dead_lettered_total{reason=\"MALFORMED_JSON\"}"));
            assertEquals(0, s.value("streamscore_records_dead_lettered_total{reason=\"MODEL_NOT_FOUND\"}"));
            assertEquals(scored, s.value("streamscore_scoring_latency_seconds_count{model_id=\"clusters\"}"));
            assertEquals(scored, s.value("streamscore_scoring_latency_seconds_bucket{model_id=\"clusters\",le=\"+Inf\"}"));
            double p99 = s.value("streamscore_scoring_latency_quantile_seconds{model_id=\"clusters\",quantile=\"0.99\"}");
            assertTrue(p99 > 0 && p99 < 1, "p99 " + p99);
            assertEquals(1, s.value("streamscore_model_serving_version{model_id=\"clusters\"}"));
            assertEquals(1, s.value("streamscore_models_applied_total"), "the champion; a challenger is not applied");
            assertEquals(1, s.value("streamscore_model_challenger{model_id=\"clusters\",version=\"2\"}"));
            assertEquals(scored, s.value("streamscore_challenger_unscored_total{model_id=\"clusters\",version=\"2\","
                    + "reason=\"MISSING_FEATURE\"}"), "the challenger scored no event");
            assertFalse(s.has("streamscore_records_scored_by_model_total{model_id=\"clusters\",version=\"2\","
                    + "role=\"challenger\"}"), "no shadow score");
            assertEquals(1, s.value("streamscore_streams_state{state=\"RUNNING\"}"));
            assertEquals(0, s.value("streamscore_stream_threads_replaced_total"));
            assertEquals(outcomes.labelCount(OutcomeMetrics.LabelReason.JOINED)
                            + outcomes.labelCount(OutcomeMetrics.LabelReason.JOINED_LABEL_FIRST),
                    s.value("streamscore_outcomes_written_total"));
            assertEquals(scored, s.value("streamscore_labelled_scores_total{reason=\"LABELLED\"}"), "every event labelled");
            assertEquals(scored, s.value("streamscore_quality_outcomes_total{window=\"15m\",reason=\"AGGREGATED\"}"));
            assertEquals(0, s.value("streamscore_quality_outcomes_total{window=\"5m\",reason=\"TOO_LATE\"}"));
            int gauges = 0;
            for (Map.Entry<OutcomeMetrics.QualityKey, QualityWindow> e : outcomes.latestQuality().entrySet()) {
                OutcomeMetrics.QualityKey k = e.getKey();
                String series = "{model_id=\"" + k.modelId() + "\",version=\"" + k.version() + "\",window=\"" + k.window() + "\"}";
                assertTrue(E2e.sameBits(e.getValue().figures().logLoss(), s.value("streamscore_model_log_loss" + series)), series);
                assertTrue(E2e.sameBits(e.getValue().figures().rocAuc(), s.value("streamscore_model_roc_auc" + series)), series);
                assertEquals(e.getValue().figures().count(), s.value("streamscore_model_quality_count" + series), series);
                gauges++;
            }
            assertTrue(s.has("streamscore_model_brier_score{model_id=\"clusters\",version=\"1\",window=\"15m\"}"), body);
            assertTrue(gauges >= 2, "quality gauges of both window sizes: " + outcomes.latestQuality().keySet());
            // Drift: the gauges show the newest written window of the champion, as its record says.
            for (Map.Entry<DriftMetrics.SeriesKey, DriftWindow> e : scorer.metrics().drift().latest().entrySet()) {
                DriftMetrics.SeriesKey k = e.getKey();
                String series = "{model_id=\"" + k.modelId() + "\",version=\"" + k.version() + "\",window=\"" + k.window() + "\"";
                assertTrue(E2e.sameBits(e.getValue().scorePsi(), s.value("streamscore_model_score_psi" + series + "}")), series);
                for (Map.Entry<String, Double> f : e.getValue().featurePsi().entrySet()) {
                    assertTrue(E2e.sameBits(f.getValue(), s.value("streamscore_model_feature_psi" + series + ",feature=\""
                            + f.getKey() + "\"}")), series + " " + f.getKey());
                }
            }
            assertEquals(scored, s.value("streamscore_drift_events_total{window=\"5m\",reason=\"COUNTED\"}"));

            // Kafka Streams: both partitions' lag (above), the threads, their rates and commit latency.
            assertEquals(2, sum(s, "kafka_stream_alive_stream_threads"), "two stream threads alive");
            assertEquals(0, sum(s, "kafka_stream_failed_stream_threads_total"));
            assertEquals(2, threads(s, "kafka_stream_thread_process_rate").size(), "process-rate per thread");
            assertEquals(2, threads(s, "kafka_stream_thread_commit_latency_avg").size(), "commit-latency per thread");
            assertTrue(sum(s, "kafka_stream_thread_process_total") >= scored + EVENTS + MALFORMED,
                    "every event and label processed: " + sum(s, "kafka_stream_thread_process_total"));
            assertTrue(lag(s, t.models()).containsKey("0"), "the global consumer's lag on the model topic");

            // The clients: what the producers sent and the consumers read, at least the stream's records.
            assertTrue(sum(s, "kafka_producer_record_send_total") >= scored,
                    "scores sent: " + sum(s, "kafka_producer_record_send_total"));
            assertTrue(sum(s, "kafka_consumer_fetch_manager_records_consumed_total") >= 2.0 * EVENTS + MALFORMED,
                    "events and labels read: " + sum(s, "kafka_consumer_fetch_manager_records_consumed_total"));
            assertTrue(s.samples("kafka_producer_request_latency_avg").size() > 0, "producer request latency");

            // The JVM and the process.
            assertTrue(sum(s, "jvm_memory_used_bytes") > 0);
            assertTrue(s.all().stream().anyMatch(x -> x.name().equals("jvm_memory_used_bytes")
                    && "heap".equals(x.labels().get("area"))), "heap pools");
            assertTrue(sum(s, "jvm_threads_live_threads") > 0);
            assertTrue(sum(s, "jvm_classes_loaded_classes") > 0);
            assertTrue(sum(s, "process_uptime_seconds") > 0);
            assertTrue(sum(s, "process_files_open_files") > 0);
            assertTrue(s.samples("process_cpu_usage").size() == 1);
            assertTrue(s.samples("jvm_gc_pause_seconds_count").size() > 0, "GC pauses");

            // Every metric a dashboard query names is in the scrape.
            JsonNode dashboard = new ObjectMapper().readTree(DockerComposeTest.repositoryRoot()
                    .resolve("deploy/grafana/dashboards/streamscore-scorer.json").toFile());
            Set<String> scraped = s.all().stream().map(Scrape.Sample::name).collect(Collectors.toCollection(TreeSet::new));
            List<PromQl.Query> queries = PromQl.queries(dashboard);
            Map<String, Set<String>> missing = missing(queries, scraped);
            assertEquals(Map.of(), missing, "metrics the dashboard names that /metrics does not have");
            Set<String> named = new TreeSet<>();
            queries.forEach(q -> named.addAll(PromQl.metricNames(q.expr())));
            assertTrue(named.size() >= 25, "the dashboard's metrics: " + named);
            // The check can fail: a query naming a metric that does not exist is reported.
            assertEquals(Map.of("panel 'x' A", Set.of("streamscore_records_scored")), missing(List.of(new PromQl.Query(
                    "panel 'x' A", "sum(rate(streamscore_records_scored[5m])) / on(instance) group_left "
                            + "sum by (instance) (streamscore_records_scored_total{role=\"champion\"})")), scraped));

            long families = body.lines().filter(l -> l.startsWith("# TYPE ")).count();
            int largestDuringLoad;
            synchronized (sizes) {
                largestDuringLoad = sizes.stream().mapToInt(Integer::intValue).max().orElse(0);
            }
            System.out.printf("metrics scrape: %,d bytes, %,d lines, %,d samples in %d families (%d streamscore_*); "
                            + "%d scrapes during the load, largest %,d bytes; the dashboard names %d metrics, all present%n",
                    body.getBytes(StandardCharsets.UTF_8).length, body.lines().count(), s.all().size(), families,
                    s.types().keySet().stream().filter(n -> n.startsWith("streamscore_")).count(), sizes.size(),
                    largestDuringLoad, named.size());
        }
    }

    /** A model of "clusters" over x1, x2 and velocity: the events have no velocity, so it can score none of them. */
    private static LogisticModel challengerNeedingVelocity() {
        SplittableRandom random = new SplittableRandom(5);
        int rows = 400;
        double[] x = new double[rows * 3];
        double[] y = new double[rows];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < 3; j++) {
                x[i * 3 + j] = random.nextGaussian();
            }
            y[i] = random.nextDouble() < LogisticMath.sigmoid(x[i * 3] + x[i * 3 + 2]) ? 1 : 0;
        }
        Dataset.Split split = new Dataset(List.of("x1", "x2", "velocity"), x, y, "x1, x2 and velocity").split(0.2, 5);
        TrainingOptions options = TrainingOptions.defaults().withStandardize(true).withSeed(5).withThreads(1)
                .withIterations(300);
        return new LogisticRegressionTrainer(options, Clock.systemUTC(), ProgressListener.NONE)
                .train(split.train(), split.holdout(), "clusters").model();
    }

    /** Per query, the metrics it names that the scrape does not have (queries that name none missing are left out). */
    private static Map<String, Set<String>> missing(List<PromQl.Query> queries, Set<String> scraped) {
        Map<String, Set<String>> out = new TreeMap<>();
        for (PromQl.Query q : queries) {
            Set<String> absent = new TreeSet<>(PromQl.metricNames(q.expr()));
            absent.removeAll(scraped);
            if (!absent.isEmpty()) {
                out.put(q.where(), absent);
            }
        }
        return out;
    }

    /** Partition → records-lag of {@code topic}'s partitions (the largest where several clients read one). */
    private static Map<String, Double> lag(Scrape s, String topic) {
        Map<String, Double> out = new TreeMap<>();
        for (Scrape.Sample x : s.samples("kafka_consumer_fetch_manager_records_lag")) {
            if (topic.equals(x.labels().get("topic")) && !Double.isNaN(x.value())) {
                out.merge(x.labels().get("partition"), x.value(), Math::max);
            }
        }
        return out;
    }

    private static double sum(Scrape s, String name) {
        List<Scrape.Sample> samples = s.samples(name);
        assertFalse(samples.isEmpty(), "no " + name + " in the scrape");
        return samples.stream().mapToDouble(Scrape.Sample::value).sum();
    }

    private static Set<String> threads(Scrape s, String name) {
        return s.samples(name).stream().map(x -> x.labels().get("thread_id")).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String get(HttpClient http, URI uri) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertEquals(200, r.statusCode(), r.body());
            return r.body();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
