package io.streamscore.bench;

import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerConfig;
import io.streamscore.scorer.outcomes.OutcomesConfig;
import io.streamscore.scorer.outcomes.OutcomesTopology;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * Labels on vs plain scoring, in one run on one broker: the scorer (the product as shipped, {@link ScorerApp}) reads the
 * same pre-filled feature topic twice per repeat, once plain and once with {@code --labels-topic} on a labels topic
 * that holds one label per event; throughput is events until the N-th score (plain) or the N-th outcome (labels) is
 * visible to a {@code read_committed} consumer, and CPU time of the app's stream threads per event. Then the state one
 * labelled event leaves: the join's and the quality windows' changelog bytes (the broker's log sizes) and the RocksDB
 * directories, per million labelled events.
 *
 * <pre>
 *   ./mvnw -B -q install -DskipTests -pl bench -am     # or package; needs bench/target/benchmarks.jar, devkit/target/devkit.jar
 *   java -cp bench/target/benchmarks.jar io.streamscore.bench.OutcomesBench [--events N] [--repeats R]
 * </pre>
 */
@Command(name = "outcomes-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Scorer throughput with labels on vs plain scoring, and state bytes per million labelled events.")
public final class OutcomesBench implements Callable<Integer> {
    private static final String MODELS = "models";
    private static final String FEATURES = "features";
    private static final String LABELS = "labels";

    @Option(names = "--events", description = "Events (and labels) pre-filled. Default: ${DEFAULT-VALUE}.")
    long events = 200_000;
    @Option(names = "--repeats", description = "Runs of each configuration, alternating which goes first. Default: ${DEFAULT-VALUE}.")
    int repeats = 2;
    @Option(names = "--partitions", description = "Partitions of the features and labels topics. Default: ${DEFAULT-VALUE}.")
    int partitions = 2;
    @Option(names = "--guarantee", description = "exactly_once_v2 or at_least_once. Default: ${DEFAULT-VALUE}.")
    String guarantee = ScorerConfig.EXACTLY_ONCE_V2;
    @Option(names = "--bootstrap-servers", description = "Use this broker instead of starting one.")
    String bootstrapServers;
    @Option(names = "--devkit-jar", description = "The broker's jar. Default: ${DEFAULT-VALUE}.")
    Path devkitJar = Path.of("devkit/target/devkit.jar");
    @Option(names = "--broker-heap", description = "Default: ${DEFAULT-VALUE}.")
    String brokerHeap = "1g";

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

    public static void main(String[] args) {
        System.exit(new CommandLine(new OutcomesBench()).execute(args));
    }

    /** One measured run. */
    record Run(boolean labels, long events, double seconds, double cpuMicrosPerEvent) {
        double eventsPerSecond() {
            return events / seconds;
        }
    }

    @Override
    public Integer call() throws Exception {
        String load = BenchReport.Machine.loadAverage();
        long startedAt = System.nanoTime();
        BrokerProcess broker = bootstrapServers == null ? BrokerProcess.start(devkitJar, brokerHeap, Duration.ofSeconds(120))
                : null;
        String bootstrap = broker == null ? bootstrapServers : broker.bootstrapServers();
        Path stateDir = Files.createTempDirectory("outcomes-bench-state");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(MODELS, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic(FEATURES, partitions, (short) 1), new NewTopic(LABELS, partitions, (short) 1)))
                    .all().get(60, TimeUnit.SECONDS);
            BenchData data = new BenchData(42);
            BenchData.publish(bootstrap, MODELS, data.model(1));
            double eventBytes = data.prefill(bootstrap, FEATURES, events);
            prefillLabels(bootstrap, events);
            System.out.printf("pre-filled %,d events (mean %.0f bytes) and %,d labels on %d partitions%n", events,
                    eventBytes, events, partitions);

            warmUp(bootstrap, admin, stateDir);
            List<Run> runs = new ArrayList<>();
            StateBytes state = null;
            for (int r = 0; r < repeats; r++) {
                boolean labelsFirst = r % 2 == 1;
                for (boolean labels : labelsFirst ? new boolean[]{true, false} : new boolean[]{false, true}) {
                    Measured m = run(bootstrap, admin, stateDir, labels, events, "r" + r);
                    runs.add(m.run());
                    if (labels) {
                        state = m.state();
                    }
                    System.out.printf("run %d %-6s: %,d events in %.1f s = %,.0f events/s, %.1f µs CPU per event%n", r,
                            labels ? "labels" : "plain", events, m.run().seconds(), m.run().eventsPerSecond(),
                            m.run().cpuMicrosPerEvent());
                }
            }
            report(runs, state, load, eventBytes, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedAt));
        } finally {
            if (broker != null) {
                broker.close();
            }
            deleteQuietly(stateDir);
        }
        return 0;
    }

    private void prefillLabels(String bootstrap, long n) throws Exception {
        AtomicReference<Exception> failure = new AtomicReference<>();
        try (KafkaProducer<byte[], byte[]> p = BenchData.bulkProducer(bootstrap)) {
            for (long i = 0; i < n && failure.get() == null; i++) {
                byte[] value = ("{\"eventId\":\"evt-" + i + "\",\"label\":" + (i % 3 == 0 ? 1 : 0) + "}")
                        .getBytes(StandardCharsets.UTF_8);
                p.send(new ProducerRecord<>(LABELS, BenchData.key(i), value), (md, e) -> {
                    if (e != null) {
                        failure.compareAndSet(null, e);
                    }
                });
            }
            p.flush();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    private void warmUp(String bootstrap, Admin admin, Path stateDir) throws Exception {
        long n = Math.min(events, 50_000);
        run(bootstrap, admin, stateDir, true, n, "warm-labels");
        run(bootstrap, admin, stateDir, false, n, "warm-plain");
    }

    /** A run and, with labels, the state it left. */
    record Measured(Run run, StateBytes state) {
    }

    /** What the state stores hold after a run with labels: changelog bytes on the broker and RocksDB bytes on disk. */
    record StateBytes(long labelled, long joinChangelog, long qualityChangelog, long joinRocksDb, long qualityRocksDb) {
        double perMillion(long bytes) {
            return bytes * 1e6 / labelled;
        }
    }

    private Measured run(String bootstrap, Admin admin, Path stateDir, boolean labels, long n, String name)
            throws Exception {
        String appId = "outcomes-bench-" + name + "-" + (labels ? "labels" : "plain") + "-" + System.nanoTime();
        String scores = "scores-" + appId;
        String deadLetters = "dead-letters-" + appId;
        String shadow = "shadow-" + appId;
        String outcomes = "outcomes-" + appId;
        String quality = "quality-" + appId;
        List<NewTopic> topics = new ArrayList<>(List.of(new NewTopic(scores, partitions, (short) 1),
                new NewTopic(deadLetters, partitions, (short) 1), new NewTopic(shadow, partitions, (short) 1)));
        if (labels) {
            topics.add(new NewTopic(outcomes, partitions, (short) 1));
            topics.add(new NewTopic(quality, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")));
        }
        admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        Map<String, String> flags = new HashMap<>();
        flags.put(ScorerConfig.BOOTSTRAP_SERVERS, bootstrap);
        flags.put(ScorerConfig.APPLICATION_ID, appId);
        flags.put(ScorerConfig.PROCESSING_GUARANTEE, guarantee);
        flags.put(ScorerConfig.MODELS_TOPIC, MODELS);
        flags.put(ScorerConfig.FEATURES_TOPIC, FEATURES);
        flags.put(ScorerConfig.SCORES_TOPIC, scores);
        flags.put(ScorerConfig.DEAD_LETTERS_TOPIC, deadLetters);
        flags.put(ScorerConfig.SHADOW_SCORES_TOPIC, shadow);
        flags.put(ScorerConfig.HTTP_PORT, "0");
        flags.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        if (labels) {
            flags.put(OutcomesConfig.LABELS_TOPIC, LABELS);
            flags.put(OutcomesConfig.OUTCOMES_TOPIC, outcomes);
            flags.put(OutcomesConfig.QUALITY_TOPIC, quality);
        }
        // Scores (plain) or outcomes (labels): the last output of an event on each path.
        Measured measured;
        try (OutputCounter counter = new OutputCounter(bootstrap, List.of(labels ? outcomes : scores), false).start()) {
            long start = System.nanoTime();
            ScorerApp.Running app = new ScorerApp(ScorerConfig.resolve(Map.of(), flags)).start();
            long cpu;
            long end;
            try {
                end = counter.awaitCount(n, Duration.ofMinutes(20), () -> app.state().isRunningOrRebalancing()
                        || app.state() == org.apache.kafka.streams.KafkaStreams.State.CREATED);
                cpu = streamThreadCpuNanos(appId);
            } finally {
                app.close();
            }
            StateBytes state = labels ? stateBytes(admin, appId, stateDir, n) : null;
            measured = new Measured(new Run(labels, n, (end - start) / 1e9, cpu / 1e3 / n), state);
        }
        List<String> delete = new ArrayList<>(topics.stream().map(NewTopic::name).toList());
        admin.deleteTopics(delete).all().get(60, TimeUnit.SECONDS);
        return measured;
    }

    /** CPU time of the app's stream threads (their names start with the application id's client id). */
    private long streamThreadCpuNanos(String appId) {
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().contains(appId) && t.getName().contains("StreamThread")) {
                long c = threads.getThreadCpuTime(t.getId());
                if (c > 0) {
                    sum += c;
                }
            }
        }
        return sum;
    }

    private StateBytes stateBytes(Admin admin, String appId, Path stateDir, long labelled) throws Exception {
        String join = appId + "-" + OutcomesTopology.JOIN_STORE + "-changelog";
        String qualityTopic = appId + "-" + OutcomesTopology.QUALITY_STORE + "-changelog";
        long joinBytes = 0;
        long qualityBytes = 0;
        Map<Integer, Map<String, LogDirDescription>> dirs = admin.describeLogDirs(
                admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream().map(n -> n.id()).toList())
                .allDescriptions().get(30, TimeUnit.SECONDS);
        for (Map<String, LogDirDescription> byDir : dirs.values()) {
            for (LogDirDescription d : byDir.values()) {
                for (Map.Entry<org.apache.kafka.common.TopicPartition, ReplicaInfo> e : d.replicaInfos().entrySet()) {
                    if (e.getKey().topic().equals(join)) {
                        joinBytes += e.getValue().size();
                    } else if (e.getKey().topic().equals(qualityTopic)) {
                        qualityBytes += e.getValue().size();
                    }
                }
            }
        }
        return new StateBytes(labelled, joinBytes, qualityBytes,
                directoryBytes(stateDir.resolve(appId), OutcomesTopology.JOIN_STORE),
                directoryBytes(stateDir.resolve(appId), OutcomesTopology.QUALITY_STORE));
    }

    /** Bytes of every file under a directory named {@code store} below {@code root} (one per task). */
    private static long directoryBytes(Path root, String store) throws Exception {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        long sum = 0;
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                if (p.toString().contains("/" + store + "/")) {
                    sum += Files.size(p);
                }
            }
        }
        return sum;
    }

    private void report(List<Run> runs, StateBytes state, String loadAtStart, double eventBytes, long wallSeconds) {
        double plain = median(runs.stream().filter(r -> !r.labels()).mapToDouble(Run::eventsPerSecond).toArray());
        double labelled = median(runs.stream().filter(Run::labels).mapToDouble(Run::eventsPerSecond).toArray());
        double plainCpu = median(runs.stream().filter(r -> !r.labels()).mapToDouble(Run::cpuMicrosPerEvent).toArray());
        double labelledCpu = median(runs.stream().filter(Run::labels).mapToDouble(Run::cpuMicrosPerEvent).toArray());
        System.out.println();
        System.out.printf("Outcomes bench: %,d events (+ %,d labels), %d partitions, %s, 1 stream thread, %d repeats; "
                        + "%d cores, load %s at start, %s at end; %d s in all%n", events, events, partitions, guarantee,
                repeats, Runtime.getRuntime().availableProcessors(), loadAtStart, BenchReport.Machine.loadAverage(),
                wallSeconds);
        System.out.println("| run | events/s (median) | stream-thread CPU µs/event (median) |");
        System.out.println("|---|---:|---:|");
        System.out.printf("| plain scoring | %,.0f | %.1f |%n", plain, plainCpu);
        System.out.printf("| labels on (score + label + outcome + quality) | %,.0f | %.1f |%n", labelled, labelledCpu);
        System.out.printf("| ratio labels / plain | %.2f | %.2f |%n", labelled / plain, labelledCpu / plainCpu);
        if (state != null) {
            System.out.println();
            System.out.printf("State after %,d labelled events (mean event %.0f bytes, 20 features), per million:%n",
                    state.labelled(), eventBytes);
            System.out.printf("| store | changelog bytes / 1M | RocksDB bytes on disk / 1M |%n|---|---:|---:|%n");
            System.out.printf("| %s | %,.0f | %,.0f |%n", OutcomesTopology.JOIN_STORE,
                    state.perMillion(state.joinChangelog()), state.perMillion(state.joinRocksDb()));
            System.out.printf("| %s | %,.0f | %,.0f |%n", OutcomesTopology.QUALITY_STORE,
                    state.perMillion(state.qualityChangelog()), state.perMillion(state.qualityRocksDb()));
        }
    }

    private static double median(double[] v) {
        java.util.Arrays.sort(v);
        return v.length == 0 ? Double.NaN : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static void deleteQuietly(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception e) {
            // a temp dir: the OS cleans it
        }
    }
}
