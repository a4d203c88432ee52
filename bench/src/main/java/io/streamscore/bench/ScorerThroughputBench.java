package io.streamscore.bench;

import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * End-to-end scorer bench on a real broker: pre-fills a feature topic, then times the scorer ({@link ScorerApp}) and a
 * pass-through baseline ({@link PassThroughTopology}) from start to the last committed output at each processing
 * guarantee and thread count, measures end-to-end latency at half the peak rate and the model-swap latency, and writes
 * a Markdown report and a PNG chart. See BENCHMARKS.md. Not part of the test command.
 *
 * <p>{@code --contributions}, {@code --contributions-top K} and {@code --challenger} add the scorer with that option
 * (or with one challenger) as more apps in every configuration, rotated with the others, so each is compared with the
 * plain scorer of the same run.
 */
@Command(name = "scorer-e2e-bench", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = {
            "Scorer throughput and latency on a real local Kafka broker, against a pass-through baseline in the same run.",
            "",
            "Examples:",
            "  java -cp bench/target/benchmarks.jar io.streamscore.bench.ScorerThroughputBench",
            "  java -cp bench/target/benchmarks.jar io.streamscore.bench.ScorerThroughputBench --quick",
            "  java -cp bench/target/benchmarks.jar io.streamscore.bench.ScorerThroughputBench --bootstrap-servers 127.0.0.1:9092",
            "  java -cp bench/target/benchmarks.jar io.streamscore.bench.ScorerThroughputBench --skip-latency --threads 1 \\",
            "      --contributions --contributions-top 5 --challenger"
        })
public final class ScorerThroughputBench implements Callable<Integer> {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;
    private static final String MODELS = "models";
    /** Champion v1 and challenger v2 of the same model id, for the runs with one challenger. */
    private static final String MODELS_WITH_CHALLENGER = "models-challenger";
    private static final String FEATURES = "features";
    private static final List<String> GUARANTEES = List.of(ScorerConfig.AT_LEAST_ONCE, ScorerConfig.EXACTLY_ONCE_V2);

    @Option(names = "--events", paramLabel = "N", defaultValue = "2000000", description = "Feature events pre-filled and scored per configuration.")
    long events;

    @Option(names = "--quick", description = "200,000 events, 100,000 warm-up, 1 repeat, latency 3 s warm-up + 10 s (overrides those options).")
    boolean quick;

    @Option(names = "--warmup-events", paramLabel = "N", defaultValue = "300000",
            description = "Outputs each app produces in an unreported warm-up run first (JIT), 0 = none.")
    long warmupEvents;

    @Option(names = "--repeats", paramLabel = "N", defaultValue = "3",
            description = "Runs per app and configuration (the report gives medians); our machines are shared and noisy.")
    int repeats;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "2", description = "Partitions of the feature and output topics (>= threads).")
    int partitions;

    @Option(names = "--threads", split = ",", paramLabel = "N", defaultValue = "1,2", description = "Stream thread counts to measure.")
    List<Integer> threads;

    @Option(names = "--latency-seconds", paramLabel = "S", defaultValue = "20", description = "Latency measurement window per guarantee.")
    int latencySeconds;

    @Option(names = "--latency-warmup-seconds", paramLabel = "S", defaultValue = "5", description = "Steady producing before the latency window.")
    int latencyWarmupSeconds;

    @Option(names = "--latency-rate", paramLabel = "R", defaultValue = "0",
            description = "Produce rate (records/s) for the latency runs; 0 = half the scorer's measured 1-thread peak at that guarantee.")
    long latencyRate;

    @Option(names = "--skip-latency", description = "Only the throughput runs.")
    boolean skipLatency;

    @Option(names = "--challenger",
            description = "Also run the scorer with one challenger (every event scored by the champion to the scores topic and by the challenger to the shadow topic) in each configuration, next to plain scoring.")
    boolean challenger;

    @Option(names = "--contributions",
            description = "Also run the scorer with --contributions (every feature's term in each score) in each configuration, next to plain scoring.")
    boolean contributions;

    @Option(names = "--contributions-top", paramLabel = "K", defaultValue = "0",
            description = "Also run the scorer with --contributions-top K (the K largest terms) in each configuration; 0 = not run.")
    int contributionsTop;

    @Option(names = "--client-property", paramLabel = "KEY=VALUE",
            description = "A Kafka Streams / client property for every app (the scorer passes it through as its --client-config would), e.g. producer.compression.type=lz4; repeatable.")
    Map<String, String> clientProperties = new LinkedHashMap<>();

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Use this broker instead of starting one (topics must be creatable).")
    String bootstrapServers;

    @Option(names = "--devkit-jar", paramLabel = "FILE", defaultValue = "devkit/target/devkit.jar", description = "The broker's jar (devkit), run as a separate JVM.")
    Path devkitJar;

    @Option(names = "--broker-heap", paramLabel = "SIZE", defaultValue = "1g", description = "The broker JVM's -Xms/-Xmx.")
    String brokerHeap;

    @Option(names = "--out-dir", paramLabel = "DIR", defaultValue = "bench/target/scorer-e2e",
            description = "Where results.md and scorer-throughput.png go.")
    Path outDir;

    private String[] args = new String[0];

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            // Before the first logger: Kafka's and the scorer's INFO chatter would drown the results.
            System.setProperty("log4j2.configurationFile", "classpath:bench-log4j2.xml");
        }
        System.exit(commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args));
    }

    /** The command line with the given writers. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        ScorerThroughputBench bench = new ScorerThroughputBench();
        CommandLine cl = new CommandLine(bench);
        cl.setOut(out);
        cl.setErr(err);
        cl.setExecutionStrategy(parseResult -> {
            bench.args = parseResult.originalArgs().toArray(new String[0]);
            return new CommandLine.RunLast().execute(parseResult);
        });
        return cl;
    }

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        if (quick) {
            events = 200_000;
            warmupEvents = 100_000;
            repeats = 1;
            latencySeconds = 10;
            latencyWarmupSeconds = 3;
        }
        if (contributionsTop < 0) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--contributions-top " + contributionsTop
                    + " must be >= 1 (or 0 for no such app)");
        }
        int maxThreads = threads.stream().mapToInt(Integer::intValue).max().orElse(1);
        if (partitions < maxThreads) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--partitions " + partitions
                    + " is fewer than --threads " + maxThreads + ": a thread would idle");
        }
        PrintWriter out = new PrintWriter(System.out, true);
        BenchReport.Machine machine = BenchReport.Machine.describe();
        out.printf("scorer-e2e-bench: %,d events, %d partitions, threads %s; %s%n", events, partitions, threads, machine.oneLine());
        BrokerProcess broker = null;
        long t = System.nanoTime();
        try {
            String bootstrap = bootstrapServers;
            if (bootstrap == null) {
                broker = BrokerProcess.start(devkitJar, brokerHeap, Duration.ofSeconds(90));
                bootstrap = broker.bootstrapServers();
                out.printf("broker: separate JVM (-Xmx%s) at %s, started in %.1f s, log %s%n", brokerHeap, bootstrap,
                        seconds(System.nanoTime() - t), broker.log());
            }
            return run(out, bootstrap, broker, machine);
        } finally {
            if (broker != null) {
                broker.close();
            }
            out.printf("total wall time %.0f s%n", seconds(System.nanoTime() - t));
        }
    }

    private Integer run(PrintWriter out, String bootstrap, BrokerProcess broker, BenchReport.Machine machine) throws Exception {
        BenchData data = new BenchData(42);
        Path stateDir = Files.createTempDirectory("scorer-e2e-state");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Topics topics = new Topics(admin, partitions);
            topics.create(MODELS, 1, Map.of("cleanup.policy", "compact"));
            topics.create(FEATURES, partitions, Map.of());
            BenchData.publish(bootstrap, MODELS, data.model(1));
            if (challenger) {
                topics.create(MODELS_WITH_CHALLENGER, 1, Map.of("cleanup.policy", "compact"));
                BenchData.publishWithChallenger(bootstrap, MODELS_WITH_CHALLENGER, data.model(1), data.model(2));
            }
            long t = System.nanoTime();
            double eventBytes = data.prefill(bootstrap, FEATURES, events);
            double fillSeconds = seconds(System.nanoTime() - t);
            out.printf("pre-filled %,d events (mean %.0f bytes) in %.1f s (%,.0f records/s)%n", events, eventBytes,
                    fillSeconds, events / fillSeconds);

            Runs runs = new Runs(bootstrap, topics, stateDir, broker);
            List<AppKind> apps = apps();
            if (warmupEvents > 0) {
                long n = Math.min(warmupEvents, events);
                t = System.nanoTime();
                for (AppKind kind : apps) {
                    runs.throughput(kind, ScorerConfig.AT_LEAST_ONCE, 1, n);
                }
                out.printf("warm-up (not reported): each app to %,d outputs, %.1f s%n", n, seconds(System.nanoTime() - t));
            }
            List<BenchReport.Throughput> throughput = new ArrayList<>();
            for (int rep = 1; rep <= repeats; rep++) {
                int config = 0;
                for (String g : GUARANTEES) {
                    for (int th : threads) {
                        // Rotate which app goes first, by configuration and by repeat, so drift in the machine's load
                        // does not favour one app.
                        List<AppKind> order = new ArrayList<>(apps);
                        Collections.rotate(order, -(rep - 1 + config++));
                        for (AppKind kind : order) {
                            BenchReport.Throughput r = runs.throughput(kind, g, th, events);
                            throughput.add(r);
                            out.println("run " + rep + "/" + repeats + " " + r.oneLine());
                        }
                    }
                }
            }
            List<BenchReport.Latency> latency = new ArrayList<>();
            if (!skipLatency) {
                long version = 1;
                for (String g : GUARANTEES) {
                    double peak = BenchReport.medianScorerRate(throughput, g, 1);
                    long rate = latencyRate > 0 ? latencyRate : Math.round((Double.isNaN(peak) ? 20_000 : peak) / 2);
                    version++;
                    BenchReport.Latency l = runs.latency(data, g, rate, version);
                    latency.add(l);
                    out.println(l.oneLine());
                }
            }
            BenchReport report = new BenchReport(machine, BenchReport.Machine.loadAverage(), commandLineText(), events,
                    eventBytes, partitions, fillSeconds, throughput, latency, broker != null, brokerHeap);
            Files.createDirectories(outDir);
            out.println();
            out.println(report.table());
            Path md = outDir.resolve("results.md");
            Files.writeString(md, report.markdown());
            Path png = outDir.resolve("scorer-throughput.png");
            report.chart(png);
            out.printf("wrote %s and %s%n", md, png);
            return EXIT_OK;
        }
    }

    /** The apps each configuration runs: the baseline, the plain scorer, then each variant asked for. */
    private List<AppKind> apps() {
        List<AppKind> apps = new ArrayList<>(List.of(AppKind.BASELINE, AppKind.SCORER));
        if (contributions) {
            apps.add(AppKind.CONTRIBUTIONS);
        }
        if (contributionsTop > 0) {
            apps.add(AppKind.CONTRIBUTIONS_TOP);
        }
        if (challenger) {
            apps.add(AppKind.CHALLENGER);
        }
        return apps;
    }

    /** The app's name in the report: its kind, with K for the top-K scorer. */
    private String label(AppKind kind) {
        return kind == AppKind.CONTRIBUTIONS_TOP ? "scorer+top" + contributionsTop : kind.label;
    }

    private String commandLineText() {
        return "java -cp bench/target/benchmarks.jar " + getClass().getName() + (args.length == 0 ? "" : " " + String.join(" ", args));
    }

    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** The apps a run can compare; each variant differs from the plain scorer by one option. */
    enum AppKind {
        BASELINE("baseline"), SCORER("scorer"), CONTRIBUTIONS("scorer+contrib"), CONTRIBUTIONS_TOP("scorer+topK"),
        CHALLENGER("scorer+1ch");

        final String label;

        AppKind(String label) {
            this.label = label;
        }
    }

    /** Topic creation and deletion through one admin client. */
    private static final class Topics {
        private final Admin admin;
        private final int partitions;

        Topics(Admin admin, int partitions) {
            this.admin = admin;
            this.partitions = partitions;
        }

        void create(String name, int count, Map<String, String> configs) throws Exception {
            admin.createTopics(List.of(new NewTopic(name, count, (short) 1).configs(configs))).all().get(60, TimeUnit.SECONDS);
        }

        void createOutputs(String... names) throws Exception {
            List<NewTopic> list = new ArrayList<>();
            for (String n : names) {
                list.add(new NewTopic(n, partitions, (short) 1));
            }
            admin.createTopics(list).all().get(60, TimeUnit.SECONDS);
        }

        /** Output topics go once counted: 2M scores are ~0.5 GB per run. */
        void delete(String... names) throws Exception {
            admin.deleteTopics(List.of(names)).all().get(60, TimeUnit.SECONDS);
        }
    }

    /** A started app under measurement. */
    private interface RunningApp extends AutoCloseable {
        boolean alive();

        boolean awaitRunning(Duration timeout) throws InterruptedException;

        @Override
        void close();
    }

    private final class Runs {
        private final String bootstrap;
        private final Topics topics;
        private final Path stateDir;
        private final BrokerProcess broker;
        private final ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
        private int sequence;

        Runs(String bootstrap, Topics topics, Path stateDir, BrokerProcess broker) {
            this.bootstrap = bootstrap;
            this.topics = topics;
            this.stateDir = stateDir;
            this.broker = broker;
        }

        private RunningApp start(AppKind kind, String appId, String g, int th, String features, String output,
                                 String deadLetters, String shadow) throws Exception {
            if (kind != AppKind.BASELINE) {
                Map<String, String> flags = new HashMap<>(clientProperties);
                if (kind == AppKind.CONTRIBUTIONS || kind == AppKind.CONTRIBUTIONS_TOP) {
                    flags.put(ScorerConfig.CONTRIBUTIONS, "true");
                }
                if (kind == AppKind.CONTRIBUTIONS_TOP) {
                    flags.put(ScorerConfig.CONTRIBUTIONS_TOP, String.valueOf(contributionsTop));
                }
                flags.put(ScorerConfig.BOOTSTRAP_SERVERS, bootstrap);
                flags.put(ScorerConfig.APPLICATION_ID, appId);
                flags.put(ScorerConfig.PROCESSING_GUARANTEE, g);
                flags.put(ScorerConfig.THREADS, String.valueOf(th));
                flags.put(ScorerConfig.MODELS_TOPIC, kind == AppKind.CHALLENGER ? MODELS_WITH_CHALLENGER : MODELS);
                flags.put(ScorerConfig.FEATURES_TOPIC, features);
                flags.put(ScorerConfig.SCORES_TOPIC, output);
                flags.put(ScorerConfig.DEAD_LETTERS_TOPIC, deadLetters);
                flags.put(ScorerConfig.SHADOW_SCORES_TOPIC, shadow);
                flags.put(ScorerConfig.HTTP_PORT, "0");
                flags.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
                ScorerApp.Running r = new ScorerApp(ScorerConfig.resolve(Map.of(), flags)).start();
                return new RunningApp() {
                    public boolean alive() {
                        KafkaStreams.State s = r.state();
                        return s != KafkaStreams.State.ERROR && s != KafkaStreams.State.NOT_RUNNING
                                && s != KafkaStreams.State.PENDING_ERROR;
                    }

                    public boolean awaitRunning(Duration timeout) throws InterruptedException {
                        return r.awaitRunning(timeout);
                    }

                    public void close() {
                        r.close();
                    }
                };
            }
            Properties p = new Properties();
            p.putAll(clientProperties);
            p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            p.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
            p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, g);
            p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, th);
            p.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            KafkaStreams streams = new KafkaStreams(PassThroughTopology.build(features, output), p);
            streams.setUncaughtExceptionHandler(e -> StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT);
            streams.start();
            return new RunningApp() {
                public boolean alive() {
                    KafkaStreams.State s = streams.state();
                    return s != KafkaStreams.State.ERROR && s != KafkaStreams.State.NOT_RUNNING
                            && s != KafkaStreams.State.PENDING_ERROR;
                }

                public boolean awaitRunning(Duration timeout) throws InterruptedException {
                    long deadline = System.nanoTime() + timeout.toNanos();
                    while (streams.state() != KafkaStreams.State.RUNNING) {
                        if (System.nanoTime() > deadline || !alive()) {
                            return false;
                        }
                        Thread.sleep(20);
                    }
                    return true;
                }

                public void close() {
                    streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                            .withTimeout(Duration.ofSeconds(30)));
                }
            };
        }

        /**
         * One app reads the pre-filled topic from the beginning until {@code n} outputs were consumed (scores and dead
         * letters; with a challenger, its shadow scores are counted apart and must number {@code n} too).
         */
        BenchReport.Throughput throughput(AppKind kind, String g, int th, long n) throws Exception {
            String suffix = label(kind).replace('+', '-') + "-" + g + "-" + th + "t-" + (++sequence);
            String output = "out-" + suffix;
            String deadLetters = "dl-" + suffix;
            String shadow = "shadow-" + suffix;
            topics.createOutputs(output, deadLetters, shadow);
            try (OutputCounter counter = new OutputCounter(bootstrap, List.of(output, deadLetters), false).start()) {
                Map<String, Long> cpuBefore = threadCpu();
                long processCpuBefore = processCpuNanos();
                long brokerCpuBefore = broker == null ? 0 : broker.cpuTime().toNanos();
                long t0 = System.nanoTime();
                RunningApp app = start(kind, "bench-" + suffix, g, th, FEATURES, output, deadLetters, shadow);
                long reached;
                Map<String, Long> cpuAfter;
                long processCpu;
                long brokerCpu;
                try {
                    reached = counter.awaitCount(n, Duration.ofSeconds(Math.max(180, n / 5_000)), app::alive);
                    cpuAfter = threadCpu();
                    processCpu = processCpuNanos() - processCpuBefore;
                    brokerCpu = broker == null ? 0 : broker.cpuTime().toNanos() - brokerCpuBefore;
                } finally {
                    app.close();
                }
                double elapsed = seconds(reached - t0);
                double firstOutput = seconds(counter.firstAtNanos() - t0);
                Thread.sleep(500); // anything beyond n (a duplicate) would show up in the count now
                long outputs = counter.count();
                long outputBytes = counter.valueBytes();
                counter.close();
                if (kind == AppKind.CHALLENGER) {
                    // Counted after the run, from the beginning, so that reading them does not load the measured run.
                    try (OutputCounter shadowCounter = new OutputCounter(bootstrap, List.of(shadow), false).start()) {
                        shadowCounter.awaitCount(n, Duration.ofSeconds(120), () -> true);
                        outputBytes += shadowCounter.valueBytes();
                    }
                }
                topics.delete(output, deadLetters, shadow);
                double stream = 0;
                double global = 0;
                for (Map.Entry<String, Long> e : cpuAfter.entrySet()) {
                    long delta = e.getValue() - cpuBefore.getOrDefault(e.getKey(), 0L);
                    if (e.getKey().contains("GlobalStreamThread")) {
                        global += delta;
                    } else if (e.getKey().contains("StreamThread")) {
                        stream += delta;
                    }
                }
                return new BenchReport.Throughput(kind, label(kind), g, th, n, outputs, elapsed, firstOutput, n / elapsed,
                        n / Math.max(1e-9, elapsed - firstOutput), stream / 1e9, global / 1e9, processCpu / 1e9,
                        brokerCpu / 1e9, (double) outputBytes / n, BenchReport.Machine.loadAverage());
            }
        }

        private Map<String, Long> threadCpu() {
            Map<String, Long> cpu = new HashMap<>();
            for (ThreadInfo info : threadBean.getThreadInfo(threadBean.getAllThreadIds())) {
                if (info != null) {
                    long c = threadBean.getThreadCpuTime(info.getThreadId());
                    if (c > 0) {
                        cpu.merge(info.getThreadName() + "#" + info.getThreadId(), c, Long::sum);
                    }
                }
            }
            return cpu;
        }

        private long processCpuNanos() {
            return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).toNanos();
        }

        /**
         * The scorer (1 thread) on a fresh feature topic fed at a steady {@code rate}: latency from each input's
         * timestamp (set at send) to its score's arrival at a read_committed consumer; halfway through the window,
         * model {@code version} is published and the time from its ack to the first score by it is measured.
         */
        BenchReport.Latency latency(BenchData data, String g, long rate, long version) throws Exception {
            String suffix = "latency-" + g + "-" + (++sequence);
            String features = "features-" + suffix;
            String output = "out-" + suffix;
            String deadLetters = "dl-" + suffix;
            String shadow = "shadow-" + suffix;
            topics.createOutputs(features, output, deadLetters, shadow);
            Map<String, Object> producerProps = Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.LINGER_MS_CONFIG, 1,
                    ProducerConfig.BATCH_SIZE_CONFIG, 65_536,
                    ProducerConfig.ACKS_CONFIG, "all");
            try (OutputCounter counter = new OutputCounter(bootstrap, List.of(output, deadLetters), true).start();
                 KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                         new ByteArraySerializer())) {
                RunningApp app = start(AppKind.SCORER, "bench-" + suffix, g, 1, features, output, deadLetters, shadow);
                try {
                    if (!app.awaitRunning(Duration.ofSeconds(60))) {
                        throw new IllegalStateException("scorer for " + suffix + " did not reach RUNNING within 60 s");
                    }
                    long warmupMs = latencyWarmupSeconds * 1000L;
                    long windowMs = latencySeconds * 1000L;
                    long startMillis = System.currentTimeMillis();
                    counter.recordLatencyBetween(startMillis + warmupMs, startMillis + warmupMs + windowMs);
                    long swapAtMs = warmupMs + windowMs / 2;
                    CompletableFuture<Long> swapAck = null;
                    long swapSendMillis = 0;
                    long sent = 0;
                    AtomicLong sendErrors = new AtomicLong();
                    long t0 = System.nanoTime();
                    long totalNanos = TimeUnit.MILLISECONDS.toNanos(warmupMs + windowMs);
                    long elapsed;
                    while ((elapsed = System.nanoTime() - t0) < totalNanos) {
                        long due = (long) (rate * seconds(elapsed));
                        for (; sent < due; sent++) {
                            producer.send(new ProducerRecord<>(features, null, System.currentTimeMillis(), BenchData.key(sent),
                                    data.event(sent)), (md, e) -> {
                                if (e != null) {
                                    sendErrors.incrementAndGet();
                                }
                            });
                        }
                        if (swapAck == null && elapsed >= TimeUnit.MILLISECONDS.toNanos(swapAtMs)) {
                            counter.watchFor(("\"modelVersion\":" + version + ",").getBytes(StandardCharsets.UTF_8));
                            swapSendMillis = System.currentTimeMillis();
                            swapAck = CompletableFuture.supplyAsync(() -> {
                                try {
                                    BenchData.publish(bootstrap, MODELS, data.model(version));
                                    return System.currentTimeMillis();
                                } catch (Exception e) {
                                    throw new IllegalStateException("publishing model v" + version + " failed", e);
                                }
                            });
                        }
                        Thread.sleep(1);
                    }
                    producer.flush();
                    double achieved = sent / seconds(System.nanoTime() - t0);
                    counter.awaitCount(sent, Duration.ofSeconds(120), app::alive);
                    long ack = swapAck == null ? 0 : swapAck.get(30, TimeUnit.SECONDS);
                    long seen = counter.markerSeenMillis();
                    counter.close();
                    long[] l = counter.sortedLatencies();
                    return new BenchReport.Latency(g, rate, achieved, sent, sendErrors.get(), l.length,
                            percentile(l, 0.50), percentile(l, 0.99), percentile(l, 0.999), l.length == 0 ? -1 : l[l.length - 1],
                            version, seen != 0, seen - swapSendMillis, seen - ack);
                } finally {
                    app.close();
                    topics.delete(features, output, deadLetters, shadow);
                }
            }
        }
    }

    /** Nearest-rank percentile of sorted values; -1 when empty. */
    static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
