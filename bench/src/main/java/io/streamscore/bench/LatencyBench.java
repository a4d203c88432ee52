package io.streamscore.bench;

import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tail latency of the scorer on a real broker, stage by stage: for a traced sample of the inputs, send → input append
 * → scorer poll → processed → score append → consumed ({@link StageStamps}), with percentiles per stage, the records
 * above the p99 attributed to stages, and a per-second timeline (p99 of each stage, GC pauses, JVM hiccups, the CPU of
 * the bench, the broker and everything else on the machine). Compares variants (a {@code streamscore.profile} plus
 * optional client settings) in the same run, each measured for peak throughput too. See BENCHMARKS.md, "Tail latency".
 */
@Command(name = "scorer-latency-bench", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = {
            "Scorer tail latency per stage on a real local Kafka broker, variants compared in the same run.",
            "",
            "A variant is a profile name, optionally followed by +key=value client settings:",
            "  throughput   latency   throughput+producer.linger.ms=5+max.poll.records=500",
            "",
            "Examples:",
            "  java -cp bench/target/benchmarks.jar io.streamscore.bench.LatencyBench",
            "  java -cp bench/target/benchmarks.jar io.streamscore.bench.LatencyBench --rounds 5 --eos-commit-intervals none",
            "  java -cp bench/target/benchmarks.jar io.streamscore.bench.LatencyBench --variants throughput --peak-events 0 --rate 56000"
        })
public final class LatencyBench implements Callable<Integer> {
    private static final String MODELS = "models";
    private static final String PEAK_FEATURES = "features-peak";

    @Option(names = "--variants", split = ",", paramLabel = "VARIANT", defaultValue = "throughput,latency",
            description = "What to compare, at least once, 1 thread (first = the reference whose peak sets the rate).")
    List<String> variants;

    @Option(names = "--rounds", paramLabel = "N", defaultValue = "1",
            description = "Latency runs per variant at at-least-once (the order rotates each round).")
    int rounds;

    @Option(names = "--peak-events", paramLabel = "N", defaultValue = "1000000",
            description = "Events per peak-throughput run (0 = no peak runs; then --rate is needed).")
    long peakEvents;

    @Option(names = "--peak-repeats", paramLabel = "N", defaultValue = "2", description = "Peak runs per variant and configuration.")
    int peakRepeats;

    @Option(names = "--warmup-events", paramLabel = "N", defaultValue = "300000",
            description = "Outputs of an unreported scorer run first (JIT), 0 = none.")
    long warmupEvents;

    @Option(names = "--rate", paramLabel = "R", defaultValue = "0",
            description = "Produce rate (records/s) of the latency runs; 0 = half the first variant's median at-least-once peak.")
    long rate;

    @Option(names = "--eos-commit-intervals", split = ",", paramLabel = "MS", defaultValue = "100,50,20",
            description = "Exactly-once: peak and latency of the last variant at each commit.interval.ms; 'none' skips exactly-once.")
    List<String> eosCommitIntervals;

    @Option(names = "--latency-seconds", paramLabel = "S", defaultValue = "20", description = "Measured window per latency run.")
    int latencySeconds;

    @Option(names = "--latency-warmup-seconds", paramLabel = "S", defaultValue = "5", description = "Steady producing before the window.")
    int latencyWarmupSeconds;

    @Option(names = "--trace-every", paramLabel = "K", defaultValue = "10",
            description = "Trace every K-th input through the stages (every input is timed end to end).")
    int traceEvery;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "2", description = "Partitions of the feature and output topics.")
    int partitions;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT", description = "Use this broker instead of starting one.")
    String bootstrapServers;

    @Option(names = "--devkit-jar", paramLabel = "FILE", defaultValue = "devkit/target/devkit.jar", description = "The broker's jar (devkit), run as a separate JVM.")
    Path devkitJar;

    @Option(names = "--broker-heap", paramLabel = "SIZE", defaultValue = "1g", description = "The broker JVM's -Xms/-Xmx.")
    String brokerHeap;

    @Option(names = "--broker-jvm-option", paramLabel = "OPT",
            description = "Extra JVM option for the broker (repeatable), e.g. -XX:StartFlightRecording=filename=/tmp/broker.jfr.")
    List<String> brokerJvmOptions = new ArrayList<>();

    @Option(names = "--out-dir", paramLabel = "DIR", defaultValue = "bench/target/latency",
            description = "Where results.md and the timeline charts go.")
    Path outDir;

    private String[] args = new String[0];

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            System.setProperty("log4j2.configurationFile", "classpath:bench-log4j2.xml");
        }
        LatencyBench bench = new LatencyBench();
        CommandLine cl = new CommandLine(bench);
        cl.setExecutionStrategy(parseResult -> {
            bench.args = parseResult.originalArgs().toArray(new String[0]);
            return new CommandLine.RunLast().execute(parseResult);
        });
        System.exit(cl.execute(args));
    }

    /** A profile plus extra client settings, parsed from {@code name+key=value+...}. */
    record Variant(String text, String profile, Map<String, String> settings) {
        static Variant parse(String text) {
            String[] parts = text.split("\\+");
            Map<String, String> settings = new LinkedHashMap<>();
            for (int i = 1; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("variant '" + text + "': '" + parts[i] + "' is not key=value");
                }
                settings.put(parts[i].substring(0, eq).trim(), parts[i].substring(eq + 1).trim());
            }
            return new Variant(text, parts[0].trim(), settings);
        }
    }

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        List<Variant> parsed = variants.stream().map(Variant::parse).toList();
        if (peakEvents <= 0 && rate <= 0) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--peak-events 0 needs --rate R");
        }
        PrintWriter out = new PrintWriter(System.out, true);
        BenchReport.Machine machine = BenchReport.Machine.describe();
        out.printf("scorer-latency-bench: variants %s, %d round(s); %s%n", variants, rounds, machine.oneLine());
        Files.createDirectories(outDir);
        Path brokerGcLog = outDir.toAbsolutePath().resolve("broker-gc.log");
        Files.deleteIfExists(brokerGcLog);
        BrokerProcess broker = null;
        long t = System.nanoTime();
        try {
            String bootstrap = bootstrapServers;
            if (bootstrap == null) {
                List<String> jvm = new ArrayList<>(List.of("-Xlog:gc:file=" + brokerGcLog + ":time"));
                jvm.addAll(brokerJvmOptions);
                broker = BrokerProcess.start(devkitJar, brokerHeap, Duration.ofSeconds(90), jvm);
                bootstrap = broker.bootstrapServers();
                out.printf("broker: separate JVM (-Xmx%s, GC log %s) at %s, log %s%n", brokerHeap, brokerGcLog, bootstrap, broker.log());
            }
            return run(out, bootstrap, broker, machine, parsed, broker == null ? null : brokerGcLog);
        } finally {
            if (broker != null) {
                broker.close();
            }
            out.printf("total wall time %.0f s%n", (System.nanoTime() - t) / 1e9);
        }
    }

    private Integer run(PrintWriter out, String bootstrap, BrokerProcess broker, BenchReport.Machine machine,
                        List<Variant> parsed, Path brokerGcLog) throws Exception {
        BenchData data = new BenchData(42);
        Path stateDir = Files.createTempDirectory("scorer-latency-state");
        Instant started = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            Runs runs = new Runs(bootstrap, admin, stateDir, broker, data, brokerGcLog);
            runs.create(MODELS, 1, Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            BenchData.publish(bootstrap, MODELS, data.model(1));
            List<LatencyReport.Peak> peaks = new ArrayList<>();
            List<Long> eosIntervals = eosCommitIntervals.size() == 1 && eosCommitIntervals.get(0).equals("none")
                    ? List.of() : eosCommitIntervals.stream().map(Long::parseLong).toList();
            Variant eosVariant = parsed.get(parsed.size() - 1);
            long prefill = Math.max(peakEvents, warmupEvents);
            if (prefill > 0) {
                runs.create(PEAK_FEATURES, partitions, Map.of());
                double eventBytes = data.prefill(bootstrap, PEAK_FEATURES, prefill);
                out.printf("pre-filled %,d events (mean %.0f bytes)%n", prefill, eventBytes);
            }
            if (warmupEvents > 0) {
                // The JIT compiles the scoring path here, not in the first measured run (which would always be the
                // first variant's); each variant once, as its client settings take other paths in the clients.
                for (Variant v : parsed) {
                    runs.peak(v, ScorerConfig.AT_LEAST_ONCE, -1, warmupEvents);
                }
                out.printf("warm-up runs of %,d events per variant done (not reported)%n", warmupEvents);
            }
            if (peakEvents > 0) {
                for (int rep = 0; rep < peakRepeats; rep++) {
                    List<Variant> order = new ArrayList<>(parsed);
                    Collections.rotate(order, rep);
                    for (Variant v : order) {
                        LatencyReport.Peak p = runs.peak(v, ScorerConfig.AT_LEAST_ONCE, -1, peakEvents);
                        peaks.add(p);
                        out.println(p.oneLine());
                    }
                    for (long ci : eosIntervals) {
                        LatencyReport.Peak p = runs.peak(eosVariant, ScorerConfig.EXACTLY_ONCE_V2, ci, peakEvents);
                        peaks.add(p);
                        out.println(p.oneLine());
                    }
                }
            }
            long latencyRate = rate;
            if (latencyRate <= 0) {
                double[] ref = peaks.stream().filter(p -> p.variant().equals(parsed.get(0).text())
                        && p.guarantee().equals(ScorerConfig.AT_LEAST_ONCE)).mapToDouble(LatencyReport.Peak::recordsPerSecond).toArray();
                latencyRate = Math.round(LatencyReport.median(ref) / 2);
            }
            out.printf("latency runs at %,d records/s%n", latencyRate);
            if (warmupEvents > 0) {
                // The latency runs' own paths (headers on every record, the stamping interceptors, the recorder) are
                // compiled here; otherwise the first measured run pays for it, and that is always the first variant.
                runs.latency(0, parsed.get(0), ScorerConfig.AT_LEAST_ONCE, -1, latencyRate, 3, 5);
                out.println("latency warm-up run done (not reported)");
            }
            List<LatencyReport.Run> latency = new ArrayList<>();
            for (int round = 1; round <= rounds; round++) {
                List<Variant> order = new ArrayList<>(parsed);
                Collections.rotate(order, round - 1);
                for (Variant v : order) {
                    LatencyReport.Run r = runs.latency(round, v, ScorerConfig.AT_LEAST_ONCE, -1, latencyRate,
                            latencyWarmupSeconds, latencySeconds);
                    latency.add(r);
                    out.println(r.oneLine());
                }
            }
            for (long ci : eosIntervals) {
                LatencyReport.Run r = runs.latency(1, eosVariant, ScorerConfig.EXACTLY_ONCE_V2, ci, latencyRate,
                        latencyWarmupSeconds, latencySeconds);
                latency.add(r);
                out.println(r.oneLine());
            }
            String header = "## Results\n\n- Started " + started + "; command: `" + commandLineText() + "`\n"
                    + "- Machine: " + machine.oneLine() + "; load at end " + BenchReport.Machine.loadAverage() + "\n"
                    + "- Broker: " + (broker == null ? bootstrap : "separate JVM, -Xmx" + brokerHeap + ", GC log " + brokerGcLog) + "\n"
                    + "- Latency: " + latencyWarmupSeconds + " s warm-up + " + latencySeconds + " s window, "
                    + partitions + " partitions, every " + traceEvery + "th input traced through the stages\n";
            Path md = outDir.resolve("results.md");
            Files.writeString(md, LatencyReport.markdown(header, peaks, latency));
            out.printf("wrote %s%n", md);
            return 0;
        }
    }

    private String commandLineText() {
        return "java -cp bench/target/benchmarks.jar " + getClass().getName() + (args.length == 0 ? "" : " " + String.join(" ", args));
    }

    private final class Runs {
        private final String bootstrap;
        private final Admin admin;
        private final Path stateDir;
        private final BrokerProcess broker;
        private final BenchData data;
        private final Path brokerGcLog;
        private final ThreadMXBean threadBean = ManagementFactory.getThreadMXBean();
        private int sequence;

        Runs(String bootstrap, Admin admin, Path stateDir, BrokerProcess broker, BenchData data, Path brokerGcLog) {
            this.bootstrap = bootstrap;
            this.admin = admin;
            this.stateDir = stateDir;
            this.broker = broker;
            this.data = data;
            this.brokerGcLog = brokerGcLog;
        }

        void create(String name, int count, Map<String, String> configs) throws Exception {
            admin.createTopics(List.of(new NewTopic(name, count, (short) 1).configs(configs))).all().get(60, TimeUnit.SECONDS);
        }

        void createAll(Map<String, String> configs, String... names) throws Exception {
            List<NewTopic> list = new ArrayList<>();
            for (String n : names) {
                list.add(new NewTopic(n, partitions, (short) 1).configs(configs));
            }
            admin.createTopics(list).all().get(60, TimeUnit.SECONDS);
        }

        void delete(String... names) throws Exception {
            admin.deleteTopics(List.of(names)).all().get(60, TimeUnit.SECONDS);
        }

        private ScorerApp.Running start(Variant v, String appId, String g, long commitIntervalMs, String features,
                                        String output, String deadLetters, String shadow, boolean traced) throws Exception {
            Map<String, String> flags = new HashMap<>(v.settings());
            flags.put(ScorerConfig.PROFILE, v.profile());
            flags.put(ScorerConfig.BOOTSTRAP_SERVERS, bootstrap);
            flags.put(ScorerConfig.APPLICATION_ID, appId);
            flags.put(ScorerConfig.PROCESSING_GUARANTEE, g);
            flags.put(ScorerConfig.THREADS, "1");
            flags.put(ScorerConfig.MODELS_TOPIC, MODELS);
            flags.put(ScorerConfig.FEATURES_TOPIC, features);
            flags.put(ScorerConfig.SCORES_TOPIC, output);
            flags.put(ScorerConfig.DEAD_LETTERS_TOPIC, deadLetters);
            flags.put(ScorerConfig.SHADOW_SCORES_TOPIC, shadow);
            flags.put(ScorerConfig.HTTP_PORT, "0");
            flags.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            if (commitIntervalMs >= 0) {
                flags.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, String.valueOf(commitIntervalMs));
            }
            if (traced) {
                flags.putAll(StageStamps.scorerClientConfigs());
            }
            return new ScorerApp(ScorerConfig.resolve(Map.of(), flags)).start();
        }

        private boolean alive(ScorerApp.Running r) {
            KafkaStreams.State s = r.state();
            return s != KafkaStreams.State.ERROR && s != KafkaStreams.State.NOT_RUNNING && s != KafkaStreams.State.PENDING_ERROR;
        }

        /** The scorer reads the pre-filled topic from the beginning until {@code n} outputs were consumed. */
        LatencyReport.Peak peak(Variant v, String g, long commitIntervalMs, long n) throws Exception {
            String suffix = "peak-" + (++sequence);
            String output = "out-" + suffix;
            String deadLetters = "dl-" + suffix;
            String shadow = "shadow-" + suffix;
            createAll(Map.of(), output, deadLetters, shadow);
            try (OutputCounter counter = new OutputCounter(bootstrap, List.of(output, deadLetters), false).start()) {
                long cpuBefore = streamThreadCpu();
                long benchBefore = processCpuNanos();
                long brokerBefore = broker == null ? 0 : broker.cpuTime().toNanos();
                long t0 = System.nanoTime();
                ScorerApp.Running app = start(v, "bench-" + suffix, g, commitIntervalMs, PEAK_FEATURES, output,
                        deadLetters, shadow, false);
                long reached;
                long cpu;
                long benchCpu;
                long brokerCpu;
                try {
                    reached = counter.awaitCount(n, Duration.ofSeconds(Math.max(180, n / 5_000)), () -> alive(app));
                    cpu = streamThreadCpu() - cpuBefore;
                    benchCpu = processCpuNanos() - benchBefore;
                    brokerCpu = broker == null ? 0 : broker.cpuTime().toNanos() - brokerBefore;
                } finally {
                    app.close();
                }
                counter.close();
                delete(output, deadLetters, shadow);
                double seconds = (reached - t0) / 1e9;
                return new LatencyReport.Peak(v.text(), g, commitIntervalMs, n, seconds, n / seconds, cpu / 1e3 / n,
                        benchCpu / 1e3 / n, brokerCpu / 1e3 / n, BenchReport.Machine.loadAverage());
            }
        }

        private long processCpuNanos() {
            return ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).toNanos();
        }

        /** Stream threads' CPU (ns) so far; a closed app's threads are gone, so take differences within one run. */
        private long streamThreadCpu() {
            long sum = 0;
            for (ThreadInfo info : threadBean.getThreadInfo(threadBean.getAllThreadIds())) {
                if (info != null && info.getThreadName().contains("StreamThread") && !info.getThreadName().contains("Global")) {
                    long c = threadBean.getThreadCpuTime(info.getThreadId());
                    if (c > 0) {
                        sum += c;
                    }
                }
            }
            return sum;
        }

        /**
         * The scorer on fresh LogAppendTime topics, fed at a steady {@code rate} for the warm-up and the window; every
         * {@link #traceEvery}-th input is traced through the stages.
         */
        LatencyReport.Run latency(int round, Variant v, String g, long commitIntervalMs, long rate, int warmupSeconds,
                                  int windowSeconds) throws Exception {
            String suffix = "lat-" + (++sequence);
            String features = "features-" + suffix;
            String output = "out-" + suffix;
            String deadLetters = "dl-" + suffix;
            String shadow = "shadow-" + suffix;
            createAll(Map.of(TopicConfig.MESSAGE_TIMESTAMP_TYPE_CONFIG, "LogAppendTime"), features, output, deadLetters, shadow);
            StageStamps.COMMITS.clear();
            Map<String, Object> producerProps = Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ProducerConfig.LINGER_MS_CONFIG, 1,
                    ProducerConfig.BATCH_SIZE_CONFIG, 65_536,
                    ProducerConfig.ACKS_CONFIG, "all");
            String loadStart = BenchReport.Machine.loadAverage();
            ScorerApp.Running app = start(v, "bench-" + suffix, g, commitIntervalMs, features, output, deadLetters, shadow, true);
            try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps, new ByteArraySerializer(),
                    new ByteArraySerializer())) {
                if (!app.awaitRunning(Duration.ofSeconds(60))) {
                    throw new IllegalStateException("scorer for " + suffix + " did not reach RUNNING within 60 s");
                }
                long startMillis = System.currentTimeMillis() + 200;
                long fromMillis = startMillis + warmupSeconds * 1000L;
                StageRecorder recorder = new StageRecorder(bootstrap, List.of(output, deadLetters), fromMillis * 1000L, windowSeconds).start();
                MachineTimeline timeline = new MachineTimeline(fromMillis, windowSeconds,
                        broker == null ? () -> Duration.ZERO : broker::cpuTime).start();
                AtomicLong sendErrors = new AtomicLong();
                long sent = 0;
                while (System.currentTimeMillis() < startMillis) {
                    Thread.sleep(1);
                }
                long t0 = System.nanoTime();
                long totalNanos = TimeUnit.SECONDS.toNanos(warmupSeconds + windowSeconds);
                long elapsed;
                while ((elapsed = System.nanoTime() - t0) < totalNanos) {
                    long due = (long) (rate * (elapsed / 1e9));
                    for (; sent < due; sent++) {
                        RecordHeaders headers = new RecordHeaders();
                        headers.add(sent % traceEvery == 0 ? StageStamps.TRACE : StageStamps.SENT,
                                StageStamps.bytes(StageStamps.nowMicros()));
                        producer.send(new ProducerRecord<>(features, null, null, BenchData.key(sent), data.event(sent), headers),
                                (md, e) -> {
                                    if (e != null) {
                                        sendErrors.incrementAndGet();
                                    }
                                });
                    }
                    Thread.sleep(1);
                }
                producer.flush();
                double achieved = sent / ((System.nanoTime() - t0) / 1e9);
                recorder.awaitCount(sent, Duration.ofSeconds(120), () -> alive(app));
                recorder.close();
                timeline.close();
                String loadEnd = BenchReport.Machine.loadAverage();
                List<MachineTimeline.Second> machine = timeline.seconds(brokerGcLog, new ArrayList<>(StageStamps.COMMITS));
                LatencyReport.Run r = LatencyReport.run(round, v.text(), g, commitIntervalMs, rate, achieved, sent,
                        sendErrors.get(), recorder, machine, loadStart, loadEnd);
                if (round == 0) {
                    return r; // a warm-up run: no chart
                }
                Path png = outDir.resolve(String.format(Locale.ROOT, "timeline-%02d-%s-%s%s.png", sequence,
                        v.text().replaceAll("[^A-Za-z0-9.=-]+", "_"), LatencyReport.shortGuarantee(g).replace(' ', '_'),
                        commitIntervalMs < 0 ? "" : "-commit" + commitIntervalMs));
                LatencyReport.chart(r, String.format(Locale.ROOT, "round %d; %d s window after %d s warm-up; every %dth input traced; load %s → %s",
                        round, windowSeconds, warmupSeconds, traceEvery, loadStart, loadEnd), png);
                return LatencyReport.withChart(r, png);
            } finally {
                app.close();
                delete(features, output, deadLetters, shadow);
            }
        }
    }
}
