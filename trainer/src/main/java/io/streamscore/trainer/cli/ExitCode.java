package io.streamscore.trainer.cli;

/** The trainer's exit codes, named once. */
public final class ExitCode {
    public static final int OK = 0;
    /** The work failed: bad input data, an I/O error, a broker that did not answer. */
    public static final int FAILED = 1;
    /** The command line itself was wrong. */
    public static final int USAGE = 2;
    /**
     * {@code train} fitted a model that is not fit to use: training stopped far from the optimum, or the model is worse
     * than chance on the holdout. The model file and report are written (nothing is published); the last line on stderr
     * says what is wrong. {@code --allow-unconverged} turns this into {@link #OK}.
     */
    public static final int UNCONVERGED = 3;
    /** {@code retrain} (one round): the candidate did not pass the quality gate; nothing was published. */
    public static final int REJECTED = 4;
    /** {@code retrain} (one round): too few rows, or one class only, to train and judge a candidate. */
    public static final int SKIPPED = 5;

    private ExitCode() {
    }
}
