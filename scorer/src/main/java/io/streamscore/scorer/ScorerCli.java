package io.streamscore.scorer;

import io.streamscore.common.kafka.ClientProperties;
import io.streamscore.scorer.drift.DriftConfig;
import io.streamscore.scorer.outcomes.OutcomesConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;

/** The scorer's command line: {@code java -jar scorer.jar --bootstrap-servers HOST:PORT [options]}. */
@Command(name = "scorer", mixinStandardHelpOptions = true, versionProvider = ScorerCli.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
                "Scores feature events from Kafka with the latest logistic-regression model per model id",
                "(or, with --model-selection event-time, the version that was served at each event's timestamp).",
                "Reads models (compacted topic, keys ID@vN) and features; writes scores, dead letters and challengers' shadow scores.",
                "Settings are layered: defaults, then --client-config FILE, then these flags.",
                "",
                "Examples:",
                "  scorer --bootstrap-servers localhost:9092 --create-topics",
                "  scorer --bootstrap-servers localhost:9092 --http-port 0",
                "  scorer --bootstrap-servers b:9093 --client-config sasl.properties",
                "",
                "(run as: java -jar scorer/target/scorer.jar ...)",
                ""})
public final class ScorerCli implements Callable<Integer> {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;

    /**
     * Options renamed to the vocabulary the trainer and the demo share, old name → new name. The old names still work,
     * hidden from the help, for one more release; using one prints a note on stderr. docs/cli.md lists them.
     */
    public static final Map<String, String> RENAMED = Map.of("--startup-timeout", "--kafka-timeout");

    // No picocli defaults: a flag the user did not give must not override the --client-config file.
    @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]", description = "Kafka brokers (required here or in --client-config).")
    String bootstrapServers;
    @Option(names = "--application-id", paramLabel = "ID", description = "Kafka Streams application id (consumer group). Default: streamscore-scorer.")
    String applicationId;
    @Option(names = "--models-topic", paramLabel = "TOPIC", description = "Compacted model topic (the trainer's --models-topic). Default: models.")
    String modelsTopic;
    @Option(names = "--features-topic", paramLabel = "TOPIC", description = "Feature event topic. Default: features.")
    String featuresTopic;
    @Option(names = "--scores-topic", paramLabel = "TOPIC", description = "Output topic for scores. Default: scores.")
    String scoresTopic;
    @Option(names = "--dead-letters-topic", paramLabel = "TOPIC", description = "Output topic for unscorable records. Default: dead-letters.")
    String deadLettersTopic;
    @Option(names = "--shadow-scores-topic", paramLabel = "TOPIC", description = "Output topic for challengers' scores (the scores topic gets the served version's only). Default: shadow-scores.")
    String shadowScoresTopic;
    @Option(names = "--processing-guarantee", paramLabel = "exactly_once_v2|at_least_once", description = "Kafka Streams' processing guarantee. Default: exactly_once_v2.")
    String processingGuarantee;
    @Option(names = "--threads", paramLabel = "N", description = "Stream threads. Default: 1.")
    Integer threads;
    @Option(names = "--http-port", paramLabel = "PORT", description = "Port for /health/live, /health/ready and /metrics; 0 = any free port (a second scorer on one host needs its own). Default: 8080.")
    Integer httpPort;
    @Option(names = "--create-topics", description = "Create missing topics (model topic compacted) instead of waiting for them.")
    boolean createTopics;
    @Option(names = "--kafka-timeout", paramLabel = "SECONDS",
            description = "How long to wait at start for Kafka and the topics (retrying, logging each try) before exiting 1; 0 = for ever. Default: 0.")
    Long startupTimeoutSeconds;
    /** The name before the trainer's --kafka-timeout was adopted: hidden, working for one more release (RENAMED). */
    @Option(names = "--startup-timeout", paramLabel = "SECONDS", hidden = true)
    Long oldStartupTimeoutSeconds;
    @Option(names = "--allow-deleting-model-topic",
            description = "Start even if the model topic's cleanup.policy includes delete (retention would remove published versions). Default: refuse.")
    boolean allowDeletingModelTopic;
    @Option(names = "--instance-id", paramLabel = "ID",
            description = "This instance's stable name (e.g. the pod or host name; unique among running instances): a restart takes the partitions back and fences the old transaction at once. Default: none (a new identity at every start).")
    String instanceId;
    @Option(names = "--model-selection", paramLabel = "latest|event-time",
            description = "Which version of its model scores an event: the one served now (latest), or the one that was served at the event's record timestamp (event-time: replays score as the live run did). Default: latest.")
    String modelSelection;
    @Option(names = "--contributions",
            description = "Each score also carries its logit, the intercept and every feature's term w·x (standardized as the model does): intercept + Σ terms = logit. Default: off.")
    boolean contributions;
    @Option(names = "--contributions-top", paramLabel = "K",
            description = "With contributions, keep only the K terms largest in magnitude (reason codes) and say how many were left out; implies --contributions. Default: every term.")
    Integer contributionsTop;
    @Option(names = "--profile", paramLabel = "latency|throughput",
            description = "A set of Kafka client defaults (docs/scorer.md, Profiles): latency (the producer sends a batch at most 5 ms after its first score, up to 64 KB) or throughput (Kafka Streams' own defaults: up to 100 ms, 16 KB). Any client setting in --client-config wins over the profile's. Default: latency.")
    String profile;
    @Option(names = "--labels-topic", paramLabel = "TOPIC",
            description = "Read labels ({\"eventId\":\"e-42\",\"label\":1}, keyed like the feature event, same partition count as the features topic) and join each with its score: outcomes to --outcomes-topic, live quality per model version to --quality-topic and /metrics (docs/outcomes.md). Default: off.")
    String labelsTopic;
    @Option(names = "--outcomes-topic", paramLabel = "TOPIC", description = "With labels: where each (score, label) pair goes, with the features the model used. Default: outcomes.")
    String outcomesTopic;
    @Option(names = "--quality-topic", paramLabel = "TOPIC", description = "With labels: where each quality window's figures go. Default: model-quality.")
    String qualityTopic;
    @Option(names = "--label-window", paramLabel = "DURATION",
            description = "With labels: how long after an event's timestamp its label may come (e.g. 7d, 12h); a later label is LABEL_LATE, a score without a label by then expires unlabelled. Default: 7d.")
    String labelWindow;
    @Option(names = "--quality-windows", paramLabel = "SIZE[,SIZE...]",
            description = "With labels: the tumbling quality windows, by label time, aligned to the epoch (e.g. 1h,24h). Default: 1h,24h.")
    String qualityWindows;
    @Option(names = "--quality-grace", paramLabel = "DURATION",
            description = "With labels: how far past a window's end the outcomes' label times must go before its quality record is written (later outcomes write a new revision). Default: 1m.")
    String qualityGrace;
    @Option(names = "--drift-windows", paramLabel = "SIZE[,SIZE...]",
            description = "Compare every champion score's features and probability with its model version's training distribution (PSI) in tumbling windows by event time, aligned to the epoch (e.g. 1h,24h): records to --drift-topic, gauges on /metrics (docs/drift.md). Default: off.")
    String driftWindows;
    @Option(names = "--drift-topic", paramLabel = "TOPIC", description = "With drift: where each window's drift record goes (compacted). Default: model-drift.")
    String driftTopic;
    @Option(names = "--drift-threshold", paramLabel = "PSI", description = "With drift: the PSI at or above which a feature or the score is an alert (record, WARN log, counter). Default: 0.2.")
    String driftThreshold;
    @Option(names = "--drift-grace", paramLabel = "DURATION", description = "With drift: how far past a window's end the events' times must go before its drift record is written (later events write a new revision). Default: 1m.")
    String driftGrace;
    @Option(names = "--client-config", paramLabel = "FILE", description = "Properties file with any Kafka client/Streams property (e.g. SASL/SSL) and streamscore.* settings.")
    Path clientConfig;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final Runner runner;

    /** How a resolved config is run; the real one starts the app, tests capture the config instead. */
    @FunctionalInterface
    public interface Runner {
        void run(ScorerConfig config) throws Exception;
    }

    ScorerCli(Runner runner) {
        this.runner = runner;
    }

    public static void main(String[] args) {
        System.exit(commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true),
                config -> new ScorerApp(config).run()).execute(args));
    }

    /** The command line with the given writers and runner, so tests can capture output and the config. */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err, Runner runner) {
        CommandLine cl = new CommandLine(new ScorerCli(runner));
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((e, args) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("error: " + e.getMessage() + " (see 'scorer --help')");
            return EXIT_USAGE;
        });
        cl.setExecutionStrategy(parseResult -> {
            RENAMED.forEach((old, now) -> {
                if (parseResult.hasMatchedOption(old)) {
                    cl.getErr().println("note: " + old + " is now " + now + "; the old name works until the next release");
                }
            });
            return new CommandLine.RunLast().execute(parseResult);
        });
        cl.setExecutionExceptionHandler((e, c, parseResult) -> {
            c.getErr().println("error: " + e);
            org.slf4j.LoggerFactory.getLogger(ScorerCli.class).error("Scorer failed", e);
            return EXIT_FAILED;
        });
        return cl;
    }

    @Override
    public Integer call() throws Exception {
        ScorerConfig config;
        try {
            config = ScorerConfig.resolve(readFile(), flags());
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            runner.run(config);
        } catch (ScorerApp.MissingTopicsException | ScorerApp.ModelTopicPolicyException | HttpEndpoint.PortInUseException
                 | ScorerApp.CoPartitioningException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return EXIT_FAILED;
        }
        return EXIT_OK;
    }

    private Map<String, String> readFile() {
        Map<String, String> m = new LinkedHashMap<>();
        if (clientConfig == null) {
            return m;
        }
        Properties p = ClientProperties.load(clientConfig);
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return m;
    }

    private Map<String, String> flags() {
        Map<String, String> m = new LinkedHashMap<>();
        putIfGiven(m, ScorerConfig.BOOTSTRAP_SERVERS, bootstrapServers);
        putIfGiven(m, ScorerConfig.APPLICATION_ID, applicationId);
        putIfGiven(m, ScorerConfig.MODELS_TOPIC, modelsTopic);
        putIfGiven(m, ScorerConfig.FEATURES_TOPIC, featuresTopic);
        putIfGiven(m, ScorerConfig.SCORES_TOPIC, scoresTopic);
        putIfGiven(m, ScorerConfig.DEAD_LETTERS_TOPIC, deadLettersTopic);
        putIfGiven(m, ScorerConfig.SHADOW_SCORES_TOPIC, shadowScoresTopic);
        putIfGiven(m, ScorerConfig.PROCESSING_GUARANTEE, processingGuarantee);
        putIfGiven(m, ScorerConfig.THREADS, threads);
        putIfGiven(m, ScorerConfig.HTTP_PORT, httpPort);
        Long startupTimeout = startupTimeoutSeconds != null ? startupTimeoutSeconds : oldStartupTimeoutSeconds;
        putIfGiven(m, ScorerConfig.STARTUP_TIMEOUT_MS, startupTimeout == null ? null : startupTimeout * 1000);
        putIfGiven(m, ScorerConfig.INSTANCE_ID, instanceId);
        putIfGiven(m, ScorerConfig.MODEL_SELECTION, modelSelection);
        putIfGiven(m, ScorerConfig.PROFILE, profile);
        putIfGiven(m, OutcomesConfig.LABELS_TOPIC, labelsTopic);
        putIfGiven(m, OutcomesConfig.OUTCOMES_TOPIC, outcomesTopic);
        putIfGiven(m, OutcomesConfig.QUALITY_TOPIC, qualityTopic);
        putIfGiven(m, OutcomesConfig.LABEL_WINDOW, labelWindow);
        putIfGiven(m, OutcomesConfig.QUALITY_WINDOWS, qualityWindows);
        putIfGiven(m, OutcomesConfig.QUALITY_GRACE, qualityGrace);
        putIfGiven(m, DriftConfig.WINDOWS, driftWindows);
        putIfGiven(m, DriftConfig.TOPIC, driftTopic);
        putIfGiven(m, DriftConfig.THRESHOLD, driftThreshold);
        putIfGiven(m, DriftConfig.GRACE, driftGrace);
        if (createTopics) {
            m.put(ScorerConfig.CREATE_TOPICS, "true");
        }
        if (allowDeletingModelTopic) {
            m.put(ScorerConfig.ALLOW_DELETING_MODEL_TOPIC, "true");
        }
        if (contributions || contributionsTop != null) {
            m.put(ScorerConfig.CONTRIBUTIONS, "true");
        }
        if (contributionsTop != null) {
            if (contributionsTop < 1) {
                throw new IllegalArgumentException("--contributions-top is " + contributionsTop + "; must be >= 1 "
                        + "(for every term, use --contributions alone)");
            }
            m.put(ScorerConfig.CONTRIBUTIONS_TOP, contributionsTop.toString());
        }
        return m;
    }

    private static void putIfGiven(Map<String, String> m, String key, Object value) {
        if (value != null) {
            m.put(key, value.toString());
        }
    }

    /** {@code --version}: the version the build wrote into the jar, with the Kafka and Java versions. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {io.streamscore.common.BuildVersion.line("scorer", ScorerCli.class)};
        }
    }
}
