package io.streamscore.trainer.eval.report;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.Standardization;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.optim.TrainingResult.Snapshot;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYPolygonAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.DatasetRenderingOrder;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.Layer;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * How the model separated the data as training went on, one panel per snapshot in a two-column grid: for two features
 * the training points and the line where p equals the model's threshold (the predicted-positive side shaded); for one
 * feature the points at y = 0 and 1 against the fitted sigmoid.
 */
final class BoundaryCharts {
    static final int PANEL_WIDTH = 600;
    static final int PANEL_HEIGHT = 450;

    private static final Color NEGATIVE = Charts.BLUE;
    private static final Color POSITIVE = Charts.ORANGE;
    private static final Color POSITIVE_REGION = new Color(230, 120, 20, 28);
    private static final Color BOUNDARY = new Color(20, 20, 20);
    private static final Shape CIRCLE = new Ellipse2D.Double(-3, -3, 6, 6);
    private static final Shape TRIANGLE = triangle(4);
    private static final int CURVE_POINTS = 300;

    private BoundaryCharts() {
    }

    /** The grid image's size for {@code panels} panels. */
    static int width(int panels) {
        return PANEL_WIDTH * Math.min(2, panels);
    }

    static int height(int panels) {
        return PANEL_HEIGHT * ((panels + 1) / 2);
    }

    /** Two features: points and the p = threshold line at each snapshot. */
    static void twoFeatures(Path file, List<Snapshot> snapshots, Dataset train) throws IOException {
        int[] rows = PlotSample.indices(train.rows(), PlotSample.MAX_POINTS);
        double[] xRange = range(train, 0, rows);
        double[] yRange = range(train, 1, rows);
        String sampleNote = sampleNote(rows.length, train.rows());
        List<JFreeChart> panels = new ArrayList<>();
        for (Snapshot s : snapshots) {
            XYSeriesCollection points = points(train, rows, 0, row -> train.value(row, 1));
            XYLineAndShapeRenderer pointRenderer = pointRenderer();
            XYPlot plot = new XYPlot(points, fixedAxis(train.featureNames().get(0), xRange),
                    fixedAxis(train.featureNames().get(1), yRange), pointRenderer);

            LinearForm f = LinearForm.of(s.model());
            double target = logit(s.model().threshold());
            double[] box = {xRange[0], yRange[0], xRange[1], yRange[1]};
            double[] positiveSide = f.clipBox(box, target);
            if (positiveSide.length >= 6) {
                pointRenderer.addAnnotation(new XYPolygonAnnotation(positiveSide, null, null, POSITIVE_REGION),
                        Layer.BACKGROUND);
            }
            double[] segment = f.segmentInBox(box, target);
            String note = sampleNote;
            if (segment != null) {
                XYSeries line = new XYSeries(boundaryLabel(s.model()), false, true);
                line.add(segment[0], segment[1]);
                line.add(segment[2], segment[3]);
                plot.setDataset(1, new XYSeriesCollection(line));
                XYLineAndShapeRenderer lineRenderer = Charts.lines(BOUNDARY);
                plot.setRenderer(1, lineRenderer);
            } else {
                note = join(note, positiveSide.length >= 6 ? "the boundary lies outside the plotted range: all predicted 1"
                        : "the boundary lies outside the plotted range: all predicted 0");
            }
            // Points first, the boundary line on top of them.
            plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);
            panels.add(panel(s, plot, note));
        }
        writeGrid(file, panels);
    }

    /** One feature: points at their label against the sigmoid p(x), the threshold and where p crosses it. */
    static void oneFeature(Path file, List<Snapshot> snapshots, Dataset train) throws IOException {
        int[] rows = PlotSample.indices(train.rows(), PlotSample.MAX_POINTS);
        double[] xRange = range(train, 0, rows);
        String sampleNote = sampleNote(rows.length, train.rows());
        List<JFreeChart> panels = new ArrayList<>();
        for (Snapshot s : snapshots) {
            XYSeriesCollection points = points(train, rows, 0, row -> train.label(row) + PlotSample.jitter(row, 0.04));
            XYPlot plot = new XYPlot(points, fixedAxis(train.featureNames().get(0), xRange),
                    fixedAxis("label (jittered) / P(y = 1)", new double[] {-0.1, 1.1}), pointRenderer());

            XYSeries curve = new XYSeries("P(y = 1 | x)", false, true);
            double[] x = new double[1];
            for (int i = 0; i < CURVE_POINTS; i++) {
                x[0] = xRange[0] + (xRange[1] - xRange[0]) * i / (CURVE_POINTS - 1);
                curve.add(x[0], s.model().predictProbability(x));
            }
            plot.setDataset(1, new XYSeriesCollection(curve));
            plot.setRenderer(1, Charts.lines(BOUNDARY));
            plot.setDatasetRenderingOrder(DatasetRenderingOrder.FORWARD);

            double threshold = s.model().threshold();
            ValueMarker level = new ValueMarker(threshold, Charts.GREY, Charts.DASHED);
            plot.addRangeMarker(level);
            LinearForm f = LinearForm.of(s.model());
            String note = sampleNote;
            if (f.b[0] != 0) {
                double crossing = (logit(threshold) - f.a) / f.b[0];
                if (crossing >= xRange[0] && crossing <= xRange[1]) {
                    plot.addDomainMarker(new ValueMarker(crossing, Charts.RED, Charts.DASHED));
                    note = join(note, String.format(Locale.ROOT, "p = %s at %s = %.4g", Html.plain(threshold),
                            train.featureNames().get(0), crossing));
                } else {
                    note = join(note, "p = " + Html.plain(threshold) + " lies outside the plotted range");
                }
            }
            panels.add(panel(s, plot, note));
        }
        writeGrid(file, panels);
    }

    private static JFreeChart panel(Snapshot s, XYPlot plot, String note) {
        JFreeChart chart = Charts.chart(String.format(Locale.ROOT, "iteration %d, loss %.4g", s.iteration(),
                s.objective()), plot, true);
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        if (!note.isEmpty()) {
            chart.addSubtitle(Charts.subtitle(note));
        }
        return chart;
    }

    private static void writeGrid(Path file, List<JFreeChart> panels) throws IOException {
        BufferedImage grid = new BufferedImage(width(panels.size()), height(panels.size()), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = grid.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, grid.getWidth(), grid.getHeight());
            for (int i = 0; i < panels.size(); i++) {
                BufferedImage panel = panels.get(i).createBufferedImage(PANEL_WIDTH, PANEL_HEIGHT);
                g.drawImage(panel, (i % 2) * PANEL_WIDTH, (i / 2) * PANEL_HEIGHT, null);
            }
        } finally {
            g.dispose();
        }
        ImageIO.write(grid, "png", file.toFile());
    }

    private interface RowValue {
        double at(int row);
    }

    private static XYSeriesCollection points(Dataset data, int[] rows, int xCol, RowValue y) {
        XYSeries negatives = new XYSeries("label 0", false, true);
        XYSeries positives = new XYSeries("label 1", false, true);
        for (int row : rows) {
            double yValue = y.at(row);
            (data.label(row) == 1.0 ? positives : negatives).add(data.value(row, xCol), yValue);
        }
        XYSeriesCollection c = new XYSeriesCollection();
        c.addSeries(negatives);
        c.addSeries(positives);
        return c;
    }

    private static XYLineAndShapeRenderer pointRenderer() {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(false, true);
        r.setSeriesPaint(0, NEGATIVE);
        r.setSeriesShape(0, CIRCLE);
        r.setSeriesPaint(1, POSITIVE);
        r.setSeriesShape(1, TRIANGLE);
        return r;
    }

    /** The sampled rows' min and max of one column, padded by 5% so no point sits on the frame. */
    private static double[] range(Dataset data, int col, int[] rows) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int row : rows) {
            double v = data.value(row, col);
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double pad = hi > lo ? 0.05 * (hi - lo) : Math.max(1.0, Math.abs(lo) * 0.05);
        return new double[] {lo - pad, hi + pad};
    }

    private static NumberAxis fixedAxis(String label, double[] range) {
        NumberAxis a = Charts.axis(label);
        a.setRange(range[0], range[1]);
        return a;
    }

    private static String boundaryLabel(LogisticModel model) {
        return "boundary p = " + Html.plain(model.threshold());
    }

    private static String sampleNote(int shown, int total) {
        return shown < total ? String.format(Locale.ROOT, "%,d of %,d points shown (fixed random sample)", shown, total)
                : "";
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : a + "; " + b;
    }

    private static double logit(double p) {
        return Math.log(p / (1 - p));
    }

    private static Shape triangle(double r) {
        Path2D.Double t = new Path2D.Double();
        t.moveTo(0, -r);
        t.lineTo(r, r * 0.8);
        t.lineTo(-r, r * 0.8);
        t.closePath();
        return t;
    }

    /**
     * The model's logit as a function of raw features, z = a + Σ b[i]·x[i], folding the standardization in:
     * b[i] = w[i] / std[i] and a = intercept − Σ w[i]·mean[i] / std[i].
     */
    record LinearForm(double a, double[] b) {
        static LinearForm of(LogisticModel model) {
            double[] w = model.weights();
            double a = model.intercept();
            Standardization st = model.standardization();
            if (st != null) {
                double[] mean = st.mean();
                double[] std = st.std();
                for (int i = 0; i < w.length; i++) {
                    w[i] /= std[i];
                    a -= w[i] * mean[i];
                }
            }
            return new LinearForm(a, w);
        }

        double at(double x, double y) {
            return a + b[0] * x + b[1] * y;
        }

        /**
         * The part of the box {xMin, yMin, xMax, yMax} where z ≥ target, as a polygon {x0, y0, x1, y1, ...}
         * (Sutherland–Hodgman against one half-plane); empty when no part of the box is on that side.
         */
        double[] clipBox(double[] box, double target) {
            List<double[]> inside = new ArrayList<>();
            cut(box, target, inside, new ArrayList<>());
            return flatten(inside);
        }

        /** Where z = target crosses the box's edges, as {x0, y0, x1, y1}; null when the line misses the box. */
        double[] segmentInBox(double[] box, double target) {
            List<double[]> crossings = new ArrayList<>();
            cut(box, target, new ArrayList<>(), crossings);
            return crossings.size() == 2 ? flatten(crossings) : null;
        }

        /** Walks the box's edges, collecting the vertices on the z ≥ target side and where an edge crosses z = target. */
        private void cut(double[] box, double target, List<double[]> inside, List<double[]> crossings) {
            double[][] corners = {{box[0], box[1]}, {box[2], box[1]}, {box[2], box[3]}, {box[0], box[3]}};
            for (int i = 0; i < 4; i++) {
                double[] p = corners[i];
                double[] q = corners[(i + 1) % 4];
                double zp = at(p[0], p[1]) - target;
                double zq = at(q[0], q[1]) - target;
                if (zp >= 0) {
                    inside.add(p);
                }
                if ((zp >= 0) != (zq >= 0)) {
                    double t = zp / (zp - zq);
                    double[] c = {p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])};
                    inside.add(c);
                    crossings.add(c);
                }
            }
        }

        private static double[] flatten(List<double[]> points) {
            double[] flat = new double[points.size() * 2];
            for (int i = 0; i < points.size(); i++) {
                flat[2 * i] = points.get(i)[0];
                flat[2 * i + 1] = points.get(i)[1];
            }
            return flat;
        }
    }
}
