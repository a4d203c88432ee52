package io.streamscore.trainer.cli;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.trainer.data.ColumnSelection;
import io.streamscore.trainer.data.CsvDataLoader;
import io.streamscore.trainer.data.CsvOptions;
import io.streamscore.trainer.data.DataFormatException;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.data.TopicDataLoader;
import io.streamscore.trainer.eval.report.TrainingReport;
import io.streamscore.trainer.kafka.ModelPublisher;
import io.streamscore.trainer.kafka.PublishOptions;
import io.streamscore.trainer.optim.LogisticRegressionTrainer;
import io.streamscore.trainer.optim.PassKernels;
import io.streamscore.trainer.optim.ProgressListener;
import io.streamscore.trainer.optim.Solver;
import io.streamscore.trainer.optim.TrainingOptions;
import io.streamscore.trainer.optim.TrainingResult;
import io.streamscore.trainer.optim.WarmUp;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code trainer train}: CSV in, model JSON (and optionally a report) out. */
@Command(name = "train", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = {"Fit binary logistic regression on a labelled CSV file (or Kafka topic).", "",
                "The CSV needs a header row; it may be gzip-compressed, and separated by",
                "commas, ';' or tabs (found from the header; else --delimiter). Every feature",
                "column must be numeric: leave out an ID or text column with --exclude, or",
                "choose the columns with --features. Labels are 0/1, true/false or 0.0/1.0;",
                "for others (yes/no) name the class that is 1 with --positive-label.",
                "Features are standardized (the model keeps mean and std: events carry raw",
                "values).", "",
                "Training starts from weights drawn uniformly from [0, 1) with --seed and",
                "takes steps θ ← θ − η∇L until every gradient component is within",
                "--gradient-tolerance (converged), the loss improves by less than --tolerance",
                "(stalled, unless the gradient is that small) or --iterations run out. If a",
                "step would raise the loss, η is halved (with a warning): it never diverges.", "",
                "A run that ends far from the optimum, or whose model is worse than chance on",
                "the holdout, says so in its last line and exits 3 (the model file and report",
                "are written, nothing is published) unless --allow-unconverged.", "",
                "Examples:",
                "  trainer train --data clusters.csv --out model.json",
                "  trainer train --data churn.csv.gz --exclude customer_id --positive-label yes",
                "  trainer train --data credit.csv --label defaulted --missing drop-rows",
                "  trainer train --data train.csv --test test.csv --model-id fraud",
                "  zcat churn.csv.gz | trainer train --data - --model-id churn"})
final class TrainCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", paramLabel = "FILE", description = "Training data: CSV with a header row, gzip-compressed"
            + " or not (told by its first bytes). - reads standard input (then --model-id is needed).")
    Path data;

    @Option(names = "--data-topic", paramLabel = "TOPIC",
            description = "Train on labelled feature events from this Kafka topic instead of --data: a snapshot from the"
                    + " beginning to the end offsets at start. Needs --bootstrap-servers. With --model-id, only that model's events are used.")
    String dataTopic;

    @Option(names = "--features", split = ",", paramLabel = "NAME",
            description = "Train on these columns, in this order (default: every column but the label; with --data-topic,"
                    + " the names of the first event). Positional events need it to name their values.")
    List<String> featureNames;

    @Option(names = "--exclude", split = ",", paramLabel = "NAME",
            description = "Leave these columns out (e.g. an ID column; they are not parsed, so they may hold text).")
    List<String> excluded;

    @Option(names = "--delimiter", paramLabel = "CHAR", converter = DelimiterConverter.class,
            description = "The CSV field separator: one character, or tab (default: a comma, or ';' or a tab when the"
                    + " header has no comma and exactly one of them).")
    Character delimiter;

    @Option(names = "--missing", paramLabel = "error|drop-rows", defaultValue = "error", converter = MissingConverter.class,
            description = "What a missing value (an empty cell, NA, N/A, NaN, null, None) in a column that is read does:"
                    + " error stops, counting every row affected; drop-rows trains without those rows and says how many.")
    CsvOptions.MissingValues missing;

    @Option(names = "--positive-label", paramLabel = "VALUE",
            description = "The label value that is class 1 (e.g. yes, churned); the column must then hold exactly two"
                    + " values, the other being class 0 (compared ignoring case). Default: labels are 0/1, true/false"
                    + " or 0.0/1.0.")
    String positiveLabel;

    @Option(names = "--out", paramLabel = "FILE", defaultValue = "model.json", description = "Where to write the model JSON.")
    Path modelFile;

    @Option(names = "--label", paramLabel = "COLUMN", description = "Name of the 0/1 label column (default: the last column).")
    String label;

    @Option(names = "--model-id", paramLabel = "ID", description = "Id the model is stored and scored under (default: the"
            + " data file's name without extension; with --data-topic, the events' modelId). With --data-topic, only this"
            + " id's events are used.")
    String modelId;

    /** How the model is fitted: the options {@code retrain} shares. */
    @CommandLine.Mixin
    TrainingFlags training = new TrainingFlags();

    @Option(names = "--holdout", paramLabel = "FRACTION", defaultValue = "0.2",
            description = "Fraction of rows held out (seeded shuffle) to evaluate on; 0 trains on everything.")
    double holdout;

    @Option(names = "--test", paramLabel = "FILE", description = "Evaluate on this CSV (same columns) instead of a holdout split.")
    Path test;

    @Option(names = "--report", paramLabel = "DIR", description = "Write an HTML report with charts (loss curve, ROC, decision boundary) here.")
    Path report;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(names = "--allow-unconverged", description = "Accept a model that training left far from the optimum, or"
            + " that is worse than chance on the holdout: exit 0 (and publish it with --publish) instead of 3.")
    boolean allowUnconverged;

    @Option(names = "--publish", description = "Publish the model to the Kafka model topic as the next version of"
            + " --model-id, then write --out (and --report) with the version published. The Kafka options below are"
            + " for it (and for --data-topic).")
    boolean publishModel;

    @CommandLine.Mixin
    PublishOptions publishOptions = new PublishOptions();

    private final Clock clock;
    /** With --data-topic: the model id whose events were read. */
    private String topicModelId;
    /** How the CSV file was read (gzip, separator), for the data line; null for a topic. */
    private String format;

    TrainCommand() {
        this(Clock.systemUTC());
    }

    TrainCommand(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        TrainingOptions options;
        ColumnSelection columns;
        try {
            columns = new ColumnSelection(featureNames, excluded);
            options = training.toOptions();
            if (test == null && !(holdout >= 0 && holdout < 1)) {
                throw new IllegalArgumentException("holdout must be in [0, 1), got " + holdout);
            }
            if ((data == null) == (dataTopic == null)) {
                throw new IllegalArgumentException("give exactly one of --data FILE and --data-topic TOPIC");
            }
            if (fromStdin() && modelId == null) {
                throw new IllegalArgumentException("--data - (standard input) needs --model-id: there is no file name"
                        + " to take the model id from");
            }
            if (test != null && test.toString().equals(STDIN)) {
                throw new IllegalArgumentException("--test - : standard input can only be the --data");
            }
            if (dataTopic != null && (positiveLabel != null || delimiter != null)) {
                throw new IllegalArgumentException((positiveLabel != null ? "--positive-label" : "--delimiter")
                        + " is for CSV data; a topic's labels are 0/1 or true/false (as the scorer checks them)");
            }
            if (!publishModel) {
                String stray = publishOnlyOption();
                if (stray != null) {
                    throw new IllegalArgumentException(stray + " is for publishing, and without --publish nothing is"
                            + " published: add --publish to put the model on the model topic, or leave " + stray + " out");
                }
            }
            if (publishModel || dataTopic != null) {
                publishOptions.clientProperties();
            }
            if (dataTopic != null && test != null) {
                throw new IllegalArgumentException("--test is for CSV data; with --data-topic use --holdout");
            }
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        // The JIT compiles the training code on the side while the data loads (not before the options are checked:
        // a JVM that exits at once on a usage error would interrupt it).
        WarmUp.startInBackground();
        Dataset.Split split;
        try {
            split = load(out, columns);
        } catch (DataFormatException e) {
            err.println("error: " + e.getMessage());
            return ExitCode.FAILED;
        }
        Dataset train = split.train();
        Dataset evaluation = split.holdout();
        String source = train.source();
        if (format != null && !format.isEmpty()) {
            String part = " (train part)";
            source = source.endsWith(part) ? source.substring(0, source.length() - part.length()) + " (" + format
                    + "; train part)" : source + " (" + format + ")";
        }
        out.printf(Locale.ROOT, "data: %s, %d rows x %d features (%d positive)%s%n", source, train.rows(), train.cols(),
                train.positives(), evaluation == null ? "" : String.format(Locale.ROOT, "; evaluating on %d rows of %s",
                        evaluation.rows(), test != null ? test : "holdout"));
        out.flush();

        ProgressBar bar = new ProgressBar(err, !quiet && System.console() != null, System::nanoTime);
        ProgressListener progress = quiet ? ProgressListener.NONE : bar;
        long start = System.nanoTime();
        TrainingResult result = new LogisticRegressionTrainer(options, clock, progress)
                .train(train, evaluation, modelId != null ? modelId : topicModelId != null ? topicModelId : defaultModelId(data));
        double seconds = (System.nanoTime() - start) / 1e9;
        if (!quiet) {
            bar.finish(result.iterations(), options.iterations(), result.finalObjective());
        }

        double passes = result.model().metadata().metrics().get("training").get("passesOverData");
        TrainingResult.Timings t = result.timings();
        out.printf(Locale.ROOT, "stopped after %d iterations, %.0f passes over the data in %.2f s (%.2f ms/pass; %.2f s"
                        + " in all with %.2f s preparing the data and %.2f s of metrics): %s%n", result.iterations(), passes,
                t.optimization(), 1000 * t.optimization() / Math.max(1, passes), seconds, t.preparation(), t.evaluation(),
                result.stopReason().description());
        out.printf(Locale.ROOT, "final loss %.10g, gradient norm %.3g (largest |dL/dθ|; --gradient-tolerance %.3g)%n",
                result.finalObjective(), result.gradientNorm(), options.gradientTolerance());
        String fallback = PassKernels.fallbackReason();
        out.println("pass kernel: " + (fallback != null ? "scalar (" + fallback + "; with it, passes run on SIMD registers)"
                : PassKernels.warm() ? PassKernels.BEST.description()
                : "scalar (the SIMD kernel was still being compiled)"));
        for (String warning : result.warnings()) {
            out.println("warning: " + warning);
        }
        out.print(MetricsTable.render(result.trainMetrics(), result.holdoutMetrics(),
                test != null ? "test" : "holdout"));
        String problem = result.problem();
        boolean refused = problem != null && !allowUnconverged;
        if (refused) {
            writeModel(result, out);
            writeReport(result, train, evaluation, out);
            out.flush();
            err.println("error: " + problem + ". " + modelFile + " holds this model" + (publishModel ? ", not published"
                    : "") + "; exit " + ExitCode.UNCONVERGED + " (--allow-unconverged accepts it)");
            return ExitCode.UNCONVERGED;
        }
        if (publishModel) {
            // Published first, so the file and the report carry the version the scorers will see.
            try {
                result = result.withModel(publishOptions.publish(result.model(), out).model());
            } catch (ModelPublisher.PublishException e) {
                writeModel(result, out);
                writeReport(result, train, evaluation, out);
                err.println("error: " + e.getMessage() + "; the model is saved in " + modelFile
                        + " (publish it later with: trainer publish --model " + modelFile + " ...)");
                return ExitCode.FAILED;
            }
        }
        writeModel(result, out);
        writeReport(result, train, evaluation, out);
        if (problem != null) {
            out.println("warning: " + problem + " (accepted: --allow-unconverged)");
        }
        return ExitCode.OK;
    }

    /** The --data value that means standard input. */
    static final String STDIN = "-";

    private boolean fromStdin() {
        return data != null && data.toString().equals(STDIN);
    }

    /**
     * The first option given that only matters when publishing; null when none. --bootstrap-servers,
     * --client-config and --kafka-timeout also serve --data-topic.
     */
    private String publishOnlyOption() {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        List<String> names = new java.util.ArrayList<>(List.of("--models-topic", "--model-topic",
                "--models-topic-partitions", "--model-topic-partitions", "--models-topic-replication",
                "--model-topic-replication", "--transactional-id-prefix", "--challenger"));
        if (dataTopic == null) {
            names.addAll(0, List.of("--bootstrap-servers", "--client-config", "--kafka-timeout", "--publish-timeout"));
        }
        for (String name : names) {
            if (parsed != null && parsed.hasMatchedOption(name)) {
                return name;
            }
        }
        return null;
    }

    private void writeModel(TrainingResult result, PrintWriter out) throws IOException {
        Path parent = modelFile.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.write(modelFile, ModelJson.toBytes(result.model()));
        out.println("model '" + result.model().modelId() + "' version " + result.model().version() + " written to "
                + modelFile);
        out.println(featureSchemaLine(result.model()));
    }

    private void writeReport(TrainingResult result, Dataset train, Dataset evaluation, PrintWriter out) throws IOException {
        if (report != null) {
            Path index = TrainingReport.write(report, result, train, evaluation);
            out.println("report written to " + index);
        }
    }

    private Dataset.Split load(PrintWriter out, ColumnSelection columns) throws DataFormatException {
        Dataset all;
        if (dataTopic != null) {
            TopicDataLoader.Result read = TopicDataLoader.load(publishOptions.clientProperties(), dataTopic, modelId,
                    columns, publishOptions.timeout(), n -> {
                        out.printf(Locale.ROOT, "reading topic '%s': %,d records%n", dataTopic, n);
                        out.flush();
                    });
            all = read.data();
            topicModelId = read.modelId();
            if (read.recordsSkipped() > 0) {
                out.printf(Locale.ROOT, "skipped %,d records of other model ids (training '%s')%n", read.recordsSkipped(),
                        read.modelId());
            }
        } else {
            CsvOptions csv;
            try {
                csv = csvOptions();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            CsvDataLoader.Loaded loaded = fromStdin()
                    ? CsvDataLoader.read(System.in, CsvDataLoader.STDIN_NAME, label, columns, csv)
                    : CsvDataLoader.read(data, label, columns, csv);
            all = loaded.data();
            format = loaded.format();
            reportDropped(out, loaded);
        }
        if (test != null) {
            CsvDataLoader.Loaded loaded = CsvDataLoader.read(test, label, ColumnSelection.only(all.featureNames()),
                    csvOptions());
            reportDropped(out, loaded);
            return new Dataset.Split(all, loaded.data());
        }
        if (holdout == 0) {
            return new Dataset.Split(all, null);
        }
        Dataset.Split split;
        try {
            split = all.split(holdout, training.seed());
        } catch (IllegalArgumentException e) {
            throw new DataFormatException(e.getMessage());
        }
        long positives = split.train().positives();
        if (positives == 0 || positives == split.train().rows()) {
            throw new DataFormatException(all.source() + ": after holding out " + holdout + " of the rows, the training part has"
                    + " only one class; use more data or a smaller --holdout");
        }
        return split;
    }

    private CsvOptions csvOptions() {
        return new CsvOptions(delimiter, missing, positiveLabel);
    }

    private static void reportDropped(PrintWriter out, CsvDataLoader.Loaded loaded) {
        if (loaded.droppedRows() > 0) {
            StringBuilder columns = new StringBuilder();
            loaded.missingByColumn().forEach((c, n) -> columns.append(columns.length() == 0 ? "" : ", ")
                    .append('\'').append(c).append("' ").append(n));
            out.printf(Locale.ROOT, "%s: left out %,d rows with a missing value (--missing drop-rows; rows missing each"
                    + " column: %s)%n", loaded.data().source(), loaded.droppedRows(), columns);
        }
    }

    /** One character, or tab / \t. */
    static final class DelimiterConverter implements CommandLine.ITypeConverter<Character> {
        @Override
        public Character convert(String value) {
            try {
                return CsvOptions.parseDelimiter(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** error / drop-rows in any case. */
    static final class MissingConverter implements CommandLine.ITypeConverter<CsvOptions.MissingValues> {
        @Override
        public CsvOptions.MissingValues convert(String value) {
            try {
                return CsvOptions.MissingValues.parse(value);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException(e.getMessage());
            }
        }
    }

    /** Accepts gd / lbfgs in any case. */
    static final class SolverConverter implements CommandLine.ITypeConverter<Solver> {
        @Override
        public Solver convert(String value) {
            try {
                return Solver.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a solver; use gd or lbfgs");
            }
        }
    }

    /**
     * What a producer of positional events needs: the fingerprint their {@code featureSchema} field must carry and the
     * order it stands for (abbreviated for wide models; the model file lists them all).
     */
    static String featureSchemaLine(LogisticModel model) {
        List<String> names = model.featureNames();
        String order = names.size() <= 12 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 10)) + ", … " + names.get(names.size() - 1) + " (" + names.size() + ")";
        return "feature schema " + model.featureSchema() + " (features in order: " + order
                + "): positional events send it as \"featureSchema\"";
    }

    /** The file's name without its extension, and without .gz before it: churn.csv.gz is churn. */
    static String defaultModelId(Path data) {
        return CsvDataLoader.stem(data);
    }
}
