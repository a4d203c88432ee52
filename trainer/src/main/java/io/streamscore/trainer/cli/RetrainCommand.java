package io.streamscore.trainer.cli;

import io.streamscore.common.outcome.DurationText;
import io.streamscore.trainer.kafka.PublishOptions;
import io.streamscore.trainer.optim.TrainingOptions;
import io.streamscore.trainer.optim.WarmUp;
import io.streamscore.trainer.retrain.Decision;
import io.streamscore.trainer.retrain.DecisionLog;
import io.streamscore.trainer.retrain.Gate;
import io.streamscore.trainer.retrain.GateMetric;
import io.streamscore.trainer.retrain.Holdout;
import io.streamscore.trainer.retrain.KafkaDriftSource;
import io.streamscore.trainer.retrain.RetrainWatch;
import io.streamscore.trainer.retrain.Retrainer;
import io.streamscore.trainer.retrain.TimeRange;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code trainer retrain}: trains a candidate on a model's recent outcomes and publishes it only when it is not worse
 * than the champion on the newest of them (the quality gate); once, or in a watch loop on a schedule and on drift.
 */
@Command(name = "retrain", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = {"Retrain a model on its labelled outcomes, behind a quality gate.", "",
                "Reads the model's rows of --data-topic (the scorer's outcomes) whose record",
                "timestamps are in the range (--since D before now, or --from inclusive to",
                "--to exclusive), holds the newest out (--holdout-last), trains a candidate on",
                "the older rows with the champion's features and the options train takes,",
                "and scores champion and candidate on the held-out rows by --gate-metric.",
                "The candidate is published as the next version when it is not worse than",
                "the champion by more than --gate-margin (or when there is no champion);",
                "else nothing is published. Too few rows (--min-rows, in each part) or one",
                "class only skip the round. Every decision is printed and written as JSON to",
                "--decisions-topic (created when missing).", "",
                "Exit codes (without --watch): 0 published, 4 rejected by the gate, 5 skipped,",
                "1 failed (a broker away, unreadable records), 2 bad command line. With --watch:",
                "0 after --max-rounds; SIGTERM or Ctrl-C end it after the round in progress",
                "(the JVM then exits 143 or 130, as on any signal); a round that fails is",
                "logged and tried again (--retry-after).", "",
                "(kafka.conf below: Kafka client properties, at least bootstrap.servers.)", "",
                "Examples:",
                "  trainer retrain --model-id fraud --bootstrap-servers localhost:9092",
                "  trainer retrain --model-id fraud --since 7d --client-config kafka.conf",
                "  trainer retrain --model-id fraud --gate-metric auc --client-config kafka.conf",
                "  trainer retrain --model-id ads --watch --every 6h --client-config kafka.conf",
                "  trainer retrain --model-id ads --watch --on-drift --client-config kafka.conf"})
final class RetrainCommand implements Callable<Integer> {

    /** The default of --data-topic: the scorer's outcomes topic. */
    static final String DEFAULT_DATA_TOPIC = "outcomes";
    /** The default of --decisions-topic. */
    static final String DEFAULT_DECISIONS_TOPIC = "model-decisions";
    /** The default of --drift-topic: the scorer's drift topic. */
    static final String DEFAULT_DRIFT_TOPIC = "model-drift";

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model-id", required = true, paramLabel = "ID", description = "The model to retrain: its rows are"
            + " read, its champion is judged, its next version is published.")
    String modelId;

    @Option(names = "--data-topic", paramLabel = "TOPIC", defaultValue = DEFAULT_DATA_TOPIC,
            description = "Labelled feature events to train and judge on (any topic train --data-topic reads); by"
                    + " default the scorer's outcomes, whose timestamps are the label times.")
    String dataTopic;

    @Option(names = "--since", paramLabel = "D", description = "Read the rows of the last D before each round, e.g."
            + " 24h, 7d (a whole number and ms, s, m, h or d). Default: 24h, unless --from is given.")
    String since;

    @Option(names = "--from", paramLabel = "INSTANT", description = "Read the rows from this ISO-8601 instant"
            + " (inclusive), e.g. 2026-11-01T00:00:00Z.")
    String from;

    @Option(names = "--to", paramLabel = "INSTANT", description = "... up to this instant (exclusive). Default: now.")
    String to;

    @Option(names = "--holdout-last", paramLabel = "D|FRACTION", defaultValue = "0.2",
            description = "The newest rows held out to judge champion and candidate on: those of the range's last D"
                    + " (e.g. 1h), or the newest FRACTION of the rows in time order. The candidate is trained on the"
                    + " older rows only.")
    String holdoutLast;

    @Option(names = "--gate-metric", paramLabel = "log-loss|brier|auc|accuracy", defaultValue = "log-loss",
            description = "What champion and candidate are compared by, on the held-out rows (as the scorer's quality"
                    + " windows compute it; auc exactly).")
    String gateMetric;

    @Option(names = "--gate-margin", paramLabel = "X", defaultValue = "0",
            description = "How much worse than the champion the candidate may be, in the metric's units (0: not worse"
                    + " at all).")
    double gateMargin;

    @Option(names = "--min-rows", paramLabel = "N", defaultValue = "" + Gate.DEFAULT_MIN_ROWS,
            description = "The fewest rows the training part and the held-out part must each have; fewer skips the"
                    + " round.")
    int minRows;

    @Option(names = "--publish-as", paramLabel = "champion|challenger", defaultValue = "champion",
            description = "How a candidate that passes is published: as the served version, or as a challenger"
                    + " (shadow-scored next to the champion until 'trainer models promote'). Without a champion it is"
                    + " published as the champion.")
    String publishAs;

    @Option(names = "--decisions-topic", paramLabel = "TOPIC", defaultValue = DEFAULT_DECISIONS_TOPIC,
            description = "Where each decision is written (JSON, key the model id); created when missing.")
    String decisionsTopic;

    @Option(names = "--watch", description = "Keep running: a round on a schedule (--every) and/or when drift fires"
            + " (--on-drift), until SIGTERM or Ctrl-C.")
    boolean watch;

    @Option(names = "--every", paramLabel = "D", description = "With --watch: a round at the start and every D.")
    String every;

    @Option(names = "--on-drift", description = "With --watch: a round when a drift record of the model names alerts,"
            + " or a PSI at or above --drift-threshold, for a window not decided on before.")
    boolean onDrift;

    @Option(names = "--drift-topic", paramLabel = "TOPIC", defaultValue = DEFAULT_DRIFT_TOPIC,
            description = "With --on-drift: the scorer's drift records.")
    String driftTopic;

    @Option(names = "--drift-threshold", paramLabel = "PSI", defaultValue = "0.2",
            description = "With --on-drift: a drift record fires when any PSI in it is at least this (or it names"
                    + " alerts).")
    double driftThreshold;

    @Option(names = "--max-rounds", paramLabel = "N", defaultValue = "0",
            description = "With --watch: stop after N rounds (0: no bound).")
    int maxRounds;

    @Option(names = "--retry-after", paramLabel = "D", defaultValue = "1m",
            description = "With --watch: how long after a failed round it is tried again.")
    String retryAfter;

    /** How the candidate is fitted: the options train takes. */
    @CommandLine.Mixin
    TrainingFlags training = new TrainingFlags();

    @CommandLine.Mixin
    PublishOptions kafka = new PublishOptions();

    private final Clock clock;

    RetrainCommand() {
        this(Clock.systemUTC());
    }

    RetrainCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Retrainer.Settings settings;
        RetrainWatch.Settings watchSettings = null;
        Properties client;
        try {
            settings = settings();
            client = kafka.clientProperties();
            if (watch) {
                if (every == null && !onDrift) {
                    throw new IllegalArgumentException("--watch needs --every D, --on-drift or both: nothing would"
                            + " start a round");
                }
                watchSettings = new RetrainWatch.Settings(modelId, every == null ? null : duration("--every", every),
                        driftThreshold, settings.since(), duration("--retry-after", retryAfter), maxRounds);
            } else {
                String stray = watchOnlyOption();
                if (stray != null) {
                    throw new IllegalArgumentException(stray + " is for --watch; without it one round runs and the"
                            + " command exits");
                }
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        WarmUp.startInBackground();
        DecisionLog decisions = new DecisionLog(client, decisionsTopic, kafka.timeout());
        Retrainer retrainer = new Retrainer(settings, kafka, decisions, clock, out);
        if (!watch) {
            try {
                Decision d = retrainer.round(Decision.Trigger.MANUAL, null).decision();
                return switch (d.kind()) {
                    case PUBLISHED, PUBLISHED_AS_CHALLENGER -> ExitCode.OK;
                    case REJECTED -> ExitCode.REJECTED;
                    case SKIPPED -> ExitCode.SKIPPED;
                };
            } catch (Retrainer.RoundException e) {
                err.println("error: " + e.getMessage());
                return ExitCode.FAILED;
            }
        }
        return watch(watchSettings, client, decisions, retrainer, out, err);
    }

    private int watch(RetrainWatch.Settings watchSettings, Properties client, DecisionLog decisions,
                      Retrainer retrainer, PrintWriter out, PrintWriter err) {
        KafkaDriftSource drift = onDrift ? new KafkaDriftSource(client, driftTopic, kafka.timeout(), err) : null;
        RetrainWatch loop = new RetrainWatch(watchSettings, drift, () -> decisions.history(modelId), retrainer::round,
                clock, out, err);
        CountDownLatch finished = new CountDownLatch(1);
        // SIGTERM and Ctrl-C end the watch after the round in progress (a publish is a transaction: it commits or not).
        Thread hook = new Thread(() -> {
            loop.stop("SIGTERM/SIGINT");
            try {
                if (!finished.await(60, TimeUnit.SECONDS)) {
                    err.println("warning: watch: the round in progress did not end within 60 s; exiting anyway");
                    err.flush();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "retrain-watch-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            loop.run();
        } finally {
            if (drift != null) {
                drift.close();
            }
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running: it waits for the latch counted down above.
            }
        }
        return ExitCode.OK;
    }

    /** The round's settings from the options; IllegalArgumentException for a bad value. */
    private Retrainer.Settings settings() {
        Duration sinceD = null;
        TimeRange fixed = null;
        if (since != null && (from != null || to != null)) {
            throw new IllegalArgumentException("give --since D or --from/--to, not both");
        }
        if (to != null && from == null) {
            throw new IllegalArgumentException("--to needs --from (or use --since D)");
        }
        if (from != null) {
            if (watch) {
                throw new IllegalArgumentException("--from/--to name one fixed range; with --watch each round reads the"
                        + " last --since D");
            }
            fixed = new TimeRange(instant("--from", from), to == null ? clock.instant() : instant("--to", to));
        } else {
            sinceD = duration("--since", since == null ? "24h" : since);
            if (sinceD.isZero()) {
                throw new IllegalArgumentException("--since must be positive");
            }
        }
        Holdout holdout;
        try {
            holdout = Holdout.parse(holdoutLast);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--holdout-last: " + e.getMessage());
        }
        if (holdout.last() != null) {
            Duration length = sinceD != null ? sinceD : Duration.between(fixed.from(), fixed.to());
            if (holdout.last().compareTo(length) >= 0) {
                throw new IllegalArgumentException("--holdout-last " + holdoutLast + " is not shorter than the range ("
                        + DurationText.format(length) + "): nothing would be left to train on");
            }
        }
        GateMetric metric = GateMetric.parse(gateMetric);
        boolean asChallenger = switch (publishAs.toLowerCase(Locale.ROOT)) {
            case "champion" -> false;
            case "challenger" -> true;
            default -> throw new IllegalArgumentException("--publish-as '" + publishAs + "': use champion or challenger");
        };
        if (kafka.challenger()) {
            if (!asChallenger && spec.commandLine().getParseResult().hasMatchedOption("--publish-as")) {
                throw new IllegalArgumentException("--challenger and --publish-as champion contradict each other");
            }
            asChallenger = true; // --challenger means what it means for train and publish
        }
        if (!(driftThreshold > 0 && Double.isFinite(driftThreshold))) {
            throw new IllegalArgumentException("--drift-threshold must be positive, got " + driftThreshold);
        }
        TrainingOptions options = training.toOptions();
        return new Retrainer.Settings(modelId, dataTopic, sinceD, fixed, holdout, metric, gateMargin, minRows,
                asChallenger, options);
    }

    /** The first option given that only --watch uses; null when none. */
    private String watchOnlyOption() {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (String name : List.of("--every", "--on-drift", "--drift-topic", "--drift-threshold", "--max-rounds",
                "--retry-after")) {
            if (parsed != null && parsed.hasMatchedOption(name)) {
                return name;
            }
        }
        return null;
    }

    private static Duration duration(String option, String text) {
        try {
            return DurationText.parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage());
        }
    }

    private static Instant instant(String option, String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(option + " '" + text + "' is not an ISO-8601 instant (e.g."
                    + " 2026-11-01T00:00:00Z)");
        }
    }
}
