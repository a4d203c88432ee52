package io.streamscore.trainer.eval.report;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.Standardization;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.eval.ClassificationMetrics;
import io.streamscore.trainer.optim.LogisticRegressionTrainer;
import io.streamscore.trainer.optim.ProgressListener;
import io.streamscore.trainer.optim.TrainingOptions;
import io.streamscore.trainer.optim.TrainingResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingReportTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-05-01T12:00:00Z"), ZoneOffset.UTC);
    /** Names that break a page unless escaped. */
    private static final List<String> NAMES = List.of("size <cm>", "weight & height", "noise \"x\"");

    @TempDir
    Path dir;

    @Test
    void shouldWriteChartsAndPageForTwoFeatures() throws IOException {
        Dataset train = clusters(2, 400, 2.5, 1);
        Dataset holdout = clusters(2, 200, 2.5, 2);
        TrainingResult result = train(train, holdout, TrainingOptions.defaults().withIterations(200));

        Path index = TrainingReport.write(dir, result, train, holdout);

        assertEquals(dir.resolve("index.html"), index);
        assertPng(dir.resolve("loss.png"), 800, 500);
        assertPng(dir.resolve("roc.png"), 700, 600);
        assertEquals(4, result.snapshots().size());
        assertPng(dir.resolve("boundary.png"), 1200, 900);
        assertFalse(Files.exists(dir.resolve("sigmoid.png")));

        String html = Files.readString(index, StandardCharsets.UTF_8);
        assertTrue(html.contains("size &lt;cm&gt;"), "escaped feature name");
        assertTrue(html.contains("weight &amp; height"), "escaped feature name");
        assertFalse(html.contains("size <cm>"), "raw feature name must not reach the page");
        assertTrue(html.contains("<code>m</code>"), "model id");
        for (ClassificationMetrics m : List.of(result.trainMetrics(), result.holdoutMetrics())) {
            assertTrue(html.contains(">" + String.format(Locale.ROOT, "%.6g", m.logLoss()) + "<"), "log-loss on the page");
            for (double v : new double[] {m.accuracy(), m.precision(), m.recall(), m.f1(), m.rocAuc()}) {
                assertTrue(html.contains(">" + String.format(Locale.ROOT, "%.4f", v) + "<"), "metric " + v + " on the page");
            }
            assertTrue(html.contains(">" + m.truePositives() + "<br>"), "confusion counts on the page");
            assertTrue(html.contains(">" + m.falsePositives() + "<br>"), "confusion counts on the page");
        }
        assertTrue(html.contains("<code>0.5</code>"), "the learning rate from the training parameters");
        assertTrue(html.contains(result.stopReason().description()));
        for (String image : List.of("loss.png", "roc.png", "boundary.png")) {
            assertTrue(html.contains("src=\"" + image + "\""), image + " linked");
        }
        assertFalse(html.contains("http://") || html.contains("https://"), "no external resources");
    }

    @Test
    void shouldSkipTheBoundaryForThreeFeaturesAndSayWhy() throws IOException {
        Dataset train = clusters(3, 300, 2.5, 3);
        TrainingResult result = train(train, null, TrainingOptions.defaults().withIterations(200));

        Path index = TrainingReport.write(dir, result, train, null);

        assertPng(dir.resolve("loss.png"), 800, 500);
        assertPng(dir.resolve("roc.png"), 700, 600);
        assertFalse(Files.exists(dir.resolve("boundary.png")));
        assertFalse(Files.exists(dir.resolve("sigmoid.png")));
        String html = Files.readString(index, StandardCharsets.UTF_8);
        assertTrue(html.contains("The model has 3 features"), "the page says why there is no boundary chart");
        assertTrue(html.contains("noise &quot;x&quot;"));
        assertFalse(html.contains("<th>holdout</th>"), "no holdout column without holdout data");
    }

    @Test
    void shouldDrawTheSigmoidForOneFeature() throws IOException {
        Dataset train = clusters(1, 300, 2.5, 4);
        TrainingResult result = train(train, null, TrainingOptions.defaults().withIterations(200));

        TrainingReport.write(dir, result, train, null);

        assertPng(dir.resolve("sigmoid.png"), 1200, 900);
        assertFalse(Files.exists(dir.resolve("boundary.png")));
    }

    @Test
    void shouldCreateTheDirectoryAndRemoveAStaleBoundaryChart() throws IOException {
        Path nested = dir.resolve("reports/run-1");
        Dataset two = clusters(2, 200, 2.5, 5);
        TrainingReport.write(nested, train(two, null, TrainingOptions.defaults().withIterations(50)), two, null);
        assertTrue(Files.exists(nested.resolve("boundary.png")));

        Dataset three = clusters(3, 200, 2.5, 6);
        TrainingReport.write(nested, train(three, null, TrainingOptions.defaults().withIterations(50)), three, null);

        assertFalse(Files.exists(nested.resolve("boundary.png")), "a boundary of another model must not linger");
    }

    @Test
    void shouldShowWarningsProminentlyAndEscaped() throws IOException {
        // Far-apart clusters are separable: the trainer warns that the weights have no finite optimum.
        Dataset train = clusters(2, 200, 12, 7);
        TrainingResult result = train(train, null, TrainingOptions.defaults().withIterations(300).withStandardize(true));
        assertTrue(result.separable(), "test data should be separable");

        String html = Files.readString(TrainingReport.write(dir, result, train, null), StandardCharsets.UTF_8);

        assertTrue(html.contains("<div class=\"warnings\">"));
        for (String w : result.warnings()) {
            assertTrue(html.contains(Html.escape(w)), "warning on the page: " + w);
        }
        assertTrue(html.contains("<th>mean</th><th>std</th>"), "standardized weights show mean and std");
        assertPng(dir.resolve("boundary.png"), 1200, 900);
    }

    @Test
    void boundaryLineShouldLieWhereTheModelGivesTheThreshold() {
        LogisticModel model = new LogisticModel("m", 1, List.of("a", "b"), new double[] {1.5, -0.7}, 0.3,
                new Standardization(new double[] {10, -4}, new double[] {2, 0.5}), 0.3, null);
        double target = Math.log(0.3 / 0.7);
        double[] box = {0, -10, 20, 2};

        double[] segment = BoundaryCharts.LinearForm.of(model).segmentInBox(box, target);

        assertNotNull(segment);
        for (int i = 0; i < 4; i += 2) {
            assertEquals(0.3, model.predictProbability(new double[] {segment[i], segment[i + 1]}), 1e-9);
            assertTrue(segment[i] >= box[0] && segment[i] <= box[2] && segment[i + 1] >= box[1]
                    && segment[i + 1] <= box[3], "endpoint inside the box");
        }
        // Every corner of the shaded polygon is predicted positive (up to the two points on the line).
        double[] polygon = BoundaryCharts.LinearForm.of(model).clipBox(box, target);
        for (int i = 0; i < polygon.length; i += 2) {
            assertTrue(model.predictProbability(new double[] {polygon[i], polygon[i + 1]}) >= 0.3 - 1e-9);
        }
        assertNull(BoundaryCharts.LinearForm.of(model).segmentInBox(new double[] {100, 100, 101, 101}, target),
                "a box the line misses has no segment");
    }

    @Test
    void plotSampleShouldBeDeterministicSortedAndBounded() {
        int[] a = PlotSample.indices(100_000, 5_000);
        int[] b = PlotSample.indices(100_000, 5_000);

        assertArrayEquals(a, b);
        assertEquals(5_000, a.length);
        for (int i = 1; i < a.length; i++) {
            assertTrue(a[i] > a[i - 1], "ascending, no repeats");
        }
        assertEquals(10, PlotSample.indices(10, 5_000).length);
    }

    private static TrainingResult train(Dataset train, Dataset holdout, TrainingOptions options) {
        return new LogisticRegressionTrainer(options.withThreads(1), CLOCK, ProgressListener.NONE).train(train, holdout, "m");
    }

    /** Two Gaussian clusters, label 0 around the origin and label 1 around (distance, distance, ...), unit spread. */
    private static Dataset clusters(int features, int rows, double distance, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] x = new double[rows * features];
        double[] y = new double[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = i % 2;
            for (int j = 0; j < features; j++) {
                x[i * features + j] = y[i] * distance + gaussian(random);
            }
        }
        List<String> names = new ArrayList<>(NAMES.subList(0, features));
        return new Dataset(names, x, y, "generated");
    }

    private static double gaussian(SplittableRandom random) {
        // Box–Muller; 1 − u keeps the log argument in (0, 1].
        return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
    }

    private static void assertPng(Path file, int width, int height) throws IOException {
        assertTrue(Files.exists(file), file + " written");
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, file + " is a readable image");
        assertEquals(width, image.getWidth(), file + " width");
        assertEquals(height, image.getHeight(), file + " height");
    }
}
