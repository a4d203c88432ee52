package io.streamscore.trainer.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the trainer CLI in-process and captures its output, for tests in other packages. */
public final class CliRunner {
    private CliRunner() {
    }

    public record Run(int exit, String out, String err) {
    }

    public static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = TrainerCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(exit, out.toString(), err.toString());
    }
}
