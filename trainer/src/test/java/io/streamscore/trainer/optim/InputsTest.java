package io.streamscore.trainer.optim;

import io.streamscore.trainer.cli.CliRunner;
import io.streamscore.trainer.cli.ExitCode;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.synthetic.SyntheticData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the trainer makes of its inputs: which columns, how many iterations it may be asked for. */
class InputsTest {
    @TempDir
    Path dir;

    private static TrainingResult train(Dataset data, TrainingOptions options) {
        return new LogisticRegressionTrainer(options, Clock.systemUTC(), ProgressListener.NONE).train(data, null, "t");
    }

    /** Overlapping clusters plus a column {@code extra(i)}. */
    private static Dataset withColumn(String name, java.util.function.IntToDoubleFunction extra) {
        Dataset base = SyntheticData.overlappingClusters(200, 3);
        double[] x = new double[base.rows() * 3];
        for (int i = 0; i < base.rows(); i++) {
            x[i * 3] = base.value(i, 0);
            x[i * 3 + 1] = base.value(i, 1);
            x[i * 3 + 2] = extra.applyAsDouble(i);
        }
        return new Dataset(List.of("x1", "x2", name), x, base.labels(), "t");
    }

    @Test
    void aColumnWithADifferentWholeNumberInEveryRowIsFlaggedAsAnIdentifier() {
        TrainingResult id = train(withColumn("customer_id", i -> 100_000 + 7L * i), TrainingOptions.defaults()
                .withStandardize(true).withIterations(50));
        assertTrue(id.warnings().stream().anyMatch(w -> w.startsWith("feature 'customer_id' holds a different whole number"
                + " in every one of the 400 rows") && w.contains("--exclude customer_id")), () -> "" + id.warnings());
        assertEquals(1, id.warnings().stream().filter(w -> w.contains("whole number")).count(), "x1, x2 are not flagged");

        TrainingResult counts = train(withColumn("visits", i -> i % 17), TrainingOptions.defaults().withIterations(50));
        assertTrue(counts.warnings().stream().noneMatch(w -> w.contains("whole number")), () -> "" + counts.warnings());
        TrainingResult measured = train(withColumn("weight", i -> 60 + i * 0.37), TrainingOptions.defaults()
                .withStandardize(true).withIterations(50));
        assertTrue(measured.warnings().stream().noneMatch(w -> w.contains("whole number")), () -> "" + measured.warnings());
    }

    @Test
    void aColumnNamedLikeAnIdentifierIsFlaggedWhateverItHolds() {
        for (String name : new String[] {"id", "ID", "customer_id", "Customer-ID", "customerId", "customerID", "user.id",
                "uuid", "row_number", "order uuid"}) {
            assertTrue(Dataset.namedLikeAnIdentifier(name), name);
        }
        for (String name : new String[] {"paid", "valid", "grid", "COVID", "width", "idle", "ideas", "age", "income"}) {
            assertFalse(Dataset.namedLikeAnIdentifier(name), name);
        }
        // Repeating values, so the value test says nothing: the name does.
        TrainingResult named = train(withColumn("account_id", i -> i % 7), TrainingOptions.defaults().withIterations(50));
        assertEquals(1, named.warnings().stream().filter(w -> w.startsWith("feature 'account_id' is named like an"
                + " identifier") && w.contains("--exclude account_id") && w.contains("MISSING_FEATURE")).count(),
                () -> "" + named.warnings());
        // Flagged by its values already: one warning, not two.
        TrainingResult both = train(withColumn("customer_id", i -> 100_000 + 7L * i), TrainingOptions.defaults()
                .withIterations(50));
        assertEquals(1, both.warnings().stream().filter(w -> w.contains("customer_id")).count(), () -> "" + both.warnings());
    }

    @Test
    void aHugeIterationBudgetAllocatesNothingInProportion() {
        // Two arrays of 2^31 doubles would need 32 GB; the test JVM has 2.
        IterationLog log = new IterationLog(Integer.MAX_VALUE, false, ProgressListener.NONE);
        log.start(1.0, new double[] {0, 0});
        for (int i = 0; i < 5000; i++) {
            log.record(1.0 / (i + 2), new double[] {0, i});
        }
        assertEquals(5001, log.objectiveHistory().length);
        assertEquals(1.0 / 5001, log.objectiveAt(5000));

        TrainingResult r = train(SyntheticData.overlappingClusters(200, 4), TrainingOptions.defaults()
                .withIterations(Integer.MAX_VALUE).withSolver(Solver.LBFGS));
        assertEquals(StopReason.CONVERGED, r.stopReason());
        assertEquals(r.iterations() + 1, r.objectiveHistory().length);
    }

    @Test
    void cliExcludesAnIdColumnAndTakesItsIterationsBudget() throws Exception {
        Path file = dir.resolve("with-id.csv");
        StringBuilder csv = new StringBuilder("id,x1,x2,label\n");
        Dataset base = SyntheticData.overlappingClusters(100, 5);
        for (int i = 0; i < base.rows(); i++) {
            csv.append("row-").append(i).append(',').append(base.value(i, 0)).append(',').append(base.value(i, 1))
                    .append(',').append(base.label(i) == 1 ? "1.0" : "0.0").append('\n');
        }
        Files.writeString(file, csv);
        CliRunner.Run r = CliRunner.run("train", "--data", file.toString(), "--exclude", "id", "--quiet",
                "--iterations", "2147483647", "--out", dir.resolve("m.json").toString());
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertTrue(r.out().contains("200 rows") || r.out().contains("160 rows x 2 features"), r.out());
        CliRunner.Run both = CliRunner.run("train", "--data", file.toString(), "--exclude", "id", "--features", "x1");
        assertEquals(ExitCode.USAGE, both.exit());
        assertTrue(both.err().contains("give --features or --exclude, not both"), both.err());
    }
}
