package io.streamscore.demo;

import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The demo's command line and texts, without a broker. */
class DemoMainTest {
    @Test
    void shouldRejectABadOptionWithUsageExitCode() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = DemoMain.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
                .execute("--events", "0");
        assertEquals(ExitCode.USAGE, exit);
        assertEquals("error: --events must be >= 1, got 0 (see 'demo --help')", err.toString().strip());
        StringWriter err2 = new StringWriter();
        assertEquals(ExitCode.USAGE, DemoMain.commandLine(new PrintWriter(out, true), new PrintWriter(err2, true))
                .execute("--positive-label", "yes"));
        assertTrue(err2.toString().startsWith("error: --label, --exclude, --features, --positive-label and --delimiter"
                + " need --data"), err2::toString);
    }

    @Test
    void shouldRejectALoopRateOutsideItsRange() {
        StringWriter err = new StringWriter();
        int exit = DemoMain.commandLine(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true))
                .execute("--loop-rate", "5");
        assertEquals(ExitCode.USAGE, exit);
        assertEquals("error: --loop-rate must be in 10..5000, got 5.0 (see 'demo --help')", err.toString().strip());
    }

    @Test
    void shouldCompareTheHoldoutWithTheBestPossibleOnlyForTheGeneratedExample() {
        assertTrue(DemoMain.holdoutNote(null).contains("93%"));
        assertEquals("(the trainer's accuracy on the 20% of churn.csv it held out)",
                DemoMain.holdoutNote(Path.of("data/churn.csv")));
    }
}
