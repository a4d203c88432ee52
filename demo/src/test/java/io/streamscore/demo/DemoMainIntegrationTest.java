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

    @Test
    void shouldRejectABadOptionWithUsageExitCode() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DemoMain.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("--events", "0");
        assertEquals(ExitCode.USAGE, exit);
        assertTrue(err.toString().contains("--events must be >= 1, got 0"), err::toString);
    }
}
