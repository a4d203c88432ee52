package io.streamscore.trainer.cli;

/** The trainer's exit codes, named once. */
public final class ExitCode {
    public static final int OK = 0;
    /** The work failed: bad input data, an I/O error, a broker that did not answer. */
    public static final int FAILED = 1;
    /** The command line itself was wrong. */
    public static final int USAGE = 2;

    private ExitCode() {
    }
}
