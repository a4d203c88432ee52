package io.streamscore.trainer.retrain;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.outcome.QualityAccumulator;
import io.streamscore.common.outcome.QualityFigures;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.eval.ClassificationMetrics;

import java.util.Locale;

/**
 * What the gate compares champion and candidate by, on the same held-out rows. Log-loss, Brier score and accuracy are
 * computed as the scorer computes a model's live quality ({@link QualityAccumulator}, docs/outcomes.md), so the
 * gate's figure for the champion is the figure its quality windows show for the same outcomes. The ROC AUC is the
 * exact one (every positive-negative pair, {@link ClassificationMetrics}), not the live windows' binned one: a
 * margin can be smaller than the binned AUC's error bound.
 */
public enum GateMetric {
    LOG_LOSS("log-loss", false),
    BRIER("brier", false),
    AUC("auc", true),
    ACCURACY("accuracy", true);

    private final String wireName;
    private final boolean higherIsBetter;

    GateMetric(String wireName, boolean higherIsBetter) {
        this.wireName = wireName;
        this.higherIsBetter = higherIsBetter;
    }

    /** The name on the command line and in decision records: log-loss, brier, auc, accuracy. */
    public String wireName() {
        return wireName;
    }

    public boolean higherIsBetter() {
        return higherIsBetter;
    }

    /** @throws IllegalArgumentException naming the metrics there are */
    public static GateMetric parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (GateMetric m : values()) {
            if (m.wireName.equals(n)) {
                return m;
            }
        }
        throw new IllegalArgumentException("'" + name + "' is not a gate metric; use log-loss, brier, auc or accuracy");
    }

    /** The metric of {@code model} on {@code rows} (raw features in the model's order; the model standardizes). */
    public double evaluate(LogisticModel model, Dataset rows) {
        if (!rows.featureNames().equals(model.featureNames())) {
            throw new IllegalArgumentException("model '" + model.modelId() + "' v" + model.version() + " takes "
                    + model.featureNames() + ", the rows hold " + rows.featureNames());
        }
        double[] p = new double[rows.rows()];
        double[] row = new double[rows.cols()];
        double[] x = rows.features();
        for (int i = 0; i < p.length; i++) {
            System.arraycopy(x, i * row.length, row, 0, row.length);
            p[i] = model.predictProbability(row);
        }
        return of(p, rows.labels(), model.threshold());
    }

    /**
     * The metric of probabilities {@code p} against 0/1 labels {@code y}; accuracy at {@code threshold}. NaN when it is
     * undefined (no rows; AUC without both classes).
     */
    public double of(double[] p, double[] y, double threshold) {
        if (this == AUC) {
            return ClassificationMetrics.of(p, y, threshold, Double.NaN).rocAuc();
        }
        QualityAccumulator sums = new QualityAccumulator();
        for (int i = 0; i < p.length; i++) {
            sums.add(p[i], p[i] >= threshold ? 1 : 0, (int) y[i], threshold);
        }
        if (sums.count() == 0) {
            return Double.NaN;
        }
        QualityFigures f = sums.figures();
        return switch (this) {
            case LOG_LOSS -> f.logLoss();
            case BRIER -> f.brierScore();
            case ACCURACY -> f.accuracy();
            default -> throw new IllegalStateException(name());
        };
    }

    /**
     * How much worse {@code candidate} is than {@code champion}: positive when worse, negative when better, whatever the
     * metric's direction.
     */
    public double worseBy(double candidate, double champion) {
        return higherIsBetter ? champion - candidate : candidate - champion;
    }

    @Override
    public String toString() {
        return wireName;
    }
}
