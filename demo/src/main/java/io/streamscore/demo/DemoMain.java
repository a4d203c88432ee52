package io.streamscore.demo;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.event.Score;
import io.streamscore.common.kafka.ClientProperties;
import io.streamscore.scorer.ScorerApp;
import io.streamscore.scorer.ScorerConfig;
import io.streamscore.trainer.data.ColumnSelection;
import io.streamscore.trainer.data.CsvDataLoader;
import io.streamscore.trainer.data.CsvOptions;
import io.streamscore.trainer.data.DataFormatException;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.optim.LogisticRegressionTrainer;
import io.streamscore.trainer.synthetic.SyntheticData;
import io.streamscore.trainer.optim.TrainingOptions;
import io.streamscore.trainer.optim.TrainingResult;
import io.streamscore.trainer.kafka.ModelPublisher;
import io.streamscore.trainer.eval.report.TrainingReport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The whole product in one command: a real Kafka broker, training, publishing, the Kafka Streams scorer, feature
 * events in, scores and dead letters out, checked against the truth, then a clean shutdown.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        versionProvider = DemoMain.Version.class,
        description = {
            "Runs streamscore end to end on a real Kafka broker, in one process:",
            "  1. starts an embedded single-node Kafka 4.4 broker (KRaft, 127.0.0.1), unless --bootstrap-servers is given;",
            "  2. generates the overlapping-clusters example (or loads --data), plus separate labelled 'live' events;",
            "  3. trains logistic regression (standardized), writes model.json and report/index.html to --output-dir;",
            "  4. publishes the model to the compacted model topic;",
            "  5. starts the Kafka Streams scorer (exactly-once) and its /metrics endpoint;",
            "  6. produces --events feature events plus 5 deliberately bad records;",
            "  7. reads scores and dead letters (read_committed), shows a sample, and checks every number:",
            "     scores + dead letters = events in, accuracy against the truth, probabilities equal the model's own;",
            "  8. the outcomes loop (generated data only): a live stream with each event's label shortly after it; the scorer",
            "     joins labels to scores and writes quality and drift per 5 s window; halfway the clusters move; the drift",
            "     alert starts a retrain round on the outcomes, its gate publishes v2 (or not), the scorer swaps to it, and",
            "     the check is that v2's windows beat v1's since the drift on accuracy and log-loss;",
            "  9. shuts everything down (also on Ctrl-C).",
            "Kafka's own logs go to stderr at WARN. Exit 0 when every check passes, 1 with one line saying what failed.",
            "",
            "Examples:",
            "  java -jar demo/target/demo.jar",
            "  java -jar demo/target/demo.jar --events 100000 --rate 5000",
            "  java -jar demo/target/demo.jar --keep-running          # then try the kcat recipes it prints",
            "  java -jar demo/target/demo.jar --bootstrap-servers localhost:9092 --topic-prefix demo-",
            "  java -jar demo/target/demo.jar --data credit.csv --label defaulted --model-id credit",
            "  java -jar demo/target/demo.jar --data churn.csv.gz --exclude customer_id --positive-label yes",
            ""
        })
public final class DemoMain implements java.util.concurrent.Callable<Integer> {
    // No static Logger: main() must point log4j2 at the demo's config before the first logger is created.
    /** The log4j2 config in this jar; a user's -Dlog4j2.configurationFile wins. */
    private static final String LOG_CONFIG = "demo-log4j2.xml";
    private static final int FIRST_SAMPLES = 5;
    private static final int MAX_DEAD_LETTER_LINES = 20;
    private static final Duration SCORER_START_TIMEOUT = Duration.ofSeconds(60);
    private static final double HOLDOUT = 0.2;

    @Spec
    private CommandSpec spec;

    @Option(names = "--events", paramLabel = "N", defaultValue = "10000",
            description = "Good feature events to produce (5 bad records are added).")
    int events;

    @Option(names = "--rate", paramLabel = "PER_SECOND", defaultValue = "0",
            description = "Produce at most this many records per second; 0 = as fast as possible.")
    double rate;

    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
            description = "Use this Kafka cluster instead of starting an embedded broker; missing topics are created.")
    String bootstrapServers;

    @Option(names = "--client-config", paramLabel = "FILE",
            description = "Kafka client properties (SASL, SSL, ...) for every client, with --bootstrap-servers.")
    Path clientConfig;

    @Option(names = "--topic-prefix", paramLabel = "PREFIX", defaultValue = "",
            description = "Prefix for the topics models, features, scores, dead-letters, shadow-scores (e.g. demo- on a shared cluster).")
    String topicPrefix;

    @Option(names = "--partitions", paramLabel = "N", defaultValue = "3",
            description = "Partitions for the features, scores, dead-letters and shadow-scores topics when they are created.")
    int partitions;

    @Option(names = "--application-id", paramLabel = "ID", defaultValue = "streamscore-demo",
            description = "The scorer's Kafka Streams application id (its consumer group).")
    String applicationId;

    @Option(names = "--http-port", paramLabel = "PORT", defaultValue = "0",
            description = "Port of the scorer's /health and /metrics; 0 = any free port (printed).")
    int httpPort;

    @Option(names = "--data", paramLabel = "FILE.csv",
            description = "Train on this CSV (header row, numeric features) instead of generated data; "
                    + "its seeded 20%% holdout becomes the live events.")
    Path data;

    @Option(names = "--label", paramLabel = "COLUMN", description = "With --data: the label column (default: the last).")
    String label;

    // The trainer's CSV options, with the trainer's names (docs/cli.md).
    @Option(names = "--exclude", split = ",", paramLabel = "NAME",
            description = "With --data: leave these columns out (e.g. an ID column).")
    List<String> excluded;

    @Option(names = "--features", split = ",", paramLabel = "NAME",
            description = "With --data: train on these columns, in this order.")
    List<String> featureColumns;

    @Option(names = "--positive-label", paramLabel = "VALUE",
            description = "With --data: the label value that is class 1 (e.g. yes); default: labels are 0/1 or true/false.")
    String positiveLabel;

    @Option(names = "--delimiter", paramLabel = "CHAR",
            description = "With --data: the field separator (default: a comma, or ';' or tab found in the header).")
    String delimiter;

    @Option(names = "--missing", paramLabel = "error|drop-rows", defaultValue = "error",
            description = "With --data: what a missing value does (drop-rows trains without those rows).")
    String missing;

    @Option(names = "--training-rows", paramLabel = "N", defaultValue = "4000",
            description = "Rows of generated training data (20%% of them held out for the trainer's evaluation).")
    int trainingRows;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
            description = "Seeds the training data, the holdout split and the initial weights; live data uses seed + 1.")
    long seed;

    @Option(names = "--model-id", paramLabel = "ID",
            description = "The model's id on the model topic. Default: clusters, or with --data the file's name without extension.")
    String modelId;

    @Option(names = "--output-dir", paramLabel = "DIR", defaultValue = "demo-output",
            description = "Where model.json and report/index.html go.")
    Path outputDir;

    @Option(names = "--sample-every", paramLabel = "N", defaultValue = "0",
            description = "Print every Nth score after the first " + FIRST_SAMPLES + "; 0 = about ten in all.")
    int sampleEvery;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "60",
            description = "Fail when no score or dead letter arrives for this long once all events are produced.")
    int timeoutSeconds;

    @Option(names = "--no-loop",
            description = "Skip step 8, the outcomes loop (labels, live quality, drift, a retrain round, the swap).")
    boolean noLoop;

    @Option(names = "--loop-rate", paramLabel = "PER_SECOND", defaultValue = "400",
            description = "Feature events per second in the loop's live stream (each followed by its label).")
    double loopRate;

    @Option(names = "--keep-running",
            description = "After the summary, keep the broker and scorer up until Ctrl-C and print kcat recipes.")
    boolean keepRunning;

    private final CountDownLatch stop = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private volatile DemoResult result;
    private volatile LoopResult loopResult;

    public static void main(String[] args) {
        if (System.getProperty("log4j2.configurationFile") == null) {
            // Before the first logger exists; the trainer's and scorer's jars carry log4j2.xml files of their own.
            System.setProperty("log4j2.configurationFile", "classpath:" + LOG_CONFIG);
        }
        System.exit(commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args));
    }

    /** The command line with the given writers, so tests can capture what it prints. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new DemoMain());
        commandLine.setOut(out);
        commandLine.setErr(err);
        commandLine.setUsageHelpWidth(120);
        // The trainer's and the scorer's form: one line, the one error prefix.
        commandLine.setParameterExceptionHandler((e, args) -> {
            e.getCommandLine().getErr().println("error: " + e.getMessage() + " (see 'demo --help')");
            return ExitCode.USAGE;
        });
        return commandLine;
    }

    /** What the last run measured; null before a run or when it failed early. */
    DemoResult result() {
        return result;
    }

    /** What the last run's loop produced; null before the loop ran, or without it. */
    LoopResult loopResult() {
        return loopResult;
    }

    /** Asks a running demo to stop and clean up, as Ctrl-C does. */
    void requestStop() {
        stop.countDown();
    }

    /** A check that did not hold or a step that failed, with a message a person can act on. */
    static final class DemoFailure extends Exception {
        private static final long serialVersionUID = 1L;

        DemoFailure(String message) {
            super(message);
        }
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        validate();
        Thread hook = new Thread(() -> {
            stop.countDown();
            // The JVM halts once the hooks return: wait until the scorer and the broker are closed.
            try {
                closed.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "demo-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            run(new Console(spec.commandLine().getOut(), System.console() != null));
            return ExitCode.OK;
        } catch (DemoFailure e) {
            err.println("error: " + e.getMessage());
            return ExitCode.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("error: interrupted");
            return ExitCode.FAILED;
        } catch (Exception e) {
            log().debug("demo failed", e);
            err.println("error: " + describe(e));
            return ExitCode.FAILED;
        } finally {
            closed.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // Ctrl-C: the hook is running and has just been released by the latch above.
            }
            err.flush();
        }
    }

    private CsvOptions csvOptions() {
        return new CsvOptions(delimiter == null ? null : CsvOptions.parseDelimiter(delimiter),
                CsvOptions.MissingValues.parse(missing), positiveLabel);
    }

    /** The loop runs on the generated example only: it moves the clusters, which a CSV's data cannot do. */
    private boolean loopOn() {
        return !noLoop && data == null;
    }

    private void validate() {
        String problem = events < 1 ? "--events must be >= 1, got " + events
                : !(rate >= 0 && Double.isFinite(rate)) ? "--rate must be >= 0, got " + rate
                : partitions < 1 ? "--partitions must be >= 1, got " + partitions
                : httpPort < 0 || httpPort > 65535 ? "--http-port must be in 0..65535, got " + httpPort
                : trainingRows < 10 ? "--training-rows must be >= 10, got " + trainingRows
                : sampleEvery < 0 ? "--sample-every must be >= 0, got " + sampleEvery
                : timeoutSeconds < 1 ? "--timeout must be >= 1, got " + timeoutSeconds
                : !(loopRate >= 10 && loopRate <= 5000) ? "--loop-rate must be in 10..5000, got " + loopRate
                : clientConfig != null && bootstrapServers == null ? "--client-config needs --bootstrap-servers"
                : data == null && (label != null || excluded != null || featureColumns != null || positiveLabel != null
                        || delimiter != null) ? "--label, --exclude, --features, --positive-label and --delimiter need --data"
                : null;
        if (problem == null && data != null) {
            try {
                csvOptions();
                new ColumnSelection(featureColumns, excluded);
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
        }
        if (problem != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), problem);
        }
    }

    private void run(Console console) throws Exception {
        String runId = Long.toHexString(new SplittableRandom().nextLong() & 0xffff_ffffL);
        String modelsTopic = topicPrefix + "models";
        String featuresTopic = topicPrefix + "features";
        String scoresTopic = topicPrefix + "scores";
        String deadLettersTopic = topicPrefix + "dead-letters";
        String shadowScoresTopic = topicPrefix + "shadow-scores";
        LoopTopics loopTopics = loopOn() ? new LoopTopics(topicPrefix) : null;
        Path dir = outputDir.toAbsolutePath().normalize();
        console.line("streamscore demo (run " + runId + "): train a model, publish it to Kafka, score a stream with it");
        console.line("");

        // 1. Kafka
        long t0 = System.nanoTime();
        console.line(bootstrapServers == null
                ? "[1/9] Kafka: starting an embedded single-node Apache Kafka 4.4 broker (KRaft, 127.0.0.1) ..."
                : "[1/9] Kafka: using the cluster at " + bootstrapServers);
        try (Cluster cluster = bootstrapServers == null ? Cluster.embedded()
                : Cluster.external(bootstrapServers, clientConfig == null ? new Properties() : ClientProperties.load(clientConfig))) {
            if (cluster.isEmbedded()) {
                console.line(String.format(Locale.ROOT, "      broker ready at %s in %.1f s", cluster.bootstrapServers(), seconds(t0)));
            }
            checkStop();

            // 2. Data
            Dataset.Split split;
            Dataset live;
            if (data == null) {
                Dataset all = SyntheticData.overlappingClusters(trainingRows / 2, seed);
                split = all.split(HOLDOUT, seed);
                live = SyntheticData.overlappingClusters((events + 1) / 2, seed + 1);
                console.line("[2/9] Data: the overlapping-clusters example, two unit-variance Gaussian clusters in (x1, x2)");
                console.line(String.format(Locale.ROOT, "      training: %,d rows (seed %d): %,d to train on, %,d held out",
                        all.rows(), seed, split.train().rows(), split.holdout().rows()));
                console.line(String.format(Locale.ROOT, "      live: %,d labelled events from the same clusters, seed %d, never seen by the trainer",
                        events, seed + 1));
            } else {
                Dataset all;
                CsvDataLoader.Loaded loaded;
                try {
                    loaded = CsvDataLoader.read(data, label, new ColumnSelection(featureColumns, excluded), csvOptions());
                    all = loaded.data();
                    split = all.split(HOLDOUT, seed);
                } catch (DataFormatException | IllegalArgumentException e) {
                    throw new DemoFailure(e.getMessage());
                }
                live = split.holdout();
                console.line("[2/9] Data: " + data + (loaded.format().isEmpty() ? "" : " (" + loaded.format() + ")") + ", "
                        + all.rows() + " rows x " + all.cols() + " features " + all.featureNames()
                        + (loaded.droppedRows() > 0 ? "; " + loaded.droppedRows() + " rows with a missing value left out" : ""));
                console.line(String.format(Locale.ROOT, "      training: %,d rows; held out: %,d rows, which are also the live events%s",
                        split.train().rows(), live.rows(), events > live.rows() ? " (cycled to make " + events + ")" : ""));
            }

            // 3. Train
            console.line("[3/9] Training: batch gradient descent, standardized features, seed " + seed);
            TrainingOptions options = TrainingOptions.defaults().withStandardize(true).withSeed(seed);
            long t3 = System.nanoTime();
            TrainingResult trained = new LogisticRegressionTrainer(options, Clock.systemUTC(), new TrainingProgress(console))
                    .train(split.train(), split.holdout(), modelId != null ? modelId
                            : data != null ? CsvDataLoader.stem(data) : "clusters");
            double holdoutAccuracy = trained.holdoutMetrics().accuracy();
            console.line(String.format(Locale.ROOT, "      stopped after %,d iterations in %.2f s (%s); training loss %.4f",
                    trained.iterations(), seconds(t3), trained.stopReason().description(), trained.finalObjective()));
            console.line(String.format(Locale.ROOT, "      holdout: accuracy %.2f%%, log-loss %.4f, ROC AUC %.4f (%,d rows)",
                    100 * holdoutAccuracy, trained.holdoutMetrics().logLoss(), trained.holdoutMetrics().rocAuc(),
                    split.holdout().rows()));
            for (String warning : trained.warnings()) {
                console.line("      warning: " + warning);
            }
            if (trained.problem() != null) {
                console.line("      warning: " + trained.problem());
            }
            Path report = TrainingReport.write(dir.resolve("report"), trained, split.train(), split.holdout());
            console.line("      report: " + report);
            checkStop();

            // 4. Publish
            LogisticModel model;
            try (ModelPublisher publisher = new ModelPublisher(cluster.clientProperties(), modelsTopic, Duration.ofSeconds(60))) {
                publisher.ensureCompactedTopic(1, Optional.empty());
                ModelPublisher.Published published = publisher.publish(trained.model());
                model = published.model();
                console.line(String.format(Locale.ROOT, "[4/9] Published model '%s' version %d to %s-%d@%d (compacted topic, key %s@v%d)",
                        model.modelId(), model.version(), modelsTopic, published.partition(), published.offset(),
                        model.modelId(), model.version()));
            } catch (ModelPublisher.PublishException e) {
                throw new DemoFailure(e.getMessage());
            }
            Path modelFile = dir.resolve("model.json");
            Files.write(modelFile, ModelJson.toBytes(model));
            console.line("      model: " + modelFile);
            checkStop();

            // 5. Scorer
            List<String> created = cluster.ensureTopics(List.of(featuresTopic, scoresTopic, deadLettersTopic,
                    shadowScoresTopic), partitions);
            if (!created.isEmpty()) {
                console.line("[5/9] Created topics " + created + " (" + partitions + " partitions each)");
            }
            Path stateDir = Files.createTempDirectory("streamscore-demo-state");
            long t5 = System.nanoTime();
            try (ScorerApp.Running scorer = new ScorerApp(scorerConfig(cluster, modelsTopic, featuresTopic, scoresTopic,
                    deadLettersTopic, shadowScoresTopic, loopTopics, stateDir)).start()) {
                if (!scorer.awaitRunning(SCORER_START_TIMEOUT)) {
                    throw new DemoFailure("the scorer did not reach RUNNING within " + SCORER_START_TIMEOUT.toSeconds()
                            + " s (state " + scorer.state() + "; see the log above)");
                }
                console.line(String.format(Locale.ROOT, "[5/9] Scorer RUNNING in %.1f s: Kafka Streams app '%s', exactly-once, %s -> %s | %s",
                        seconds(t5), applicationId, featuresTopic, scoresTopic, deadLettersTopic));
                console.line("      metrics: http://localhost:" + scorer.httpPort() + "/metrics   health: http://localhost:"
                        + scorer.httpPort() + "/health");
                checkStop();

                LiveEvents liveEvents = new LiveEvents(live, events, model);
                result = produceAndCollect(console, cluster, liveEvents, runId, featuresTopic, scoresTopic,
                        deadLettersTopic, holdoutAccuracy, modelFile, report);
                summarize(console, liveEvents, result, scorer);
                verify(liveEvents, result);
                if (loopTopics != null) {
                    console.line("");
                    loopResult = new LoopPhase(console, cluster, loopTopics, model, options, scorer.httpPort(), runId,
                            loopRate, seed + 2, clientConfig, modelsTopic, featuresTopic, stop).run();
                    LoopPhase.summarize(console, loopResult);
                    LoopPhase.verify(loopResult);
                } else {
                    console.line("[8/9] The outcomes loop: skipped (" + (noLoop ? "--no-loop"
                            : "it moves the generated clusters; --data has no generator to move") + ")");
                }
                console.line("");
                console.line("All checks passed.");
                if (keepRunning) {
                    keepRunning(console, cluster, modelsTopic, featuresTopic, scoresTopic, model);
                }
                console.line("[9/9] Shutting down: scorer, then " + (cluster.isEmbedded() ? "broker" : "client connections"));
            } finally {
                deleteRecursively(stateDir);
            }
        }
        console.line("      done.");
    }

    private Map<String, String> flag(String key, String value, Map<String, String> m) {
        m.put(key, value);
        return m;
    }

    private ScorerConfig scorerConfig(Cluster cluster, String models, String features, String scores, String deadLetters,
                                      String shadowScores, LoopTopics loop, Path stateDir) {
        Map<String, String> file = new LinkedHashMap<>();
        cluster.clientProperties().forEach((k, v) -> file.put(String.valueOf(k), String.valueOf(v)));
        // Our own state dir: the scorer keeps nothing on disk, but Kafka Streams locks a directory per application id.
        file.put("state.dir", stateDir.toString());
        Map<String, String> flags = new LinkedHashMap<>();
        flag(ScorerConfig.BOOTSTRAP_SERVERS, cluster.bootstrapServers(), flags);
        flag(ScorerConfig.APPLICATION_ID, applicationId, flags);
        flag(ScorerConfig.MODELS_TOPIC, models, flags);
        flag(ScorerConfig.FEATURES_TOPIC, features, flags);
        flag(ScorerConfig.SCORES_TOPIC, scores, flags);
        flag(ScorerConfig.DEAD_LETTERS_TOPIC, deadLetters, flags);
        flag(ScorerConfig.SHADOW_SCORES_TOPIC, shadowScores, flags);
        flag(ScorerConfig.HTTP_PORT, Integer.toString(httpPort), flags);
        flag(ScorerConfig.SHUTDOWN_TIMEOUT_MS, "20000", flags);
        if (loop != null) {
            loop.scorerFlags().forEach(flags::put);
        }
        return ScorerConfig.resolve(file, flags);
    }

    private DemoResult produceAndCollect(Console console, Cluster cluster, LiveEvents liveEvents, String runId,
                                         String featuresTopic, String scoresTopic, String deadLettersTopic,
                                         double holdoutAccuracy, Path modelFile, Path report) throws Exception {
        int every = sampleEvery > 0 ? sampleEvery : Math.max(1, events / 10);
        List<String> names = liveEvents.events() > 0 ? modelFeatureNames(liveEvents) : List.of();
        console.line(String.format(Locale.ROOT, "[6/9] Producing %,d feature events + %d bad records to '%s' (%s; key = entity id)",
                liveEvents.events(), liveEvents.badRecords(), featuresTopic,
                rate > 0 ? String.format(Locale.ROOT, "%,.0f records/s", rate) : "as fast as possible"));
        console.line(String.format(Locale.ROOT, "[7/9] Reading '%s' and '%s' (read_committed): the first %d scores, then every %,dth",
                scoresTopic, deadLettersTopic, FIRST_SAMPLES, every));
        try (OutputCollector collector = new OutputCollector(cluster.clientProperties(), scoresTopic, deadLettersTopic,
                liveEvents, runId);
             EventProducer producer = new EventProducer(cluster.clientProperties(), featuresTopic, liveEvents, runId, rate, stop)) {
            int[] deadLetterLines = {0};
            OutputCollector.Listener listener = new OutputCollector.Listener() {
                @Override
                public void scored(int i, String key, Score s, boolean correct) {
                    long n = collector.scored();
                    if (n <= FIRST_SAMPLES || n % every == 0) {
                        console.line(String.format(Locale.ROOT, "      score #%-6d %-6s key=%s  %s  p=%.4f -> %d  truth %d  %s",
                                n, s.eventId(), key, features(names, liveEvents.features(i)), s.probability(), s.label(),
                                liveEvents.truth(i), correct ? "ok" : "WRONG"));
                    }
                }

                @Override
                public void deadLettered(String key, String reason, String message) {
                    if (deadLetterLines[0]++ < MAX_DEAD_LETTER_LINES) {
                        console.line(String.format(Locale.ROOT, "      dead letter  key=%s  %s: %s", key, reason, message));
                    }
                }
            };
            producer.start();
            long lastStatus = System.nanoTime();
            while (collector.outputs() < liveEvents.total()) {
                checkStop();
                if (producer.failure() != null) {
                    throw new DemoFailure("producing to '" + featuresTopic + "' failed: " + describe(producer.failure()));
                }
                collector.poll(Duration.ofMillis(200), listener);
                long now = System.nanoTime();
                if (now - lastStatus >= 1_000_000_000L) {
                    lastStatus = now;
                    console.status(status(producer, collector, liveEvents));
                }
                long quietSince = Math.max(collector.lastOutputNanos(), producer.sentAllNanos());
                if (producer.isDone() && now - quietSince > TimeUnit.SECONDS.toNanos(timeoutSeconds)) {
                    throw new DemoFailure(String.format(Locale.ROOT,
                            "no score or dead letter for %d s: received %,d of %,d (%,d scores, %,d dead letters); "
                                    + "is the scorer running? (see the log above)", timeoutSeconds, collector.outputs(),
                            liveEvents.total(), collector.scored(), collector.deadLetterCount()));
                }
            }
            long lastOutput = collector.lastOutputNanos();
            collector.drainToEnd(listener);
            console.status(status(producer, collector, liveEvents));
            console.endStatus();
            double seconds = (lastOutput - producer.startNanos()) / 1e9;
            console.line(String.format(Locale.ROOT, "      latency from produce to a visible score: p50 %d ms, p99 %d ms "
                    + "(includes the exactly-once commit interval)", collector.latencyQuantileMs(0.5),
                    collector.latencyQuantileMs(0.99)));
            return new DemoResult(liveEvents.total(), collector.scored(), collector.deadLettersByReason(), collector.correct(),
                    holdoutAccuracy, collector.probabilityMismatches(), collector.duplicates() + collector.unknownScores(),
                    seconds, modelFile, report);
        }
    }

    private static List<String> modelFeatureNames(LiveEvents liveEvents) {
        return liveEvents.featureNames();
    }

    private static String status(EventProducer producer, OutputCollector collector, LiveEvents liveEvents) {
        return String.format(Locale.ROOT, "      ... produced %,d/%,d   scored %,d   dead-lettered %,d",
                producer.acked(), liveEvents.total(), collector.scored(), collector.deadLetterCount());
    }

    private static String features(List<String> names, double[] values) {
        StringBuilder sb = new StringBuilder();
        for (int j = 0; j < Math.min(3, values.length); j++) {
            sb.append(j == 0 ? "" : " ").append(String.format(Locale.ROOT, "%s=%7.3f", names.get(j), values[j]));
        }
        return values.length > 3 ? sb + " ..." : sb.toString();
    }

    private void summarize(Console console, LiveEvents liveEvents, DemoResult r, ScorerApp.Running scorer) {
        console.line("");
        console.line("Summary");
        console.line(String.format(Locale.ROOT, "  events in         %,9d  (%,d good events + %d bad records)", r.eventsIn(),
                liveEvents.events(), liveEvents.badRecords()));
        console.line(String.format(Locale.ROOT, "  scored            %,9d", r.scored()));
        console.line(String.format(Locale.ROOT, "  dead-lettered     %,9d  %s", r.deadLettered(), new java.util.TreeMap<>(r.deadLetters())));
        console.line(String.format(Locale.ROOT, "  scored + dead     %,9d  %s events in", r.scored() + r.deadLettered(),
                r.scored() + r.deadLettered() == r.eventsIn() ? "=" : "!="));
        console.line(String.format(Locale.ROOT, "  accuracy          %8.2f%%  of scored events' labels against the truth (%,d of %,d)",
                100 * r.liveAccuracy(), r.correct(), r.scored()));
        console.line(String.format(Locale.ROOT, "  trainer holdout   %8.2f%%  %s", 100 * r.holdoutAccuracy(),
                holdoutNote(data)));
        console.line(String.format(Locale.ROOT, "  probabilities     %,9d of %,d equal the model's own prediction, bit for bit",
                r.scored() - r.probabilityMismatches(), r.scored()));
        console.line(String.format(Locale.ROOT, "  throughput        %,9.0f events/s end to end (%,d records in %.2f s, produce to last output)",
                r.eventsIn() / Math.max(r.seconds(), 1e-9), r.eventsIn(), r.seconds()));
        console.line(String.format(Locale.ROOT, "  scorer metrics    %,9d scored, %,d dead-lettered (its own counters, /metrics)",
                scorer.metrics().scoredCount(), deadLetteredByScorer(scorer)));
        console.line("  model             " + r.model());
        console.line("  report            " + r.report());
    }

    /** What the trainer's holdout accuracy is compared with: the best possible is known for the generated example only. */
    static String holdoutNote(Path data) {
        return data == null ? "(about 93% is the best any model can do on the overlapping-clusters example)"
                : "(the trainer's accuracy on the 20% of " + data.getFileName() + " it held out)";
    }

    private static long deadLetteredByScorer(ScorerApp.Running scorer) {
        long n = 0;
        for (io.streamscore.common.event.ReasonCode reason : io.streamscore.common.event.ReasonCode.values()) {
            n += scorer.metrics().deadLetteredCount(reason);
        }
        return n;
    }

    private static void verify(LiveEvents liveEvents, DemoResult r) throws DemoFailure {
        if (r.scored() + r.deadLettered() + r.duplicates() != r.eventsIn() || r.duplicates() > 0) {
            throw new DemoFailure(String.format(Locale.ROOT, "scores (%,d) + dead letters (%,d) + duplicates (%,d) != events in (%,d)",
                    r.scored(), r.deadLettered(), r.duplicates(), r.eventsIn()));
        }
        Map<String, Long> expected = OutputCollector.byName(liveEvents.expectedDeadLetters());
        if (r.scored() != liveEvents.events() || !expected.equals(r.deadLetters())) {
            throw new DemoFailure("expected " + liveEvents.events() + " scores and dead letters " + expected + ", got "
                    + r.scored() + " scores and " + r.deadLetters());
        }
        if (r.probabilityMismatches() > 0) {
            throw new DemoFailure(r.probabilityMismatches() + " scores differ from the model's own prediction");
        }
    }

    private void keepRunning(Console console, Cluster cluster, String modelsTopic, String featuresTopic,
                             String scoresTopic, LogisticModel model) throws InterruptedException {
        String b = cluster.bootstrapServers();
        String f1 = model.featureNames().get(0);
        StringBuilder features = new StringBuilder();
        for (String name : model.featureNames()) {
            features.append(features.length() == 0 ? "" : ",").append('"').append(name).append("\":").append(name.equals(f1) ? "2.5" : "1.0");
        }
        console.line("");
        console.line("Kafka and the scorer keep running until Ctrl-C.  bootstrap.servers=" + b);
        console.line("Try (kcat):");
        console.line("  # produce a feature event (key = entity id; murmur2_random = the Java producer's partitioner)");
        console.line("  echo 'entity-42|{\"eventId\":\"kcat-1\",\"modelId\":\"" + model.modelId() + "\",\"features\":{"
                + features + "}}' | kcat -b " + b + " -P -t " + featuresTopic + " -K '|' -X partitioner=murmur2_random");
        console.line("  # read the scores (committed ones only), with keys");
        console.line("  kcat -b " + b + " -C -t " + scoresTopic + " -X isolation.level=read_committed -o beginning -e -f '%k %s\\n'");
        console.line("  # read the model topic (keys ID@vN, docs/model-topic.md)");
        console.line("  kcat -b " + b + " -C -t " + modelsTopic + " -X isolation.level=read_committed -o beginning -e -f '%k @%o: %s\\n'");
        stop.await();
        console.line("");
    }

    private void checkStop() throws DemoFailure {
        if (stop.getCount() == 0) {
            throw new DemoFailure("stopped (Ctrl-C) before the run finished");
        }
    }

    private static Logger log() {
        return LoggerFactory.getLogger(DemoMain.class);
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
        for (Throwable c = e.getCause(); c != null && c != c.getCause(); c = c.getCause()) {
            if (c.getMessage() != null && !sb.toString().contains(c.getMessage())) {
                sb.append(": ").append(c.getMessage());
            }
        }
        return sb.toString();
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            log().warn("could not delete the scorer's state dir {}: {}", dir, e.getMessage());
        }
    }

    /** {@code --version}: the version the build wrote into the jar, with the Kafka and Java versions. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {io.streamscore.common.BuildVersion.line("demo", DemoMain.class)};
        }
    }
}
