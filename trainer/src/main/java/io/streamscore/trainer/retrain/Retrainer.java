package io.streamscore.trainer.retrain;

import io.streamscore.common.LogisticModel;
import io.streamscore.trainer.data.ColumnSelection;
import io.streamscore.trainer.data.DataFormatException;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.data.TopicDataLoader;
import io.streamscore.trainer.kafka.ModelPublisher;
import io.streamscore.trainer.kafka.PublishOptions;
import io.streamscore.trainer.optim.LogisticRegressionTrainer;
import io.streamscore.trainer.optim.ProgressListener;
import io.streamscore.trainer.optim.TrainingOptions;
import io.streamscore.trainer.optim.TrainingResult;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;

/**
 * One retraining round: read the model's labelled rows of a time range, hold out the newest, train a candidate on the
 * older ones with the champion's features, judge champion and candidate on the held-out rows, publish the candidate
 * when it passes the gate, and record the decision. Every decision is printed and written to the decisions topic.
 */
public final class Retrainer {

    /**
     * What every round of one command does.
     *
     * @param since        the range is the last {@code since} before the round; null when {@code fixedRange} is given
     * @param fixedRange   the range of every round; null when {@code since} is given
     * @param margin       how much worse than the champion (in the metric's units) the candidate may be
     * @param minRows      the fewest rows each part (training, held out) must have
     * @param asChallenger publish a passing candidate as a challenger (when there is a champion to shadow)
     */
    public record Settings(String modelId, String dataTopic, Duration since, TimeRange fixedRange, Holdout holdout,
                           GateMetric metric, double margin, int minRows, boolean asChallenger,
                           TrainingOptions training) {
        public Settings {
            Objects.requireNonNull(modelId, "modelId");
            Objects.requireNonNull(dataTopic, "dataTopic");
            Objects.requireNonNull(holdout, "holdout");
            Objects.requireNonNull(metric, "metric");
            Objects.requireNonNull(training, "training");
            if ((since == null) == (fixedRange == null)) {
                throw new IllegalArgumentException("a range is either the last D before each round or fixed");
            }
            if (!(margin >= 0 && Double.isFinite(margin))) {
                throw new IllegalArgumentException("--gate-margin must be >= 0, got " + margin);
            }
            if (minRows < 1) {
                throw new IllegalArgumentException("--min-rows must be >= 1, got " + minRows);
            }
        }

        /** The range a round that starts at {@code now} reads. */
        public TimeRange range(Instant now) {
            return fixedRange != null ? fixedRange : TimeRange.last(since, now);
        }
    }

    private final Settings settings;
    private final PublishOptions kafka;
    private final DecisionLog decisions;
    private final Clock clock;
    private final PrintWriter out;

    /**
     * @param kafka     the brokers, the model topic and how to publish to it
     * @param decisions where decisions are written
     * @param out       receives the summary of each decision (and the publisher's lines)
     */
    public Retrainer(Settings settings, PublishOptions kafka, DecisionLog decisions, Clock clock, PrintWriter out) {
        this.settings = settings;
        this.kafka = kafka;
        this.decisions = decisions;
        this.clock = clock;
        this.out = out;
    }

    /** A decision and where it was recorded. */
    public record Result(Decision decision, DecisionLog.Written written) {
    }

    /**
     * Runs one round.
     *
     * @param drift the drift record that started the round; null unless the trigger is drift
     * @throws RoundException when it could not decide (a broker away, bad records), or decided but could not record the
     *                        decision ({@link RoundException#decision()} then says what was decided)
     */
    public Result round(Decision.Trigger trigger, DriftRecord drift) throws RoundException {
        Instant now = clock.instant();
        TimeRange range = settings.range(now);
        String modelId = settings.modelId();
        LogisticModel champion = champion();
        Long championVersion = champion == null ? null : champion.version();
        TopicDataLoader.TimedResult read;
        try {
            read = TopicDataLoader.loadRange(kafka.clientProperties(), settings.dataTopic(), modelId,
                    champion == null ? ColumnSelection.ALL : ColumnSelection.only(champion.featureNames()),
                    range.fromMs(), range.toMs(), kafka.timeout(), n -> { });
        } catch (DataFormatException e) {
            throw new RoundException(null, e.getMessage(), e);
        }
        Partial d = new Partial(modelId, trigger, settings, range, drift, championVersion);
        if (read.data() == null) {
            return record(d.skipped(clock.instant(), "no rows of '" + modelId + "' on topic '" + settings.dataTopic()
                    + "' in " + range, 0, 0, null));
        }
        Dataset all = read.data();
        Holdout.Split split = settings.holdout().split(read.timestamps(), range);
        Instant holdoutFrom = split.holdoutFromMs() == null ? null : Instant.ofEpochMilli(split.holdoutFromMs());
        String source = "topic " + settings.dataTopic() + " " + range;
        Dataset train = all.select(split.order(), 0, split.trainRows(), source + " (train part)");
        Dataset held = all.select(split.order(), split.trainRows(), all.rows(), source + " (held-out part)");
        String skip = Gate.skipReason(train.rows(), train.positives(), held.rows(), held.positives(),
                settings.minRows());
        if (skip != null) {
            return record(d.skipped(clock.instant(), skip, train.rows(), held.rows(), holdoutFrom));
        }
        TrainingResult trained = new LogisticRegressionTrainer(settings.training(), clock, ProgressListener.NONE)
                .train(train, held, modelId);
        LogisticModel candidate = trained.model();
        GateMetric metric = settings.metric();
        double candidateValue = metric.evaluate(candidate, held);
        double championValue = champion == null ? Double.NaN : metric.evaluate(champion, held);
        Gate.Verdict verdict = trained.problem() != null
                ? new Gate.Verdict(false, "the candidate is not fit to use: " + trained.problem())
                : Gate.judge(metric, candidateValue, championVersion, championValue, settings.margin());
        if (!verdict.pass()) {
            return record(d.judged(clock.instant(), Decision.Kind.REJECTED, verdict.reason(), candidateValue,
                    championValue, null, train.rows(), held.rows(), holdoutFrom));
        }
        boolean asChallenger = settings.asChallenger() && champion != null;
        String reason = verdict.reason() + (settings.asChallenger() && champion == null
                ? "; published as the champion, not as a challenger: there is no champion to shadow" : "");
        ModelPublisher.Published published;
        try {
            published = kafka.publish(candidate, asChallenger, out);
        } catch (ModelPublisher.PublishException e) {
            throw new RoundException(null, "the candidate passed the gate (" + verdict.reason() + ") but publishing it"
                    + " failed: " + e.getMessage(), e);
        }
        LogisticModel servedBefore = published.servedBefore();
        if (!Objects.equals(servedBefore == null ? null : servedBefore.version(), championVersion)) {
            reason += "; the model topic changed during the round: v" + (servedBefore == null ? "none"
                    : servedBefore.version()) + " was served when the candidate was published";
        }
        return record(d.judged(clock.instant(), asChallenger ? Decision.Kind.PUBLISHED_AS_CHALLENGER
                        : Decision.Kind.PUBLISHED, reason, candidateValue, championValue,
                published.model().version(), train.rows(), held.rows(), holdoutFrom));
    }

    /** The served version of the model, or null when the model topic has none (or does not exist yet). */
    private LogisticModel champion() throws RoundException {
        try (ModelPublisher publisher = kafka.publisher()) {
            return publisher.read().served(settings.modelId());
        } catch (ModelPublisher.PublishException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException) {
                return null;
            }
            throw new RoundException(null, e.getMessage(), e);
        }
    }

    private Result record(Decision decision) throws RoundException {
        out.println(summary(decision));
        out.flush();
        DecisionLog.Written written;
        try {
            written = decisions.write(decision);
        } catch (DecisionLog.RecordException e) {
            throw new RoundException(decision, "decided " + decision.kind() + (decision.candidateVersion() == null ? ""
                    : " (v" + decision.candidateVersion() + ")") + " but could not record it: " + e.getMessage(), e);
        }
        out.printf(Locale.ROOT, "decision recorded on topic '%s' (partition %d, offset %d)%n", decisions.topic(),
                written.partition(), written.offset());
        out.flush();
        return new Result(decision, written);
    }

    /** The lines a decision is printed as: what was read, the figures, the decision and why. */
    public static String summary(Decision d) {
        StringBuilder b = new StringBuilder();
        b.append("retrain '").append(d.modelId()).append("' (").append(d.trigger().wireName()).append(d.driftWindowEndMs()
                == null ? "" : ", drift window ending " + Instant.ofEpochMilli(d.driftWindowEndMs())).append("): topic '")
                .append(d.dataTopic()).append("' ").append(new TimeRange(d.from(), d.to())).append(": ");
        if (d.trainRows() + d.holdoutRows() == 0) {
            b.append("no rows");
        } else {
            b.append(d.trainRows()).append(" rows to train on, ").append(d.holdoutRows()).append(" held out")
                    .append(d.holdoutFrom() == null ? "" : " (from " + d.holdoutFrom() + ")");
        }
        b.append(System.lineSeparator()).append(d.metric()).append(" on the held-out rows: ");
        b.append("candidate ").append(d.candidateValue() == null ? "not trained" : Gate.figure(d.candidateValue()));
        b.append(", ").append(d.championVersion() == null ? "no champion" : "champion v" + d.championVersion() + " "
                + (d.championValue() == null ? "not judged" : Gate.figure(d.championValue())));
        b.append(", margin ").append(Gate.figure(d.margin())).append(System.lineSeparator());
        b.append("decision: ").append(d.kind()).append(d.candidateVersion() == null ? "" : " as v" + d.candidateVersion())
                .append(": ").append(d.reason());
        return b.toString();
    }

    /** The fields every decision of one round shares; the round adds what it found. */
    private static final class Partial {
        private final String modelId;
        private final Decision.Trigger trigger;
        private final Settings settings;
        private final TimeRange range;
        private final Long driftWindowEndMs;
        private final Long championVersion;

        Partial(String modelId, Decision.Trigger trigger, Settings settings, TimeRange range, DriftRecord drift,
                Long championVersion) {
            this.modelId = modelId;
            this.trigger = trigger;
            this.settings = settings;
            this.range = range;
            this.driftWindowEndMs = drift == null ? null : drift.windowEndMs();
            this.championVersion = championVersion;
        }

        Decision skipped(Instant at, String reason, int trainRows, int holdoutRows, Instant holdoutFrom) {
            return new Decision(modelId, at, trigger, Decision.Kind.SKIPPED, reason, settings.metric(), null, null,
                    settings.margin(), championVersion, null, trainRows, holdoutRows, range.from(), range.to(),
                    holdoutFrom, settings.dataTopic(), driftWindowEndMs);
        }

        Decision judged(Instant at, Decision.Kind kind, String reason, double candidate, double champion,
                        Long candidateVersion, int trainRows, int holdoutRows, Instant holdoutFrom) {
            return new Decision(modelId, at, trigger, kind, reason, settings.metric(), finite(candidate),
                    championVersion == null ? null : finite(champion), settings.margin(), championVersion,
                    candidateVersion, trainRows, holdoutRows, range.from(), range.to(), holdoutFrom,
                    settings.dataTopic(), driftWindowEndMs);
        }

        private static Double finite(double v) {
            return Double.isFinite(v) ? v : null;
        }
    }

    /**
     * A round that could not decide, or decided but could not record the decision.
     */
    public static final class RoundException extends Exception {
        private static final long serialVersionUID = 1L;
        private final transient Decision decision;

        public RoundException(Decision decision, String message, Throwable cause) {
            super(message, cause);
            this.decision = decision;
        }

        /** The decision made (and perhaps acted on: published) but not recorded; null when none was made. */
        public Decision decision() {
            return decision;
        }
    }
}
