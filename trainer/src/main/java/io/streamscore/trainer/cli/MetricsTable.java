package io.streamscore.trainer.cli;

import io.streamscore.trainer.eval.ClassificationMetrics;

import java.util.Locale;

/** The metrics of a run as a plain-text table for the terminal. */
public final class MetricsTable {

    private MetricsTable() {
    }

    /**
     * @param evaluation     metrics on the holdout or test data; null for none
     * @param evaluationName what to call that column ("holdout" or "test")
     */
    public static String render(ClassificationMetrics train, ClassificationMetrics evaluation, String evaluationName) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%n%-12s %12s%s%n", "", "train",
                evaluation == null ? "" : String.format(Locale.ROOT, " %12s", evaluationName)));
        row(sb, "log-loss", train.logLoss(), evaluation == null ? null : evaluation.logLoss(), false);
        row(sb, "accuracy", train.accuracy(), evaluation == null ? null : evaluation.accuracy(), true);
        row(sb, "precision", train.precision(), evaluation == null ? null : evaluation.precision(), true);
        row(sb, "recall", train.recall(), evaluation == null ? null : evaluation.recall(), true);
        row(sb, "F1", train.f1(), evaluation == null ? null : evaluation.f1(), false);
        row(sb, "ROC AUC", train.rocAuc(), evaluation == null ? null : evaluation.rocAuc(), false);
        confusion(sb, "train", train);
        if (evaluation != null) {
            confusion(sb, evaluationName, evaluation);
        }
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, double train, Double evaluation, boolean percent) {
        sb.append(String.format(Locale.ROOT, "%-12s %12s%s%n", name, format(train, percent),
                evaluation == null ? "" : String.format(Locale.ROOT, " %12s", format(evaluation, percent))));
    }

    private static String format(double v, boolean percent) {
        return percent ? String.format(Locale.ROOT, "%.2f%%", 100 * v) : String.format(Locale.ROOT, "%.4f", v);
    }

    private static void confusion(StringBuilder sb, String name, ClassificationMetrics m) {
        sb.append(String.format(Locale.ROOT, "%nconfusion matrix (%s)   predicted 0  predicted 1%n", name));
        sb.append(String.format(Locale.ROOT, "  actual 0 %24d %12d%n", m.trueNegatives(), m.falsePositives()));
        sb.append(String.format(Locale.ROOT, "  actual 1 %24d %12d%n", m.falseNegatives(), m.truePositives()));
    }
}
