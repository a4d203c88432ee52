package io.streamscore.trainer.retrain;

import java.util.Locale;

/**
 * The quality gate as pure functions: whether the rows of a round can judge a candidate at all, and whether a
 * candidate may replace the champion. A candidate passes when it is not worse than the champion, on the same held-out
 * rows and by the chosen metric, by more than the margin (a margin of 0: not worse at all).
 */
public final class Gate {
    /** The default of {@code --min-rows}: fewer rows make log-loss and AUC too noisy to choose a model by. */
    public static final int DEFAULT_MIN_ROWS = 100;

    private Gate() {
    }

    /**
     * Why these rows cannot train and judge a candidate; null when they can. Each part needs {@code minRows} rows and
     * both classes: a model cannot be fitted on one class, and judged on one class only, AUC is undefined and the
     * other figures say nothing about the missing class.
     */
    public static String skipReason(int trainRows, long trainPositives, int holdoutRows, long holdoutPositives,
                                    int minRows) {
        if (trainRows + holdoutRows == 0) {
            return "no rows in the range";
        }
        if (trainRows < minRows) {
            return "too few rows to train on: " + trainRows + " older than the held-out part, fewer than --min-rows "
                    + minRows;
        }
        if (holdoutRows < minRows) {
            return "too few held-out rows to judge on: " + holdoutRows + ", fewer than --min-rows " + minRows;
        }
        if (trainPositives == 0 || trainPositives == trainRows) {
            return "one class only in the training part: all " + trainRows + " rows have label "
                    + (trainPositives == 0 ? 0 : 1);
        }
        if (holdoutPositives == 0 || holdoutPositives == holdoutRows) {
            return "one class only in the held-out part: all " + holdoutRows + " rows have label "
                    + (holdoutPositives == 0 ? 0 : 1);
        }
        return null;
    }

    /**
     * What the gate says.
     *
     * @param pass   whether the candidate may be published
     * @param reason one sentence with the figures it was decided on
     */
    public record Verdict(boolean pass, String reason) {
    }

    /**
     * @param candidate       the candidate's metric on the held-out rows
     * @param championVersion the champion's version; null when there is no champion
     * @param champion        the champion's metric on the same rows; ignored without a champion
     * @param margin          how much worse than the champion the candidate may be, in the metric's units, ≥ 0
     */
    public static Verdict judge(GateMetric metric, double candidate, Long championVersion, double champion,
                                double margin) {
        if (!(margin >= 0 && Double.isFinite(margin))) {
            throw new IllegalArgumentException("the margin must be >= 0, got " + margin);
        }
        if (Double.isNaN(candidate)) {
            return new Verdict(false, "the candidate's " + metric + " is undefined on the held-out rows");
        }
        if (championVersion == null) {
            return new Verdict(true, "no champion yet: the candidate (" + metric + " " + figure(candidate)
                    + ") becomes the first served version");
        }
        if (Double.isNaN(champion)) {
            return new Verdict(false, "champion v" + championVersion + "'s " + metric + " is undefined on the"
                    + " held-out rows, so the candidate cannot be compared to it");
        }
        double worse = metric.worseBy(candidate, champion);
        String figures = "candidate " + metric + " " + figure(candidate) + " vs champion v" + championVersion + " "
                + figure(champion) + " (" + (metric.higherIsBetter() ? "higher" : "lower") + " is better)";
        if (worse <= 0) {
            return new Verdict(true, figures + ": " + (worse == 0 ? "as good" : "better by " + figure(-worse)));
        }
        if (worse <= margin) {
            return new Verdict(true, figures + ": worse by " + figure(worse) + ", within the margin " + figure(margin));
        }
        return new Verdict(false, figures + ": worse by " + figure(worse) + ", more than the margin " + figure(margin));
    }

    /** A figure as the summaries print it: six significant digits. */
    static String figure(double v) {
        return v == 0 ? "0" : String.format(Locale.ROOT, "%.6g", v).replaceAll("(\\.[0-9]*?)0+($|e)", "$1$2")
                .replaceAll("\\.($|e)", "$1");
    }
}
