package io.streamscore.demo;

/** The demo's exit codes, named once. */
final class ExitCode {
    /** Everything ran and every check passed. */
    static final int OK = 0;
    /** A step failed or a check did not hold; one line on stderr says which. */
    static final int FAILED = 1;
    /** Bad command line (picocli's own code for usage errors). */
    static final int USAGE = 2;

    private ExitCode() {
    }
}
