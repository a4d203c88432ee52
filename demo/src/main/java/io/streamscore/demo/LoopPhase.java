package io.streamscore.demo;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.outcome.QualityWindow;
import io.streamscore.trainer.kafka.PublishOptions;
import io.streamscore.trainer.optim.TrainingOptions;
import io.streamscore.trainer.retrain.Decision;
import io.streamscore.trainer.retrain.DecisionLog;
import io.streamscore.trainer.retrain.DriftRecord;
import io.streamscore.trainer.retrain.DriftTrigger;
import io.streamscore.trainer.retrain.GateMetric;
import io.streamscore.trainer.retrain.Holdout;
import io.streamscore.trainer.retrain.Retrainer;
import io.streamscore.trainer.retrain.TimeRange;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Step 8, the outcomes loop: a live stream whose every event is labelled shortly after it, the scorer's quality and
 * drift windows read back and shown as they are written, the clusters moved halfway, a retrain round started by the
 * first drift alert after the move (through the trainer's {@link Retrainer}, its gate deciding on the outcomes since
 * the move), the scorer swapping to the version it publishes, and that version's windows compared with the first
 * version's since the move.
 */
final class LoopPhase {
    /** How long the stream runs on the training distribution before the clusters move (then to a window boundary). */
    static final Duration BEFORE_DRIFT = Duration.ofSeconds(12);
    /** The loop fails when it has not closed this long after the move. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(75);
    /** The retrained version's windows to wait for before judging it: the first may hold only a moment of outcomes. */
    static final int RETRAINED_WINDOWS = 2;
    /** The fewest outcomes each part of the retrain round (training, held out) must have. */
    static final int MIN_ROWS = 100;
    /** How often the loop's status line is printed: its news is in the window lines. */
    private static final Duration STATUS_EVERY = Duration.ofSeconds(5);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

    private final Console console;
    private final Cluster cluster;
    private final LoopTopics topics;
    private final LogisticModel model;
    private final TrainingOptions training;
    private final int httpPort;
    private final String runId;
    private final double rate;
    private final long seed;
    private final Path clientConfig;
    private final String modelsTopic;
    private final String featuresTopic;
    private final CountDownLatch stop;
    private long driftStartMs;
    private boolean retrainedSeen;

    LoopPhase(Console console, Cluster cluster, LoopTopics topics, LogisticModel model, TrainingOptions training,
              int httpPort, String runId, double rate, long seed, Path clientConfig, String modelsTopic,
              String featuresTopic, CountDownLatch stop) {
        this.console = console;
        this.cluster = cluster;
        this.topics = topics;
        this.model = model;
        this.training = training;
        this.httpPort = httpPort;
        this.runId = runId;
        this.rate = rate;
        this.seed = seed;
        this.clientConfig = clientConfig;
        this.modelsTopic = modelsTopic;
        this.featuresTopic = featuresTopic;
        this.stop = stop;
    }

    LoopResult run() throws Exception {
        long window = LoopTopics.WINDOW.toMillis();
        long now = System.currentTimeMillis();
        // The move at a window boundary: every drift window is wholly before or wholly after it.
        driftStartMs = (Math.floorDiv(now + BEFORE_DRIFT.toMillis(), window) + 1) * window;
        // Full windows only: a window the stream starts in the middle of holds few events, and so a noisy PSI.
        long since = QualityWindow.windowStart(now, window) + window;
        console.line(String.format(Locale.ROOT, "[8/9] The outcomes loop: %,.0f events/s to '%s', each labelled %d ms later"
                + " on '%s' (same key)", rate, featuresTopic, LoopStream.LABEL_DELAY.toMillis(), topics.labels()));
        console.line(String.format(Locale.ROOT, "      the scorer joins labels to scores ('%s') and writes per %d s window"
                + " the quality of each model version ('%s') and its drift, PSI against the training data ('%s')",
                topics.outcomes(), LoopTopics.WINDOW.toSeconds(), topics.quality(), topics.drift()));
        console.line(String.format(Locale.ROOT, "      at %s the clusters move by +%.1f on both features; the first drift"
                + " alert after it (PSI >= %s) starts a retrain round on the outcomes since the move",
                CLOCK.format(Instant.ofEpochMilli(driftStartMs)), LoopStream.SHIFT, LoopTopics.DRIFT_THRESHOLD));
        console.line("      the same figures are gauges on http://localhost:" + httpPort + "/metrics (streamscore_model_log_loss,"
                + " streamscore_model_accuracy, streamscore_model_score_psi, streamscore_model_feature_psi)");
        DriftTrigger trigger = new DriftTrigger(model.modelId(), LoopTopics.DRIFT_THRESHOLD, driftStartMs, model.version());
        Decision decision = null;
        DriftRecord alert = null;
        boolean movedShown = false;
        try (LoopMonitor monitor = new LoopMonitor(cluster.clientProperties(), topics.quality(), topics.drift(),
                model.modelId(), since);
             LoopStream stream = new LoopStream(cluster.clientProperties(), featuresTopic, topics.labels(),
                     model.modelId(), model.featureNames(), runId, rate, driftStartMs, seed, stop)) {
            LoopMonitor.Listener listener = listener(trigger);
            stream.start();
            long lastStatus = System.nanoTime();
            while (true) {
                if (stop.getCount() == 0) {
                    throw new DemoMain.DemoFailure("stopped (Ctrl-C) before the run finished");
                }
                if (stream.failure() != null) {
                    throw new DemoMain.DemoFailure("producing the loop's events and labels failed: "
                            + stream.failure().getMessage());
                }
                monitor.poll(Duration.ofMillis(200), listener);
                long t = System.currentTimeMillis();
                if (!movedShown && stream.driftedEvents() > 0) {
                    movedShown = true;
                    console.line(String.format(Locale.ROOT, "      %s  the clusters moved: centres now (%.1f, %.1f) and"
                            + " (%.1f, %.1f)", CLOCK.format(Instant.ofEpochMilli(driftStartMs)), stream.centre(0, t),
                            stream.centre(0, t), stream.centre(1, t), stream.centre(1, t)));
                }
                if (decision == null && trigger.pending() != null) {
                    alert = trigger.pending();
                    console.line(String.format(Locale.ROOT, "      drift alert on v%d, window ending %s: %s",
                            alert.modelVersion(), CLOCK.format(Instant.ofEpochMilli(alert.windowEndMs())),
                            alert.firedBy(LoopTopics.DRIFT_THRESHOLD)));
                    decision = retrain(alert);
                    trigger.handled(alert);
                }
                if (decision != null && (!decision.kind().published() || closed(monitor.qualityWindows(), decision))) {
                    break;
                }
                if (t > driftStartMs + CLOSE_TIMEOUT.toMillis()) {
                    break;
                }
                if (System.nanoTime() - lastStatus >= STATUS_EVERY.toNanos()) {
                    lastStatus = System.nanoTime();
                    console.status(String.format(Locale.ROOT, "      ... loop: %,d events (%,d after the move), %,d labels",
                            stream.events(), stream.driftedEvents(), stream.labels()));
                }
            }
            console.endStatus();
            return new LoopResult(driftStartMs, alert, decision, monitor.qualityWindows(), monitor.driftRecords(),
                    stream.events());
        }
    }

    /** Whether the published version has {@link #RETRAINED_WINDOWS} windows and the first one a window since the move. */
    private boolean closed(List<QualityWindow> windows, Decision decision) {
        long v2 = windows.stream().filter(w -> w.modelVersion() == decision.candidateVersion()).count();
        long v1After = windows.stream().filter(w -> w.modelVersion() == decision.championVersion()
                && w.windowStartMs() >= driftStartMs).count();
        return v2 >= RETRAINED_WINDOWS && v1After >= 1;
    }

    private LoopMonitor.Listener listener(DriftTrigger trigger) {
        return new LoopMonitor.Listener() {
            @Override
            public void quality(QualityWindow w, boolean revised) {
                if (revised) {
                    return; // a correction of a window shown: kept for the figures, not shown again
                }
                if (w.modelVersion() != model.version() && !retrainedSeen) {
                    retrainedSeen = true;
                    console.line(String.format(Locale.ROOT, "      v%d is serving: the scorer swapped to it without a"
                            + " restart (its first quality window)", w.modelVersion()));
                }
                console.line(String.format(Locale.ROOT, "      %s-%s %s v%d quality  %,6d outcomes  log-loss %.4f  accuracy %5.1f%%",
                        CLOCK.format(Instant.ofEpochMilli(w.windowStartMs())), CLOCK.format(Instant.ofEpochMilli(w.windowEndMs())),
                        phase(w.windowStartMs()), w.modelVersion(), w.figures().count(), w.figures().logLoss(),
                        100 * w.figures().accuracy()));
            }

            @Override
            public void drift(DriftRecord d, long windowStartMs, boolean revised) {
                trigger.offer(d);
                if (revised) {
                    return;
                }
                Map.Entry<String, Double> max = maxFeature(d);
                console.line(String.format(Locale.ROOT, "      %s-%s %s v%d drift    %,6d events    PSI score %.3f,"
                                + " max feature %.3f (%s)%s", CLOCK.format(Instant.ofEpochMilli(windowStartMs)),
                        CLOCK.format(Instant.ofEpochMilli(d.windowEndMs())), phase(windowStartMs), d.modelVersion(),
                        d.count(), d.scorePsi(), max == null ? Double.NaN : max.getValue(), max == null ? "-" : max.getKey(),
                        d.fires(LoopTopics.DRIFT_THRESHOLD) ? "  ALERT" : ""));
            }
        };
    }

    private String phase(long windowStartMs) {
        return windowStartMs >= driftStartMs ? "moved " : "before";
    }

    static Map.Entry<String, Double> maxFeature(DriftRecord d) {
        return d.featurePsi().entrySet().stream().max(Map.Entry.comparingByValue()).orElse(null);
    }

    /** One retrain round, as 'trainer retrain' runs it, on the outcomes since the move. */
    private Decision retrain(DriftRecord alert) throws DemoMain.DemoFailure {
        List<String> args = new ArrayList<>(List.of("--bootstrap-servers", cluster.bootstrapServers(),
                "--models-topic", modelsTopic));
        if (clientConfig != null) {
            args.addAll(List.of("--client-config", clientConfig.toString()));
        }
        PublishOptions kafka = CommandLine.populateCommand(new PublishOptions(), args.toArray(new String[0]));
        // From the move plus the label delay: the outcomes of the moved clusters only (labels are stamped when sent).
        Instant from = Instant.ofEpochMilli(driftStartMs + LoopStream.LABEL_DELAY.toMillis());
        Instant to = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        Retrainer.Settings settings = new Retrainer.Settings(model.modelId(), topics.outcomes(), null,
                new TimeRange(from, to), Holdout.DEFAULT, GateMetric.LOG_LOSS, 0.0, MIN_ROWS, false, training);
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            Retrainer retrainer = new Retrainer(settings, kafka, new DecisionLog(cluster.clientProperties(),
                    topics.decisions(), kafka.timeout()), Clock.systemUTC(), out);
            return retrainer.round(Decision.Trigger.DRIFT, alert).decision();
        } catch (Retrainer.RoundException e) {
            throw new DemoMain.DemoFailure("the retrain round failed: " + e.getMessage());
        } finally {
            for (String line : text.toString().split("\\R")) {
                if (!line.isBlank()) {
                    console.line("      | " + line);
                }
            }
        }
    }

    static void summarize(Console console, LoopResult r) {
        LoopResult.Pooled before = r.firstBefore();
        LoopResult.Pooled after = r.firstAfter();
        LoopResult.Pooled v2 = r.retrained();
        long v1 = r.firstVersion();
        console.line("");
        console.line("Loop summary");
        console.line(String.format(Locale.ROOT, "  loop events       %,9d  (each labelled; the clusters moved at %s)",
                r.events(), CLOCK.format(Instant.ofEpochMilli(r.driftStartMs()))));
        console.line(pooled("v" + v1 + " before drift", before));
        console.line(pooled("v" + v1 + " after drift", after));
        DriftRecord a = r.alert();
        if (a == null) {
            console.line("  drift alert       none");
        } else {
            Map.Entry<String, Double> max = maxFeature(a);
            console.line(String.format(Locale.ROOT, "  PSI at the alert  score %.3f, max feature %.3f (%s), window ending %s",
                    a.scorePsi(), max == null ? Double.NaN : max.getValue(), max == null ? "-" : max.getKey(),
                    CLOCK.format(Instant.ofEpochMilli(a.windowEndMs()))));
        }
        Decision d = r.decision();
        console.line("  decision          " + (d == null ? "none (no retrain round ran)" : d.kind()
                + (d.candidateVersion() == null ? "" : " as v" + d.candidateVersion()) + ": " + d.reason()));
        console.line(pooled(r.retrainedVersion() == null ? "retrained" : "v" + r.retrainedVersion() + " (retrained)", v2));
        if (r.recovered()) {
            console.line(String.format(Locale.ROOT, "  loop              closed: v%d beats v%d since the drift by %+.1f"
                    + " accuracy points and %+.4f log-loss", r.retrainedVersion(), v1,
                    100 * (v2.accuracy() - after.accuracy()), v2.logLoss() - after.logLoss()));
        }
    }

    private static String pooled(String what, LoopResult.Pooled p) {
        return p.count() == 0 ? String.format(Locale.ROOT, "  %-17s no quality window", what)
                : String.format(Locale.ROOT, "  %-17s accuracy %5.1f%%, log-loss %.4f  (%d window%s, %,d outcomes)",
                what, 100 * p.accuracy(), p.logLoss(), p.windows(), p.windows() == 1 ? "" : "s", p.count());
    }

    /** The loop's check: it fails the demo when the drift was not caught, nothing was retrained, or nothing recovered. */
    static void verify(LoopResult r) throws DemoMain.DemoFailure {
        String first = String.format(Locale.ROOT, "within %d s of the clusters' move", CLOSE_TIMEOUT.toSeconds());
        if (r.alert() == null) {
            throw new DemoMain.DemoFailure("the loop did not close: no drift alert " + first);
        }
        if (r.decision() == null) {
            throw new DemoMain.DemoFailure("the loop did not close: no retrain decision " + first);
        }
        if (r.retrainedVersion() == null) {
            throw new DemoMain.DemoFailure("the loop did not close: the retrain round decided " + r.decision().kind()
                    + ": " + r.decision().reason());
        }
        if (r.retrained().count() == 0 || r.firstAfter().count() == 0) {
            throw new DemoMain.DemoFailure("the loop did not close: v" + r.retrainedVersion() + " was published but "
                    + (r.retrained().count() == 0 ? "no quality window of it" : "no quality window of v"
                    + r.firstVersion() + " since the move") + " came " + first);
        }
        if (!r.recovered()) {
            throw new DemoMain.DemoFailure(String.format(Locale.ROOT, "the loop did not close: v%d's quality (accuracy"
                            + " %.4f, log-loss %.4f) is not better than v%d's since the move (accuracy %.4f, log-loss %.4f)",
                    r.retrainedVersion(), r.retrained().accuracy(), r.retrained().logLoss(), r.firstVersion(),
                    r.firstAfter().accuracy(), r.firstAfter().logLoss()));
        }
    }
}
