package io.streamscore.demo;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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

        int exit = commandLine.execute("--events", "500", "--output-dir", dir.toString(),
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
        assertEquals("", err.toString(), "nothing on the demo's error writer");
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
        assertTrue(text.contains("[2/8] Data: " + file + " (gzip, ';'-separated), 600 rows x 2 features [age, income]"), text);
        assertTrue(text.contains("Published model 'churn' version 1"), text);
        assertTrue(text.contains("(the trainer's accuracy on the 20% of churn.csv.gz it held out)"), text);
        assertTrue(!text.contains("93%"), "nothing about the generated example:\n" + text);
    }
}
