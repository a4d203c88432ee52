package io.streamscore.trainer.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code trainer retrain}'s command line, and what it does when the brokers are away (no broker needed). */
class RetrainCommandTest {
    /** Nothing listens there: every connection is refused at once. */
    private static final String NOWHERE = "127.0.0.1:1";

    private static void usageError(String expected, String... args) {
        CliRunner.Run r = CliRunner.run(args);
        assertEquals(ExitCode.USAGE, r.exit(), r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains(expected)
                && r.err().contains("(see 'trainer retrain --help')"), r.err());
    }

    @Test
    void refusesOptionsThatDoNotFitTogether() {
        usageError("Missing required option: '--model-id=ID'", "retrain", "--bootstrap-servers", NOWHERE);
        usageError("give --since D or --from/--to, not both", "retrain", "--model-id", "m", "--bootstrap-servers",
                NOWHERE, "--since", "1h", "--from", "2026-11-01T00:00:00Z");
        usageError("--to needs --from", "retrain", "--model-id", "m", "--bootstrap-servers", NOWHERE, "--to",
                "2026-11-01T00:00:00Z");
        usageError("--from 'yesterday' is not an ISO-8601 instant", "retrain", "--model-id", "m",
                "--bootstrap-servers", NOWHERE, "--from", "yesterday");
        usageError("--since: '1 week' is not a duration", "retrain", "--model-id", "m", "--bootstrap-servers", NOWHERE,
                "--since", "1 week");
        usageError("--holdout-last 2h is not shorter than the range (1h)", "retrain", "--model-id", "m",
                "--bootstrap-servers", NOWHERE, "--since", "1h", "--holdout-last", "2h");
        usageError("'f1' is not a gate metric", "retrain", "--model-id", "m", "--bootstrap-servers", NOWHERE,
                "--gate-metric", "f1");
        usageError("--gate-margin must be >= 0", "retrain", "--model-id", "m", "--bootstrap-servers", NOWHERE,
                "--gate-margin", "-0.1");
        usageError("--publish-as 'shadow': use champion or challenger", "retrain", "--model-id", "m",
                "--bootstrap-servers", NOWHERE, "--publish-as", "shadow");
        usageError("--challenger and --publish-as champion contradict each other", "retrain", "--model-id", "m",
                "--bootstrap-servers", NOWHERE, "--challenger", "--publish-as", "champion");
        usageError("Kafka needs --bootstrap-servers", "retrain", "--model-id", "m");
        usageError("--every is for --watch", "retrain", "--model-id", "m", "--bootstrap-servers", NOWHERE, "--every",
                "1h");
        usageError("--watch needs --every D, --on-drift or both", "retrain", "--model-id", "m", "--bootstrap-servers",
                NOWHERE, "--watch");
        usageError("with --watch each round reads the last --since D", "retrain", "--model-id", "m",
                "--bootstrap-servers", NOWHERE, "--watch", "--every", "1h", "--from", "2026-11-01T00:00:00Z");
        usageError("learning rate must be positive", "retrain", "--model-id", "m", "--bootstrap-servers", NOWHERE,
                "--learning-rate", "0");
    }

    @Test
    void helpShowsTheTrainingOptionsTrainTakes() {
        CliRunner.Run r = CliRunner.run("retrain", "--help");
        assertEquals(0, r.exit());
        for (String option : new String[] {"--solver=gd|lbfgs", "--l2=λ", "--[no-]standardize", "--iterations=N",
                "--gate-metric=log-loss|brier|auc|accuracy", "--holdout-last=D|FRACTION", "--decisions-topic=TOPIC",
                "--on-drift", "--models-topic=TOPIC", "Default: model-decisions", "Default: 0.2"}) {
            assertTrue(r.out().contains(option), () -> "help lacks '" + option + "':\n" + r.out());
        }
    }

    @Test
    @Timeout(60)
    void aOneShotRoundWithTheBrokersAwayFailsWithExit1() {
        CliRunner.Run r = CliRunner.run("retrain", "--model-id", "m", "--bootstrap-servers", NOWHERE,
                "--kafka-timeout", "1");
        assertEquals(ExitCode.FAILED, r.exit(), r.err());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("model topic 'models'"), r.err());
    }

    @Test
    @Timeout(60)
    void aWatchLogsFailedRoundsAndGoesOn() {
        CliRunner.Run r = CliRunner.run("retrain", "--model-id", "m", "--bootstrap-servers", NOWHERE,
                "--kafka-timeout", "1", "--watch", "--every", "1h", "--retry-after", "100ms", "--max-rounds", "2");
        assertEquals(ExitCode.OK, r.exit(), r.err());
        assertTrue(r.out().contains("watch: round 1 (schedule)") && r.out().contains("watch: round 2 (schedule)"),
                r.out());
        assertTrue(r.err().contains("warning: watch: round 1 failed: ") && r.err().contains("trying again in 100ms"),
                r.err());
        assertTrue(r.err().contains("warning: watch: round 2 failed: "), r.err());
        assertTrue(r.out().contains("watch: stopped after 2 rounds (--max-rounds 2)"), r.out());
    }
}
