package io.streamscore.trainer.eval.report;

import io.streamscore.trainer.eval.ClassificationMetrics;
import io.streamscore.trainer.optim.StopReason;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.LegendTitle;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Stroke;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The report's line charts (training loss, ROC) and the look every chart shares: white background, light grid, fonts
 * large enough to read when the PNG is shown at its size.
 */
final class Charts {
    // First in the class, so it runs before any AWT class below is touched.
    static {
        // The CLI may run on a machine without a display; rendering to an image needs no window system.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    static final int WIDTH = 800;
    static final int HEIGHT = 500;
    static final int ROC_WIDTH = 700;
    static final int ROC_HEIGHT = 600;

    static final Color BLUE = new Color(31, 119, 180);
    static final Color ORANGE = new Color(230, 120, 20);
    static final Color GREEN = new Color(44, 160, 44);
    static final Color GREY = new Color(120, 120, 120);
    static final Color RED = new Color(200, 40, 40);
    static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 18);
    static final Font SUBTITLE_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
    static final Font TICK_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
    static final Stroke LINE = new BasicStroke(2.0f);
    static final Stroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {6f, 4f}, 0f);

    /** A loss curve with more points than this is thinned: the PNG has fewer pixels than that anyway. */
    private static final int MAX_LINE_POINTS = 4_000;

    private Charts() {
    }

    /** Training objective per iteration, on a log scale when it falls by more than two decades. */
    static void loss(Path file, double[] history, int iterations, StopReason stop) throws IOException {
        double max = Double.NEGATIVE_INFINITY;
        double minPositive = Double.POSITIVE_INFINITY;
        for (double v : history) {
            if (Double.isFinite(v)) {
                max = Math.max(max, v);
                if (v > 0) {
                    minPositive = Math.min(minPositive, v);
                }
            }
        }
        boolean log = max > 0 && max / minPositive > 100;
        XYSeries series = new XYSeries("training objective", false, true);
        int step = Math.max(1, history.length / MAX_LINE_POINTS);
        for (int i = 0; i < history.length; i++) {
            boolean keep = i % step == 0 || i == history.length - 1;
            if (keep && Double.isFinite(history[i]) && (!log || history[i] > 0)) {
                series.add(i, history[i]);
            }
        }
        XYPlot plot = new XYPlot(new XYSeriesCollection(series), axis("iteration"),
                log ? logAxis("objective (log scale)", max / minPositive) : axis("objective"), lines(BLUE));
        ValueMarker stopMarker = new ValueMarker(iterations, RED, DASHED);
        stopMarker.setLabel("stopped: " + stop.name().toLowerCase(Locale.ROOT).replace('_', ' '));
        stopMarker.setLabelFont(SUBTITLE_FONT);
        stopMarker.setLabelPaint(RED);
        stopMarker.setLabelBackgroundColor(Color.WHITE);
        stopMarker.setLabelAnchor(RectangleAnchor.TOP_LEFT);
        stopMarker.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
        stopMarker.setLabelOffset(new RectangleInsets(8, 6, 8, 6));
        plot.addDomainMarker(stopMarker);
        ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(true);
        JFreeChart chart = chart("Training objective", plot, false);
        chart.addSubtitle(subtitle(String.format(Locale.ROOT, "%d iterations, stopped because %s (%s); final objective %.6g",
                iterations, stop.description(), stop.name(), history[history.length - 1])));
        ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
    }

    /** ROC curves for training and (when given) holdout data, AUC in the legend, and the chance diagonal. */
    static void roc(Path file, ClassificationMetrics train, ClassificationMetrics holdout) throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(rocSeries("train", train));
        if (holdout != null) {
            data.addSeries(rocSeries("holdout", holdout));
        }
        XYSeries chance = new XYSeries("chance (AUC 0.5)", false, true);
        chance.add(0, 0);
        chance.add(1, 1);
        data.addSeries(chance);
        XYLineAndShapeRenderer renderer = lines(BLUE);
        renderer.setSeriesPaint(1, holdout != null ? ORANGE : GREY);
        renderer.setSeriesPaint(data.getSeriesCount() - 1, GREY);
        renderer.setSeriesStroke(data.getSeriesCount() - 1, DASHED);
        NumberAxis x = axis("false positive rate");
        NumberAxis y = axis("true positive rate");
        x.setRange(0, 1.0);
        y.setRange(0, 1.02);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        JFreeChart chart = chart("ROC curve", plot, true);
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, ROC_WIDTH, ROC_HEIGHT);
    }

    private static XYSeries rocSeries(String name, ClassificationMetrics metrics) {
        XYSeries s = new XYSeries(name + " (AUC " + Html.metric(metrics.rocAuc()) + ")", false, true);
        double[] fpr = metrics.roc().falsePositiveRate();
        double[] tpr = metrics.roc().truePositiveRate();
        for (int i = 0; i < fpr.length; i++) {
            s.add(fpr[i], tpr[i]);
        }
        return s;
    }

    static JFreeChart chart(String title, XYPlot plot, boolean legend) {
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(215, 215, 215));
        plot.setRangeGridlinePaint(new Color(215, 215, 215));
        plot.setOutlinePaint(GREY);
        plot.setAxisOffset(new RectangleInsets(4, 4, 4, 4));
        JFreeChart chart = new JFreeChart(title, TITLE_FONT, plot, legend);
        chart.setBackgroundPaint(Color.WHITE);
        chart.setAntiAlias(true);
        chart.setTextAntiAlias(true);
        chart.setPadding(new RectangleInsets(8, 8, 8, 16));
        LegendTitle l = chart.getLegend();
        if (l != null) {
            l.setItemFont(SUBTITLE_FONT);
            l.setBackgroundPaint(Color.WHITE);
        }
        return chart;
    }

    static TextTitle subtitle(String text) {
        TextTitle t = new TextTitle(text, SUBTITLE_FONT);
        t.setPaint(new Color(60, 60, 60));
        t.setPadding(new RectangleInsets(2, 0, 6, 0));
        return t;
    }

    static NumberAxis axis(String label) {
        NumberAxis a = new NumberAxis(label);
        a.setAutoRangeIncludesZero(false);
        style(a);
        return a;
    }

    /** Ticks at whole powers of ten (fractional exponents such as 10^-0.2 read badly), at most about ten of them. */
    private static LogAxis logAxis(String label, double ratio) {
        LogAxis a = new LogAxis(label);
        a.setBase(10);
        a.setSmallestValue(1e-300);
        a.setTickUnit(new NumberTickUnit(Math.max(1, Math.ceil(Math.log10(ratio) / 10))));
        a.setMinorTickMarksVisible(true);
        style(a);
        return a;
    }

    private static void style(ValueAxis a) {
        a.setLabelFont(LABEL_FONT);
        a.setTickLabelFont(TICK_FONT);
        a.setLabelPaint(Color.BLACK);
        a.setTickLabelPaint(Color.DARK_GRAY);
    }

    static XYLineAndShapeRenderer lines(Paint first) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setAutoPopulateSeriesStroke(false);
        r.setDefaultStroke(LINE);
        r.setSeriesPaint(0, first);
        return r;
    }
}
