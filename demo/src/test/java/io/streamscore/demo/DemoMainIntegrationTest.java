package io.streamscore.demo;

import io.streamscore.common.outcome.QualityWindow;
import io.streamscore.trainer.retrain.Decision;
import io.streamscore.trainer.retrain.DriftRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs the demo in-process on its embedded broker, as a user would, and checks what it reports. */
@Tag("integration")
class DemoMainIntegrationTest {
    /** Live accuracy on 500 fresh events may differ from the 800-row holdout's by sampling noise (σ ≈ 1.2 points). */
    private static final double ACCURACY_TOLERANCE = 0.05;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldRunEndToEndAndAccountForEveryEvent(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var commandLine = DemoMain.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));

        // The loop has a test of its own (below): this one checks the first phase alone.
        int exit = commandLine.execute("--events", "500", "--output-dir", dir.toString(), "--no-loop",
                "--application-id", "demo-test-" + UUID.randomUUID());

        assertEquals(ExitCode.OK, exit, () -> "stdout:\n" + out + "\nstderr:\n" + err);
        DemoResult result = ((DemoMain) commandLine.getCommand()).result();
        assertNotNull(result, "no result recorded");
        assertEquals(505, result.eventsIn());
        assertEquals(500, result.scored());
        assertEquals(Map.of("MALFORMED_JSON", 1L, "MISSING_FEATURE", 1L, "MODEL_NOT_FOUND", 1L,
                "NON_FINITE_FEATURE", 1L, "WRONG_TYPE", 1L), result.deadLetters());
        assertEquals(result.eventsIn(), result.scored() + result.deadLettered());
        assertEquals(0, result.duplicates());
        assertEquals(0, result.probabilityMismatches());
        assertEquals(result.holdoutAccuracy(), result.liveAccuracy(), ACCURACY_TOLERANCE,
                "live accuracy vs the trainer's holdout accuracy");
        assertTrue(Files.size(result.report()) > 0, "report " + result.report());
        assertTrue(Files.exists(dir.resolve("model.json")), "model.json");
        assertTrue(out.toString().contains("All checks passed."), out::toString);
        assertTrue(out.toString().contains("[8/9] The outcomes loop: skipped (--no-loop)"), out::toString);
        assertNull(((DemoMain) commandLine.getCommand()).loopResult(), "no loop with --no-loop");
        assertEquals("", err.toString(), "nothing on the demo's error writer");
    }

    /**
     * The outcomes loop in the one command: the clusters move, the drift is caught, a retrain round's gate publishes
     * v2, the scorer serves it, and its quality windows beat v1's since the move. The figures compared are pooled here
     * from the quality windows the run read back, not taken from the demo's own summary.
     */
    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldCloseTheOutcomesLoop(@TempDir Path dir) throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var commandLine = DemoMain.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));

        int exit = commandLine.execute("--events", "500", "--output-dir", dir.toString(),
                "--application-id", "demo-loop-" + UUID.randomUUID());

        assertEquals(ExitCode.OK, exit, () -> "stdout:\n" + out + "\nstderr:\n" + err);
        LoopResult loop = ((DemoMain) commandLine.getCommand()).loopResult();
        assertNotNull(loop, "no loop result recorded");

        DriftRecord alert = loop.alert();
        assertNotNull(alert, "no drift alert");
        assertEquals(1, alert.modelVersion(), "the alert is about the version served when the clusters moved");
        assertTrue(alert.windowEndMs() > loop.driftStartMs(), "the alert's window ends after the move");
        assertTrue(alert.fires(LoopTopics.DRIFT_THRESHOLD), () -> "the alert fires: " + alert);
        assertTrue(loop.drift().stream().anyMatch(d -> d.modelVersion() == 1 && d.windowEndMs() <= loop.driftStartMs()),
                "drift windows of v1 before the move were read too");
        // Only windows with enough events: PSI noise is about (bins - 1) / n, so a window of a few events may alert.
        assertTrue(loop.drift().stream().filter(d -> d.modelVersion() == 1 && d.windowEndMs() <= loop.driftStartMs()
                && d.count() >= 1000).noneMatch(d -> d.fires(LoopTopics.DRIFT_THRESHOLD)),
                () -> "no alert before the move: " + loop.drift());

        Decision decision = loop.decision();
        assertNotNull(decision, "no retrain decision");
        assertEquals(Decision.Kind.PUBLISHED, decision.kind(), decision::reason);
        assertEquals(Decision.Trigger.DRIFT, decision.trigger());
        assertEquals(alert.windowEndMs(), decision.driftWindowEndMs());
        assertEquals(1L, decision.championVersion());
        assertEquals(2L, decision.candidateVersion());
        assertTrue(decision.candidateValue() < decision.championValue(),
                () -> "the gate compared the figures: " + decision.reason());

        List<QualityWindow> v1Before = windows(loop, 1, w -> w.windowEndMs() <= loop.driftStartMs());
        List<QualityWindow> v1After = windows(loop, 1, w -> w.windowStartMs() >= loop.driftStartMs());
        List<QualityWindow> v2 = windows(loop, 2, w -> true);
        assertFalse(v1Before.isEmpty(), "quality windows of v1 before the move");
        assertFalse(v1After.isEmpty(), "quality windows of v1 after the move");
        assertFalse(v2.isEmpty(), "v2 served: quality windows of v2");
        assertTrue(v2.stream().allMatch(w -> w.windowEndMs() > loop.driftStartMs()), "v2 scored after the move only");

        assertTrue(accuracy(v1After) < accuracy(v1Before), () -> "the move hurt v1: " + v1Before + " vs " + v1After);
        assertTrue(accuracy(v2) > accuracy(v1After), () -> "v2's accuracy beats v1's since the move: " + v2 + " vs " + v1After);
        assertTrue(logLoss(v2) < logLoss(v1After), () -> "v2's log-loss beats v1's since the move: " + v2 + " vs " + v1After);

        String text = out.toString();
        assertTrue(text.contains("Loop summary"), text);
        assertTrue(text.contains("decision          PUBLISHED as v2"), text);
        assertTrue(text.contains("/metrics"), text);
        assertTrue(text.contains("All checks passed."), text);
        assertEquals("", err.toString(), "nothing on the demo's error writer");
    }

    private static List<QualityWindow> windows(LoopResult loop, long version, Predicate<QualityWindow> which) {
        return loop.quality().stream().filter(w -> w.modelVersion() == version && w.figures().count() > 0)
                .filter(which).toList();
    }

    /** The accuracy over all the windows' outcomes: each window's accuracy weighted by its count. */
    private static double accuracy(List<QualityWindow> windows) {
        return windows.stream().mapToDouble(w -> w.figures().accuracy() * w.figures().count()).sum()
                / windows.stream().mapToLong(w -> w.figures().count()).sum();
    }

    private static double logLoss(List<QualityWindow> windows) {
        return windows.stream().mapToDouble(w -> w.figures().logLoss() * w.figures().count()).sum()
                / windows.stream().mapToLong(w -> w.figures().count()).sum();
    }

    /**
     * A newcomer's own export through the demo: gzip, semicolons, yes/no labels, an id column. The summary speaks of
     * that file, not of the generated example.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldRunOnAUsersOwnCsvAndTalkAboutThatData(@TempDir Path dir) throws Exception {
        StringBuilder csv = new StringBuilder("customer_id;age;income;churned\n");
        java.util.SplittableRandom random = new java.util.SplittableRandom(3);
        for (int i = 0; i < 600; i++) {
            double age = 40 + 10 * (random.nextDouble() * 2 - 1);
            double income = 55_000 + 15_000 * (random.nextDouble() * 2 - 1);
            double z = (age - 40) / 5 - (income - 55_000) / 7_500;
            boolean churned = random.nextDouble() < 1 / (1 + Math.exp(-z));
            csv.append(100_000 + i).append(';').append(String.format(java.util.Locale.ROOT, "%.1f;%.2f;", age, income))
                    .append(churned ? "yes" : "no").append('\n');
        }
        Path file = dir.resolve("churn.csv.gz");
        try (var gz = new java.util.zip.GZIPOutputStream(Files.newOutputStream(file))) {
            gz.write(csv.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var commandLine = DemoMain.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        int exit = commandLine.execute("--data", file.toString(), "--exclude", "customer_id", "--positive-label", "yes",
                "--events", "200", "--output-dir", dir.resolve("out").toString(), "--application-id",
                "demo-csv-" + UUID.randomUUID());
        assertEquals(ExitCode.OK, exit, () -> "stdout:\n" + out + "\nstderr:\n" + err);
        String text = out.toString();
        assertTrue(text.contains("[2/9] Data: " + file + " (gzip, ';'-separated), 600 rows x 2 features [age, income]"), text);
        assertTrue(text.contains("Published model 'churn' version 1"), text);
        assertTrue(text.contains("(the trainer's accuracy on the 20% of churn.csv.gz it held out)"), text);
        assertTrue(!text.contains("93%"), "nothing about the generated example:\n" + text);
        assertTrue(text.contains("[8/9] The outcomes loop: skipped (it moves the generated clusters"), text);
    }
}
