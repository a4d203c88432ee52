package io.streamscore.bench;

import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerConfig;
import io.streamscore.scorer.drift.DriftConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Scorer throughput and stream-thread CPU per event with drift on ({@code --drift-windows 1h,24h}) vs plain scoring, on
 * a real broker: the same pre-filled feature topic (the bench's 20-feature model, carrying a drift baseline) scored
 * once each way per repeat, alternating which goes first; a run ends at the N-th score. Not part of the test command.
 */
@Command(name = "drift-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Scorer throughput and CPU per event with drift on vs plain scoring.")
public final class DriftBench implements java.util.concurrent.Callable<Integer> {
    private static final String MODELS = "models";
    private static final String FEATURES = "features";

    @Option(names = "--events", description = "Events pre-filled. Default: ${DEFAULT-VALUE}.")
    long events = 200_000;
    @Option(names = "--repeats", description = "Runs of each configuration, alternating which goes first. Default: ${DEFAULT-VALUE}.")
    int repeats = 2;
    @Option(names = "--partitions", description = "Partitions of the features topic. Default: ${DEFAULT-VALUE}.")
    int partitions = 2;
    @Option(names = "--windows", description = "The drift windows. Default: ${DEFAULT-VALUE}.")
    String windows = "1h,24h";
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
        System.exit(new CommandLine(new DriftBench()).execute(args));
    }

    /** One measured run. */
    record Run(boolean drift, long events, double seconds, double cpuMicrosPerEvent) {
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
        Path stateDir = Files.createTempDirectory("drift-bench-state");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(MODELS, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic(FEATURES, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
            BenchData data = new BenchData(42);
            BenchData.publish(bootstrap, MODELS, data.modelWithBaseline(1, 20_000));
            double eventBytes = data.prefill(bootstrap, FEATURES, events);
            System.out.printf("pre-filled %,d events (mean %.0f bytes) on %d partitions%n", events, eventBytes, partitions);
            long warm = Math.min(events, 50_000);
            run(bootstrap, admin, stateDir, true, warm, "warm");
            run(bootstrap, admin, stateDir, false, warm, "warm");
            List<Run> runs = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                boolean driftFirst = r % 2 == 1;
                for (boolean drift : driftFirst ? new boolean[]{true, false} : new boolean[]{false, true}) {
                    Run run = run(bootstrap, admin, stateDir, drift, events, "r" + r);
                    runs.add(run);
                    System.out.printf("run %d %-5s: %,d events in %.1f s = %,.0f events/s, %.1f µs CPU per event%n", r,
                            drift ? "drift" : "plain", events, run.seconds(), run.eventsPerSecond(),
                            run.cpuMicrosPerEvent());
                }
            }
            double plain = median(runs.stream().filter(x -> !x.drift()).mapToDouble(Run::eventsPerSecond).toArray());
            double drift = median(runs.stream().filter(Run::drift).mapToDouble(Run::eventsPerSecond).toArray());
            double plainCpu = median(runs.stream().filter(x -> !x.drift()).mapToDouble(Run::cpuMicrosPerEvent).toArray());
            double driftCpu = median(runs.stream().filter(Run::drift).mapToDouble(Run::cpuMicrosPerEvent).toArray());
            System.out.println();
            System.out.printf("Drift bench: %,d events, %d partitions, %s, 1 stream thread, windows %s, %d repeats; %d "
                            + "cores, load %s at start, %s at end; %d s in all%n", events, partitions, guarantee, windows,
                    repeats, Runtime.getRuntime().availableProcessors(), load, BenchReport.Machine.loadAverage(),
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startedAt));
            System.out.println("| run | events/s (median) | stream-thread CPU µs/event (median) |");
            System.out.println("|---|---:|---:|");
            System.out.printf("| plain scoring | %,.0f | %.1f |%n", plain, plainCpu);
            System.out.printf("| drift on (%s, 20 features) | %,.0f | %.1f |%n", windows, drift, driftCpu);
            System.out.printf("| difference | %+.1f %% | %+.1f µs |%n", 100 * (drift / plain - 1), driftCpu - plainCpu);
        } finally {
            if (broker != null) {
                broker.close();
            }
            deleteQuietly(stateDir);
        }
        return 0;
    }

    private Run run(String bootstrap, Admin admin, Path stateDir, boolean drift, long n, String name) throws Exception {
        String appId = "drift-bench-" + name + "-" + (drift ? "drift" : "plain") + "-" + System.nanoTime();
        String scores = "scores-" + appId;
        List<NewTopic> topics = new ArrayList<>(List.of(new NewTopic(scores, partitions, (short) 1),
                new NewTopic("dead-letters-" + appId, partitions, (short) 1),
                new NewTopic("shadow-" + appId, partitions, (short) 1)));
        if (drift) {
            topics.add(new NewTopic("drift-" + appId, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")));
        }
        admin.createTopics(topics).all().get(60, TimeUnit.SECONDS);
        Map<String, String> flags = new HashMap<>();
        flags.put(ScorerConfig.BOOTSTRAP_SERVERS, bootstrap);
        flags.put(ScorerConfig.APPLICATION_ID, appId);
        flags.put(ScorerConfig.PROCESSING_GUARANTEE, guarantee);
        flags.put(ScorerConfig.MODELS_TOPIC, MODELS);
        flags.put(ScorerConfig.FEATURES_TOPIC, FEATURES);
        flags.put(ScorerConfig.SCORES_TOPIC, scores);
        flags.put(ScorerConfig.DEAD_LETTERS_TOPIC, "dead-letters-" + appId);
        flags.put(ScorerConfig.SHADOW_SCORES_TOPIC, "shadow-" + appId);
        flags.put(ScorerConfig.HTTP_PORT, "0");
        flags.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        if (drift) {
            flags.put(DriftConfig.WINDOWS, windows);
            flags.put(DriftConfig.TOPIC, "drift-" + appId);
        }
        Run result;
        try (OutputCounter counter = new OutputCounter(bootstrap, List.of(scores), false).start()) {
            long start = System.nanoTime();
            ScorerApp.Running app = new ScorerApp(ScorerConfig.resolve(Map.of(), flags)).start();
            long cpu;
            long end;
            try {
                end = counter.awaitCount(n, Duration.ofMinutes(20), () -> app.state().isRunningOrRebalancing()
                        || app.state() == org.apache.kafka.streams.KafkaStreams.State.CREATED);
                cpu = streamThreadCpuNanos(appId);
                if (drift && app.metrics().drift().eventCount(windows.split(",")[0].trim(),
                        io.streamscore.scorer.drift.DriftMetrics.EventReason.COUNTED) == 0) {
                    throw new IllegalStateException("drift counted nothing: the bench would measure plain scoring");
                }
            } finally {
                app.close();
            }
            result = new Run(drift, n, (end - start) / 1e9, cpu / 1e3 / n);
        }
        admin.deleteTopics(topics.stream().map(NewTopic::name).toList()).all().get(60, TimeUnit.SECONDS);
        return result;
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
