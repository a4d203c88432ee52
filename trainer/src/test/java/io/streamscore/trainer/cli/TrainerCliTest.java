package io.streamscore.trainer.cli;

import io.streamscore.common.FeatureSchema;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.trainer.data.CsvDataLoader;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.synthetic.SyntheticData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainerCliTest {
    @TempDir
    Path dir;

    private static CliRunner.Run run(String... args) {
        return CliRunner.run(args);
    }

    private Path csv(Dataset data) throws Exception {
        Path file = dir.resolve("data.csv");
        try (Writer w = Files.newBufferedWriter(file)) {
            SyntheticData.writeCsv(data, w);
        }
        return file;
    }

    @Test
    void helpExplainsEveryOptionWithItsDefault() {
        CliRunner.Run r = run("train", "--help");
        assertEquals(ExitCode.OK, r.exit());
        for (String expected : new String[] {"--data=FILE", "--iterations=N", "Default: 5000", "--learning-rate",
                "Default: 0.5", "--tolerance", "Default: 1.0E-9", "--l2", "--[no-]standardize", "--holdout", "Default: 0.2",
                "--exclude", "--delimiter=CHAR", "--missing=error|drop-rows", "--positive-label=VALUE", "--allow-unconverged",
                "--models-topic=TOPIC",
                "--test=FILE", "--seed", "Default: 42", "--report=DIR", "--threshold", "Examples:"}) {
            assertTrue(r.out().contains(expected), () -> "help lacks '" + expected + "':\n" + r.out());
        }
    }

    /**
     * Picocli formats help text with String.format: a lone '%' (as in "93%") makes it print a warning on stderr and
     * show the raw line. Every description line of every command and option must format.
     */
    @Test
    void everyHelpTextIsAValidFormatString() {
        java.util.ArrayDeque<picocli.CommandLine> commands = new java.util.ArrayDeque<>();
        commands.add(TrainerCli.commandLine(new java.io.PrintWriter(new java.io.StringWriter()),
                new java.io.PrintWriter(new java.io.StringWriter())));
        int lines = 0;
        while (!commands.isEmpty()) {
            picocli.CommandLine c = commands.pop();
            commands.addAll(c.getSubcommands().values());
            List<String> texts = new java.util.ArrayList<>(List.of(c.getCommandSpec().usageMessage().description()));
            c.getCommandSpec().options().forEach(o -> texts.addAll(List.of(o.description())));
            for (String text : texts) {
                String where = c.getCommandSpec().qualifiedName() + ": " + text;
                try {
                    String.format(java.util.Locale.ROOT, text);
                } catch (java.util.IllegalFormatException e) {
                    throw new AssertionError("not a format string (escape % as %%): " + where, e);
                }
                lines++;
            }
        }
        assertTrue(lines > 100, "walked every command: " + lines + " lines");
    }

    @Test
    void badOptionIsOneClearLineAndExitCode2() {
        CliRunner.Run r = run("train", "--data", "x.csv", "--iterations", "many");
        assertEquals(ExitCode.USAGE, r.exit());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertTrue(r.err().startsWith("error: Invalid value for option '--iterations': 'many' is not an int"), r.err());
        CliRunner.Run unknown = run("train", "--data", "x.csv", "--learnng-rate", "0.1");
        assertEquals(ExitCode.USAGE, unknown.exit());
        assertTrue(unknown.err().contains("--learnng-rate"), unknown.err());
        CliRunner.Run negative = run("train", "--data", "x.csv", "--l2", "-1");
        assertEquals(ExitCode.USAGE, negative.exit());
        assertTrue(negative.err().contains("l2 must be >= 0, got -1.0"), negative.err());
    }

    @Test
    void dataErrorNamesTheFileLineAndColumnAndExits1() throws Exception {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "a,b,y\n1,2,0\n3,oops,1\n");
        CliRunner.Run r = run("train", "--data", bad.toString(), "--out", dir.resolve("m.json").toString());
        assertEquals(ExitCode.FAILED, r.exit());
        assertEquals("error: " + bad + ":3: column 2 ('b'): 'oops' is not a number; the column holds text: leave it out"
                + " with --exclude b, or encode it as numbers first (e.g. one 0/1 column per value)", r.err().strip());
        assertTrue(Files.notExists(dir.resolve("m.json")));
    }

    @Test
    void trainsWritesTheModelAndPrintsMetricsForTrainAndHoldout() throws Exception {
        Path data = csv(SyntheticData.overlappingClusters(400, 1));
        Path model = dir.resolve("out/model.json");
        Path report = dir.resolve("report");
        CliRunner.Run r = run("train", "--data", data.toString(), "--out", model.toString(), "--standardize", "--quiet",
                "--model-id", "clusters", "--report", report.toString());
        assertEquals(ExitCode.OK, r.exit(), r.err());
        LogisticModel m = ModelJson.fromBytes(Files.readAllBytes(model));
        assertEquals("clusters", m.modelId());
        assertEquals(640, m.metadata().metrics().get("train").get("rows"));
        assertEquals(160, m.metadata().metrics().get("holdout").get("rows"));
        for (String expected : new String[] {"train", "holdout", "log-loss", "accuracy", "precision", "recall", "F1",
                "ROC AUC", "confusion matrix (train)", "confusion matrix (holdout)", "stopped after"}) {
            assertTrue(r.out().contains(expected), () -> "output lacks '" + expected + "':\n" + r.out());
        }
        assertTrue(r.out().contains("feature schema " + m.featureSchema() + " (features in order: x1, x2): positional"
                + " events send it as \"featureSchema\""), r.out());
        String accuracy = String.format(java.util.Locale.ROOT, "%.2f%%", 100 * m.metadata().metrics().get("holdout").get("accuracy"));
        assertTrue(r.out().contains(accuracy), r.out());
        assertTrue(Files.exists(report.resolve("index.html")));
        assertTrue(Files.exists(report.resolve("boundary.png")));
        assertTrue(Files.readString(report.resolve("index.html")).contains("<code>" + m.featureSchema() + "</code>"));
    }

    @Test
    void abbreviatesTheFeatureOrderOfAWideModelButNotItsSchema() {
        List<String> names = java.util.stream.IntStream.range(0, 30).mapToObj(i -> "f" + i).toList();
        LogisticModel wide = new LogisticModel("w", 1, names, new double[30], 0, null, 0.5, null);
        assertEquals("feature schema " + FeatureSchema.fingerprint(names) + " (features in order: f0, f1, f2, f3, f4, f5,"
                + " f6, f7, f8, f9, … f29 (30)): positional events send it as \"featureSchema\"",
                TrainCommand.featureSchemaLine(wide));
    }

    @Test
    void generateWritesDataTheTrainerReads() throws Exception {
        Path file = dir.resolve("gen.csv");
        CliRunner.Run r = run("generate", "--kind", "separable", "--rows", "300", "--out", file.toString());
        assertEquals(ExitCode.OK, r.exit(), r.err());
        Dataset d = CsvDataLoader.load(file, null);
        assertEquals(300, d.rows());
        assertEquals(150, d.positives());
    }

    @Test
    void kafkaOptionsWithoutPublishAreAnErrorNotASilentNoOp() throws Exception {
        Path data = csv(SyntheticData.overlappingClusters(100, 1));
        CliRunner.Run r = run("train", "--data", data.toString(), "--out", dir.resolve("m.json").toString(), "--quiet",
                "--bootstrap-servers", "broker:9092");
        assertEquals(ExitCode.USAGE, r.exit());
        assertEquals("error: --bootstrap-servers is for publishing, and without --publish nothing is published: add"
                + " --publish to put the model on the model topic, or leave --bootstrap-servers out (see 'trainer train"
                + " --help')", r.err().strip());
        CliRunner.Run topic = run("train", "--data", data.toString(), "--quiet", "--models-topic", "m");
        assertEquals(ExitCode.USAGE, topic.exit());
        assertTrue(topic.err().startsWith("error: --models-topic is for publishing"), topic.err());
        assertTrue(Files.notExists(dir.resolve("m.json")), "nothing trained");
    }

    /**
     * A --client-config value that Kafka's own definition of the client refuses is a usage error naming the file and
     * the property, before any client starts; a secret's value is not repeated in it.
     */
    @Test
    void aClientConfigValueKafkaRefusesIsAUsageErrorNamingTheProperty() throws Exception {
        Path config = dir.resolve("client.properties");
        Files.writeString(config, "request.timeout.ms=soon\nsecurity.protocol=SASL_SSL\n");
        CliRunner.Run r = run("models", "list", "--bootstrap-servers", "127.0.0.1:1", "--client-config", config.toString());
        assertEquals(ExitCode.USAGE, r.exit());
        assertEquals("error: --client-config " + config + ": request.timeout.ms is 'soon'; Kafka refuses it: Not a number"
                + " of type INT (see 'trainer models list --help')", r.err().strip());

        Files.writeString(config, "sasl.mechanism=PLAIN\nsecurity.protocol=SASL_TLS\n"
                + "sasl.jaas.config=x required password=\"hunter2\";\n");
        CliRunner.Run enumRefused = run("models", "list", "--bootstrap-servers", "127.0.0.1:1", "--client-config",
                config.toString());
        assertEquals(ExitCode.USAGE, enumRefused.exit());
        assertTrue(enumRefused.err().startsWith("error: --client-config " + config + ": security.protocol is 'SASL_TLS';"
                + " Kafka refuses it: "), enumRefused.err());
        assertFalse(enumRefused.err().contains("hunter2"), enumRefused.err());

        CliRunner.Run partitions = run("models", "list", "--bootstrap-servers", "127.0.0.1:1",
                "--models-topic-partitions", "0");
        assertEquals(ExitCode.USAGE, partitions.exit());
        assertTrue(partitions.err().startsWith("error: --models-topic-partitions is '0'; must be an integer >= 1"),
                partitions.err());
    }

    @Test
    void oldOptionNamesWorkHiddenWithANote() {
        CliRunner.Run help = run("train", "--help");
        assertTrue(help.out().contains("--models-topic=TOPIC") && help.out().contains("--kafka-timeout=SECONDS"), help.out());
        for (String old : TrainerCli.RENAMED.keySet()) {
            assertFalse(help.out().contains(old + "="), () -> old + " is hidden:\n" + help.out());
        }
        CliRunner.Run r = run("publish", "--model", dir.resolve("none.json").toString(), "--model-topic", "t",
                "--publish-timeout", "1", "--bootstrap-servers", "b:1");
        assertEquals(ExitCode.FAILED, r.exit(), "parsed, then failed on the missing file");
        assertEquals(List.of("note: --model-topic is now --models-topic; the old name works until the next release",
                        "note: --publish-timeout is now --kafka-timeout; the old name works until the next release",
                        "error: " + dir.resolve("none.json") + ": no such file"),
                r.err().strip().lines().toList());
    }

    @Test
    void standardInputIsTheDataWithAModelId() throws Exception {
        CliRunner.Run noId = run("train", "--data", "-");
        assertEquals(ExitCode.USAGE, noId.exit());
        assertTrue(noId.err().startsWith("error: --data - (standard input) needs --model-id"), noId.err());
        StringWriter csv = new StringWriter();
        SyntheticData.writeCsv(SyntheticData.overlappingClusters(200, 2), csv);
        java.io.InputStream stdin = System.in;
        try {
            System.setIn(new java.io.ByteArrayInputStream(csv.toString().replace(',', ';')
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            CliRunner.Run r = run("train", "--data", "-", "--model-id", "piped", "--quiet", "--out",
                    dir.resolve("piped.json").toString());
            assertEquals(ExitCode.OK, r.exit(), r.err());
            assertTrue(r.out().startsWith("data: <stdin> (';'-separated; train part), 320 rows x 2 features"), r.out());
            assertEquals("piped", ModelJson.fromBytes(Files.readAllBytes(dir.resolve("piped.json"))).modelId());
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void aModelWorseThanChanceOnTheTestDataExits3WithOneLoudLine() throws Exception {
        Dataset clusters = SyntheticData.overlappingClusters(300, 4);
        Path train = csv(clusters);
        double[] flipped = clusters.labels().clone();
        for (int i = 0; i < flipped.length; i++) {
            flipped[i] = 1 - flipped[i];
        }
        Path test = dir.resolve("flipped.csv");
        try (Writer w = Files.newBufferedWriter(test)) {
            SyntheticData.writeCsv(new Dataset(clusters.featureNames(), clusters.features(), flipped, "flipped"), w);
        }
        Path model = dir.resolve("m.json");
        Path report = dir.resolve("report");
        CliRunner.Run r = run("train", "--data", train.toString(), "--test", test.toString(), "--out", model.toString(),
                "--quiet", "--report", report.toString(), "--publish", "--bootstrap-servers", "127.0.0.1:1");
        assertEquals(ExitCode.UNCONVERGED, r.exit(), r.err());
        assertTrue(r.out().contains(": converged"), "it converged; the model is just wrong for this data:\n" + r.out());
        String line = r.err().strip();
        assertEquals(1, line.lines().count(), line);
        assertTrue(line.startsWith("error: WORSE THAN CHANCE: the model is worse than chance on the evaluation data (ROC"
                + " AUC 0.0"), line);
        assertTrue(line.contains(model + " holds this model, not published; exit 3"), line);
        assertTrue(Files.exists(model), "the model file is written");
        assertTrue(Files.readString(report.resolve("index.html")).contains("class=\"problem\""), "the report says so");
        CliRunner.Run allowed = run("train", "--data", train.toString(), "--test", test.toString(), "--out",
                model.toString(), "--quiet", "--allow-unconverged");
        assertEquals(ExitCode.OK, allowed.exit(), allowed.err());
        assertTrue(allowed.out().strip().lines().reduce((a, b) -> b).orElse("").startsWith("warning: WORSE THAN CHANCE"),
                allowed.out());
    }

    @Test
    void gzipFileNamesGiveTheModelIdWithoutTheirExtensions() {
        assertEquals("churn", TrainCommand.defaultModelId(Path.of("data/churn.csv.gz")));
        assertEquals("churn", TrainCommand.defaultModelId(Path.of("churn.csv")));
        assertEquals("churn", TrainCommand.defaultModelId(Path.of("churn.gz")));
        assertEquals("churn", TrainCommand.defaultModelId(Path.of("churn")));
    }

    /** Every example line of every command's help starts with the program name, so it can be pasted as it is. */
    @Test
    void everyHelpExampleStartsWithTheProgramName() {
        java.util.ArrayDeque<picocli.CommandLine> commands = new java.util.ArrayDeque<>();
        commands.add(TrainerCli.commandLine(new java.io.PrintWriter(new StringWriter()),
                new java.io.PrintWriter(new StringWriter())));
        int examples = 0;
        while (!commands.isEmpty()) {
            picocli.CommandLine c = commands.pop();
            commands.addAll(c.getSubcommands().values());
            boolean inExamples = false;
            for (String line : c.getCommandSpec().usageMessage().description()) {
                if (line.startsWith("Example")) {
                    inExamples = true;
                } else if (inExamples && line.startsWith("  ")) {
                    assertTrue(line.startsWith("  trainer ") || line.startsWith("  zcat ") && line.contains("| trainer "),
                            () -> c.getCommandSpec().qualifiedName() + ": example without the program name: " + line);
                    examples++;
                } else {
                    inExamples = false;
                }
            }
        }
        assertTrue(examples >= 15, "examples found: " + examples);
    }

    /**
     * Rendering every command's help writes nothing to System.err (picocli's own warnings go there), and every option
     * shows what it takes (N, FILE), never picocli's default {@code <fieldName>}.
     */
    @Test
    void everyHelpRendersWithoutWarnings() {
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        try {
            System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
            java.util.ArrayDeque<picocli.CommandLine> commands = new java.util.ArrayDeque<>();
            commands.add(TrainerCli.commandLine(new java.io.PrintWriter(new StringWriter()),
                    new java.io.PrintWriter(new StringWriter())));
            while (!commands.isEmpty()) {
                picocli.CommandLine c = commands.pop();
                commands.addAll(c.getSubcommands().values());
                String usage = c.getUsageMessage();
                assertTrue(usage.contains("Usage: "));
                assertFalse(java.util.regex.Pattern.compile("<[a-zA-Z]+>").matcher(usage).find(),
                        () -> "a <fieldName> placeholder instead of what the option takes:\n" + usage);
            }
        } finally {
            System.setErr(stderr);
        }
        assertEquals("", captured.toString(java.nio.charset.StandardCharsets.UTF_8));
    }
}
