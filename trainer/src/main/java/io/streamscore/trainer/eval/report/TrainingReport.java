package io.streamscore.trainer.eval.report;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.Standardization;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.eval.ClassificationMetrics;
import io.streamscore.trainer.optim.TrainingResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;
import java.util.function.ToDoubleFunction;

import static io.streamscore.trainer.eval.report.Html.coefficient;
import static io.streamscore.trainer.eval.report.Html.escape;

/**
 * A training run as a person reads it: one self-contained HTML page (inline CSS, relative image links, nothing fetched)
 * with the model, its parameters, warnings, metrics, confusion matrices and weights, next to PNG charts of the loss, the
 * ROC curves and, for one or two features, the decision boundary as training went on.
 */
public final class TrainingReport {
    private static final Logger LOG = LoggerFactory.getLogger(TrainingReport.class);

    static final String INDEX = "index.html";
    static final String LOSS = "loss.png";
    static final String ROC = "roc.png";
    static final String BOUNDARY = "boundary.png";
    static final String SIGMOID = "sigmoid.png";

    private static final String CSS = """
            body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 1240px;
                   padding: 0 1em; color: #222; line-height: 1.45; }
            h1 { font-size: 1.6em; margin-bottom: .2em; }
            h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ddd; padding-bottom: .2em; }
            code { background: #f3f3f3; padding: 0 .25em; border-radius: 3px; }
            .sub { color: #666; margin-top: 0; }
            .warnings { background: #fff4e5; border: 2px solid #e08a00; border-radius: 6px; padding: .6em 1.2em; }
            .warnings h2 { color: #9a5b00; border: none; margin-top: .3em; }
            .problem { background: #fde8e8; border: 3px solid #c62828; border-radius: 6px; padding: .6em 1.2em;
                       color: #8e0000; font-weight: 600; }
            .ok { color: #2a7a2a; }
            table { border-collapse: collapse; margin: .5em 0 1em; }
            th, td { border: 1px solid #ccc; padding: .3em .8em; text-align: left; }
            th { background: #f5f5f5; }
            td.num { text-align: right; font-variant-numeric: tabular-nums; font-family: ui-monospace, monospace; }
            .confusion { display: flex; gap: 3em; flex-wrap: wrap; }
            .confusion td.hit { background: #e6f4e6; }
            .confusion td.miss { background: #fbe9e9; }
            .confusion small { color: #666; }
            img { max-width: 100%; border: 1px solid #e3e3e3; margin: .5em 0; }
            .note { color: #555; font-style: italic; }
            """;

    private TrainingReport() {
    }

    /**
     * Writes the report into {@code dir} (created if missing; files of an earlier report there are replaced).
     *
     * @param result  what training produced
     * @param train   the data the model was fitted on, for the boundary chart's points
     * @param holdout the evaluation data, or null when there was none
     * @return the page, {@code dir/index.html}
     */
    public static Path write(Path dir, TrainingResult result, Dataset train, Dataset holdout) throws IOException {
        Files.createDirectories(dir);
        LogisticModel model = result.model();
        Charts.loss(dir.resolve(LOSS), result.objectiveHistory(), result.iterations(), result.stopReason());
        Charts.roc(dir.resolve(ROC), result.trainMetrics(), result.holdoutMetrics());

        // A stale chart from an earlier report in the same directory would contradict this one.
        Files.deleteIfExists(dir.resolve(BOUNDARY));
        Files.deleteIfExists(dir.resolve(SIGMOID));
        String separationChart = null;
        String separationNote;
        if (result.snapshots().isEmpty()) {
            separationNote = model.featureCount() > 2
                    ? "The model has " + model.featureCount() + " features; a decision boundary is drawn only for one or"
                    + " two features."
                    : "No training snapshots were recorded, so no decision-boundary chart was drawn.";
        } else if (model.featureCount() == 2) {
            BoundaryCharts.twoFeatures(dir.resolve(BOUNDARY), result.snapshots(), train);
            separationChart = BOUNDARY;
            separationNote = "Training points and the line where p = " + Html.plain(model.threshold())
                    + " (the model's threshold) at " + result.snapshots().size()
                    + " points of training; the shaded side is predicted 1.";
        } else if (model.featureCount() == 1) {
            BoundaryCharts.oneFeature(dir.resolve(SIGMOID), result.snapshots(), train);
            separationChart = SIGMOID;
            separationNote = "Training points at their label (jittered) against the fitted sigmoid at "
                    + result.snapshots().size() + " points of training; the dashed lines mark p = "
                    + Html.plain(model.threshold()) + " and where the curve crosses it.";
        } else {
            separationNote = "A decision boundary is drawn only for one or two features.";
        }

        Path index = dir.resolve(INDEX);
        Files.writeString(index, page(result, train, holdout, separationChart, separationNote), StandardCharsets.UTF_8);
        LOG.info("Wrote the training report for model '{}' to {}", model.modelId(), index);
        return index;
    }

    private static String page(TrainingResult result, Dataset train, Dataset holdout, String separationChart,
                               String separationNote) {
        LogisticModel model = result.model();
        StringBuilder h = new StringBuilder(16_384);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>Training report: ").append(escape(model.modelId())).append("</title>\n")
                .append("<style>\n").append(CSS).append("</style>\n</head>\n<body>\n");
        h.append("<h1>Training report: <code>").append(escape(model.modelId())).append("</code></h1>\n");
        h.append("<p class=\"sub\">version ").append(model.version());
        if (model.metadata().trainedAt() != null) {
            h.append(", trained at ").append(escape(model.metadata().trainedAt().toString()));
        }
        h.append("</p>\n");

        String problem = result.problem();
        if (problem != null) {
            // The one line the trainer ends with: at the top, above everything a reader might trust.
            h.append("<p class=\"problem\" id=\"problem\">&#10060; ").append(escape(problem)).append("</p>\n");
        }
        warnings(h, result.warnings());
        run(h, result, train, holdout);
        parameters(h, model);
        metrics(h, result.trainMetrics(), result.holdoutMetrics());
        confusion(h, result.trainMetrics(), result.holdoutMetrics());
        weights(h, model);

        h.append("<h2>Training objective</h2>\n");
        image(h, LOSS, "training objective against iteration");
        h.append("<h2>ROC curve</h2>\n");
        image(h, ROC, "ROC curves with AUC");
        h.append("<h2>Decision boundary</h2>\n<p class=\"note\">").append(escape(separationNote)).append("</p>\n");
        if (separationChart != null) {
            image(h, separationChart, "decision boundary during training");
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void warnings(StringBuilder h, List<String> warnings) {
        if (warnings.isEmpty()) {
            h.append("<p class=\"ok\">No warnings.</p>\n");
            return;
        }
        h.append("<div class=\"warnings\">\n<h2>&#9888; ").append(warnings.size())
                .append(warnings.size() == 1 ? " warning" : " warnings").append("</h2>\n<ul>\n");
        for (String w : warnings) {
            h.append("<li>").append(escape(w)).append("</li>\n");
        }
        h.append("</ul>\n</div>\n");
    }

    private static void run(StringBuilder h, TrainingResult result, Dataset train, Dataset holdout) {
        LogisticModel model = result.model();
        h.append("<h2>Run</h2>\n<table>\n");
        row(h, "features", String.join(", ", model.featureNames().stream().map(Html::escape).toList()));
        row(h, "feature schema", "<code>" + escape(model.featureSchema()) + "</code> (what positional events name in"
                + " <code>featureSchema</code>)");
        row(h, "training data", escape(train.source()) + ": " + train.rows() + " rows, " + train.positives()
                + " labelled 1");
        if (holdout != null) {
            row(h, "holdout data", escape(holdout.source()) + ": " + holdout.rows() + " rows, " + holdout.positives()
                    + " labelled 1");
        } else {
            row(h, "holdout data", "none");
        }
        row(h, "iterations", Integer.toString(result.iterations()));
        row(h, "stopped because", escape(result.stopReason().description()) + " (<code>"
                + escape(result.stopReason().name()) + "</code>)");
        row(h, "final objective", coefficient(result.finalObjective()));
        row(h, "final gradient norm", coefficient(result.gradientNorm()) + " (largest |∂f/∂θ<sub>j</sub>|)");
        row(h, "linearly separable", result.separable() ? "yes: the weights have no finite optimum" : "no");
        h.append("</table>\n");
    }

    private static void parameters(StringBuilder h, LogisticModel model) {
        h.append("<h2>Parameters</h2>\n<table>\n");
        for (Map.Entry<String, String> e : model.metadata().trainingParameters().entrySet()) {
            row(h, escape(e.getKey()), "<code>" + escape(e.getValue()) + "</code>");
        }
        row(h, "threshold", "<code>" + Html.plain(model.threshold()) + "</code>");
        h.append("</table>\n");
    }

    private static void metrics(StringBuilder h, ClassificationMetrics train, ClassificationMetrics holdout) {
        h.append("<h2>Metrics</h2>\n<table>\n<tr><th>metric</th><th>train</th>");
        if (holdout != null) {
            h.append("<th>holdout</th>");
        }
        h.append("</tr>\n");
        // Six significant digits: a loss near zero (separable data) would read 0.0000 at four decimals.
        metricRow(h, "log-loss", ClassificationMetrics::logLoss, Html::coefficient, train, holdout);
        metricRow(h, "accuracy", ClassificationMetrics::accuracy, Html::metric, train, holdout);
        metricRow(h, "precision", ClassificationMetrics::precision, Html::metric, train, holdout);
        metricRow(h, "recall", ClassificationMetrics::recall, Html::metric, train, holdout);
        metricRow(h, "F1", ClassificationMetrics::f1, Html::metric, train, holdout);
        metricRow(h, "ROC AUC", ClassificationMetrics::rocAuc, Html::metric, train, holdout);
        h.append("</table>\n");
    }

    private static void metricRow(StringBuilder h, String name, ToDoubleFunction<ClassificationMetrics> f,
                                  DoubleFunction<String> format, ClassificationMetrics train,
                                  ClassificationMetrics holdout) {
        h.append("<tr><th>").append(name).append("</th><td class=\"num\">").append(format.apply(f.applyAsDouble(train)))
                .append("</td>");
        if (holdout != null) {
            h.append("<td class=\"num\">").append(format.apply(f.applyAsDouble(holdout))).append("</td>");
        }
        h.append("</tr>\n");
    }

    private static void confusion(StringBuilder h, ClassificationMetrics train, ClassificationMetrics holdout) {
        h.append("<h2>Confusion matrices</h2>\n<div class=\"confusion\">\n");
        confusionTable(h, "train", train);
        if (holdout != null) {
            confusionTable(h, "holdout", holdout);
        }
        h.append("</div>\n");
    }

    private static void confusionTable(StringBuilder h, String name, ClassificationMetrics m) {
        h.append("<table>\n<caption>").append(name).append(" (").append(m.rows()).append(" rows)</caption>\n")
                .append("<tr><th></th><th>predicted 0</th><th>predicted 1</th></tr>\n")
                .append("<tr><th>actual 0</th>")
                .append(cell("hit", m.trueNegatives(), "true negatives"))
                .append(cell("miss", m.falsePositives(), "false positives")).append("</tr>\n")
                .append("<tr><th>actual 1</th>")
                .append(cell("miss", m.falseNegatives(), "false negatives"))
                .append(cell("hit", m.truePositives(), "true positives")).append("</tr>\n")
                .append("</table>\n");
    }

    private static String cell(String kind, long count, String what) {
        return "<td class=\"num " + kind + "\">" + count + "<br><small>" + what + "</small></td>";
    }

    private static void weights(StringBuilder h, LogisticModel model) {
        Standardization st = model.standardization();
        h.append("<h2>Weights</h2>\n");
        h.append(st == null ? "<p class=\"note\">On raw features.</p>\n"
                : "<p class=\"note\">On standardized features: each feature enters as (x &minus; mean) / std.</p>\n");
        h.append("<table>\n<tr><th>feature</th><th>weight</th>");
        if (st != null) {
            h.append("<th>mean</th><th>std</th>");
        }
        h.append("</tr>\n<tr><th><em>(intercept)</em></th><td class=\"num\">").append(coefficient(model.intercept()))
                .append("</td>");
        if (st != null) {
            h.append("<td></td><td></td>");
        }
        h.append("</tr>\n");
        double[] w = model.weights();
        double[] mean = st == null ? null : st.mean();
        double[] std = st == null ? null : st.std();
        for (int i = 0; i < w.length; i++) {
            h.append("<tr><th><code>").append(escape(model.featureNames().get(i))).append("</code></th><td class=\"num\">")
                    .append(coefficient(w[i])).append("</td>");
            if (st != null) {
                h.append("<td class=\"num\">").append(coefficient(mean[i])).append("</td><td class=\"num\">")
                        .append(coefficient(std[i])).append("</td>");
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n");
    }

    private static void row(StringBuilder h, String key, String valueHtml) {
        h.append("<tr><th>").append(key).append("</th><td>").append(valueHtml).append("</td></tr>\n");
    }

    private static void image(StringBuilder h, String file, String alt) {
        h.append("<p><img src=\"").append(file).append("\" alt=\"").append(alt).append("\"></p>\n");
    }
}
