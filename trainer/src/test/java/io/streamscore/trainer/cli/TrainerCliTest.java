package io.streamscore.trainer.cli;

import io.streamscore.common.FeatureSchema;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.trainer.data.CsvDataLoader;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.synthetic.SyntheticData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
                "Default: 0.5", "--tolerance", "Default: 1.0E-9", "--l2", "--standardize", "--holdout", "Default: 0.2",
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
        assertEquals("error: " + bad + ":3: column 2 ('b'): 'oops' is not a number", r.err().strip());
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
}
