package io.streamscore.bench;

import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The latency bench's figures: peak throughput per variant, and per latency run the stages, the timeline, a chart. */
final class LatencyReport {
    private static final Color[] STAGE_COLORS = {new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x2CA02C),
            new Color(0xD62728), new Color(0x9467BD)};

    /** One peak-throughput run: a variant from start until {@code n} outputs were consumed. */
    record Peak(String variant, String guarantee, long commitIntervalMs, long n, double seconds, double recordsPerSecond,
                double streamCpuMicrosPerRecord, double benchCpuMicrosPerRecord, double brokerCpuMicrosPerRecord,
                String load) {
        String oneLine() {
            return String.format(Locale.ROOT, "peak     %-40s %-6s commit %5s ms  %,9.0f records/s (%,d in %.1f s); "
                            + "µs CPU/record: stream thread %.2f, bench JVM %.2f, broker %.2f; load %s", variant,
                    shortGuarantee(guarantee), commitIntervalMs < 0 ? "dflt" : String.valueOf(commitIntervalMs),
                    recordsPerSecond, n, seconds, streamCpuMicrosPerRecord, benchCpuMicrosPerRecord,
                    brokerCpuMicrosPerRecord, load);
        }
    }

    /** Percentiles of one stage, µs. */
    record Percentiles(String stage, int samples, long p50, long p99, long p999, long max) {
        static Percentiles of(String stage, long[] sorted) {
            return new Percentiles(stage, sorted.length, percentile(sorted, 0.50), percentile(sorted, 0.99),
                    percentile(sorted, 0.999), sorted.length == 0 ? -1 : sorted[sorted.length - 1]);
        }
    }

    /** One second of a latency run: the latency figures of the inputs sent in it and what the machine did. */
    record Second(int second, int outputs, long e2eP99, long[] stageP99, MachineTimeline.Second machine) {
    }

    /** One latency run. */
    record Run(int round, String variant, String guarantee, long commitIntervalMs, long targetRate, double achievedRate,
               long sent, long sendErrors, Percentiles endToEnd, List<Percentiles> stages, Percentiles tracedEndToEnd,
               double[] aboveP99MeanMicros, int aboveP99Count, List<Second> seconds, String loadStart, String loadEnd,
               long tracedWithoutStamps, Path chart) {

        double mean(ToDoubleFunction<MachineTimeline.Second> f) {
            return seconds.stream().mapToDouble(s -> f.applyAsDouble(s.machine())).filter(d -> !Double.isNaN(d))
                    .average().orElse(Double.NaN);
        }

        double max(ToDoubleFunction<MachineTimeline.Second> f) {
            return seconds.stream().mapToDouble(s -> f.applyAsDouble(s.machine())).filter(d -> !Double.isNaN(d))
                    .max().orElse(Double.NaN);
        }

        String oneLine() {
            return String.format(Locale.ROOT, "latency  round %d %-40s %-6s commit %5s ms at %,d/s (achieved %,.0f/s, "
                            + "%,d samples): p50 %s, p99 %s, p99.9 %s, max %s ms; above-p99 mostly in '%s'; other "
                            + "tenants %.2f cores (max %.2f), hiccup max %.0f ms, GC max bench %.0f / broker %.0f ms; load %s → %s",
                    round, variant, shortGuarantee(guarantee), commitIntervalMs < 0 ? "dflt" : String.valueOf(commitIntervalMs),
                    targetRate, achievedRate, endToEnd.samples(), ms(endToEnd.p50()), ms(endToEnd.p99()),
                    ms(endToEnd.p999()), ms(endToEnd.max()), dominantAboveP99(), mean(MachineTimeline.Second::otherCores),
                    max(MachineTimeline.Second::otherCores), max(MachineTimeline.Second::hiccupMaxMs),
                    max(MachineTimeline.Second::benchGcMaxMs), max(MachineTimeline.Second::brokerGcMaxMs), loadStart, loadEnd);
        }

        String dominantAboveP99() {
            int best = 0;
            for (int s = 1; s < aboveP99MeanMicros.length; s++) {
                if (aboveP99MeanMicros[s] > aboveP99MeanMicros[best]) {
                    best = s;
                }
            }
            return aboveP99Count == 0 ? "n/a" : StageRecorder.STAGES[best];
        }
    }

    /** The figures of one run from what the recorder and the timeline collected. */
    static Run run(int round, String variant, String guarantee, long commitIntervalMs, long targetRate,
                   double achievedRate, long sent, long sendErrors, StageRecorder recorder,
                   List<MachineTimeline.Second> machine, String loadStart, String loadEnd) {
        long[] e2e = recorder.sortedEndToEnd();
        long[][] rows = recorder.tracedRows();
        List<Percentiles> stages = new ArrayList<>();
        for (int s = 0; s < StageRecorder.E2E; s++) {
            stages.add(Percentiles.of(StageRecorder.STAGES[s], column(rows, s + 1, -1)));
        }
        long[] tracedE2e = column(rows, StageRecorder.E2E + 1, -1);
        Percentiles traced = Percentiles.of("send → consumed (traced sample)", tracedE2e);
        long threshold = traced.p99();
        double[] above = new double[StageRecorder.E2E];
        int aboveCount = 0;
        for (long[] r : rows) {
            if (r[StageRecorder.E2E + 1] >= threshold) {
                aboveCount++;
                for (int s = 0; s < StageRecorder.E2E; s++) {
                    above[s] += r[s + 1];
                }
            }
        }
        for (int s = 0; s < above.length; s++) {
            above[s] = aboveCount == 0 ? 0 : above[s] / aboveCount;
        }
        List<Second> seconds = new ArrayList<>();
        for (int sec = 0; sec < recorder.seconds(); sec++) {
            long[] all = recorder.sortedEndToEnd(sec);
            long[] stageP99 = new long[StageRecorder.E2E];
            for (int s = 0; s < StageRecorder.E2E; s++) {
                stageP99[s] = percentile(column(rows, s + 1, sec), 0.99);
            }
            seconds.add(new Second(sec, all.length, percentile(all, 0.99), stageP99,
                    sec < machine.size() ? machine.get(sec) : null));
        }
        return new Run(round, variant, guarantee, commitIntervalMs, targetRate, achievedRate, sent, sendErrors,
                Percentiles.of("send → consumed (every output)", e2e), stages, traced, above, aboveCount, seconds,
                loadStart, loadEnd, recorder.tracedWithoutStamps(), null);
    }

    /** Sorted values of one column of the traced rows, all seconds ({@code second} &lt; 0) or one. */
    private static long[] column(long[][] rows, int col, int second) {
        long[] v = new long[rows.length];
        int n = 0;
        for (long[] r : rows) {
            if (second < 0 || r[0] == second) {
                v[n++] = r[col];
            }
        }
        long[] out = Arrays.copyOf(v, n);
        Arrays.sort(out);
        return out;
    }

    static Run withChart(Run r, Path chart) {
        return new Run(r.round(), r.variant(), r.guarantee(), r.commitIntervalMs(), r.targetRate(), r.achievedRate(),
                r.sent(), r.sendErrors(), r.endToEnd(), r.stages(), r.tracedEndToEnd(), r.aboveP99MeanMicros(),
                r.aboveP99Count(), r.seconds(), r.loadStart(), r.loadEnd(), r.tracedWithoutStamps(), chart);
    }

    /** Nearest-rank percentile of sorted values; -1 when empty. */
    static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return -1;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static String shortGuarantee(String g) {
        return g.startsWith("exactly") ? "EOS v2" : "ALOS";
    }

    /** µs as ms with one decimal; "–" for none. */
    static String ms(long micros) {
        return micros < 0 ? "–" : String.format(Locale.ROOT, "%.1f", micros / 1000.0);
    }

    private static String f2(double d) {
        return Double.isNaN(d) ? "n/a" : String.format(Locale.ROOT, "%.2f", d);
    }

    private static String f0(double d) {
        return Double.isNaN(d) ? "n/a" : String.format(Locale.ROOT, "%.0f", d);
    }

    /** Median of the values. */
    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length == 0 ? Double.NaN : s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** The Markdown report. */
    static String markdown(String header, List<Peak> peaks, List<Run> runs) {
        StringBuilder b = new StringBuilder(header);
        b.append("\n### Peak throughput (1 stream thread, from start to the N-th output consumed)\n\n");
        b.append("| variant | guarantee | commit.interval.ms | runs | median records/s (min–max) | µs CPU/record: stream thread | bench JVM (scorer, consumer) | broker | load 1 min after |\n");
        b.append("|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        Map<String, List<Peak>> byConfig = new LinkedHashMap<>();
        for (Peak p : peaks) {
            byConfig.computeIfAbsent(p.variant() + "|" + p.guarantee() + "|" + p.commitIntervalMs(), k -> new ArrayList<>()).add(p);
        }
        for (List<Peak> ps : byConfig.values()) {
            Peak p0 = ps.get(0);
            double[] rate = ps.stream().mapToDouble(Peak::recordsPerSecond).toArray();
            double[] cpu = ps.stream().mapToDouble(Peak::streamCpuMicrosPerRecord).toArray();
            double[] benchCpu = ps.stream().mapToDouble(Peak::benchCpuMicrosPerRecord).toArray();
            double[] brokerCpu = ps.stream().mapToDouble(Peak::brokerCpuMicrosPerRecord).toArray();
            b.append(String.format(Locale.ROOT, "| %s | %s | %s | %d | %,.0f (%,.0f–%,.0f) | %.2f | %.2f | %.2f | %s |%n", p0.variant(),
                    shortGuarantee(p0.guarantee()), p0.commitIntervalMs() < 0 ? "default" : String.valueOf(p0.commitIntervalMs()),
                    ps.size(), median(rate), Arrays.stream(rate).min().orElse(0), Arrays.stream(rate).max().orElse(0),
                    median(cpu), median(benchCpu), median(brokerCpu),
                    String.join(", ", ps.stream().map(p -> p.load().split(" ")[0]).toList())));
        }
        b.append("\n### Latency runs (1 stream thread; send → score consumed, read_committed)\n\n");
        b.append("| round | variant | guarantee | commit.interval.ms | rate /s (achieved) | outputs | p50 ms | p99 ms | p99.9 ms | max ms "
                + "| above p99 mostly in | other tenants, cores: mean (max) | hiccup max ms | GC max ms: bench / broker | load 1 min: start → end |\n");
        b.append("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|\n");
        for (Run r : runs) {
            b.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %,d (%,.0f) | %,d | %s | **%s** | %s | %s | %s | %s (%s) | %s | %s / %s | %s → %s |%n",
                    r.round(), r.variant(), shortGuarantee(r.guarantee()),
                    r.commitIntervalMs() < 0 ? "default" : String.valueOf(r.commitIntervalMs()), r.targetRate(),
                    r.achievedRate(), r.endToEnd().samples(), ms(r.endToEnd().p50()), ms(r.endToEnd().p99()),
                    ms(r.endToEnd().p999()), ms(r.endToEnd().max()), r.dominantAboveP99(),
                    f2(r.mean(MachineTimeline.Second::otherCores)), f2(r.max(MachineTimeline.Second::otherCores)),
                    f0(r.max(MachineTimeline.Second::hiccupMaxMs)), f0(r.max(MachineTimeline.Second::benchGcMaxMs)),
                    f0(r.max(MachineTimeline.Second::brokerGcMaxMs)), r.loadStart().split(" ")[0], r.loadEnd().split(" ")[0]));
        }
        for (Run r : runs) {
            b.append(String.format(Locale.ROOT, "%n### Round %d, %s, %s%s at %,d/s%n%n", r.round(), r.variant(),
                    shortGuarantee(r.guarantee()), r.commitIntervalMs() < 0 ? "" : ", commit.interval.ms " + r.commitIntervalMs(),
                    r.targetRate()));
            b.append("| stage | samples | p50 ms | p99 ms | p99.9 ms | max ms | mean ms in the records above the traced p99 |\n");
            b.append("|---|---:|---:|---:|---:|---:|---:|\n");
            for (int s = 0; s < r.stages().size(); s++) {
                Percentiles p = r.stages().get(s);
                b.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %.1f |%n", p.stage(), p.samples(),
                        ms(p.p50()), ms(p.p99()), ms(p.p999()), ms(p.max()), r.aboveP99MeanMicros()[s] / 1000));
            }
            for (Percentiles p : List.of(r.tracedEndToEnd(), r.endToEnd())) {
                b.append(String.format(Locale.ROOT, "| %s | %,d | %s | %s | %s | %s | %s |%n", p.stage(), p.samples(),
                        ms(p.p50()), ms(p.p99()), ms(p.p999()), ms(p.max()),
                        p == r.tracedEndToEnd() ? r.aboveP99Count() + " records ≥ p99" : ""));
            }
            if (r.tracedWithoutStamps() > 0) {
                b.append("\nTraced outputs without the scorer-side stamps: ").append(r.tracedWithoutStamps()).append('\n');
            }
            if (r.chart() != null) {
                b.append("\nTimeline chart: `").append(r.chart()).append("`\n");
            }
            b.append("\n<details><summary>Per second (by send time)</summary>\n\n");
            b.append("| s | outputs | e2e p99 ms | ");
            for (String s : StageRecorder.STAGES) {
                b.append(s).append(" p99 | ");
            }
            b.append("other tenants cores (of which steal) | bench cores | broker cores | stream thread cores | run queue | load 1 | hiccup max ms | GC bench ms (max) | GC broker ms (max) | commits |\n|");
            b.append("---:|".repeat(3 + StageRecorder.STAGES.length + 10)).append('\n');
            for (Second s : r.seconds()) {
                MachineTimeline.Second m = s.machine();
                b.append(String.format(Locale.ROOT, "| %d | %,d | %s | ", s.second(), s.outputs(), ms(s.e2eP99())));
                for (long v : s.stageP99()) {
                    b.append(ms(v)).append(" | ");
                }
                if (m != null) {
                    b.append(String.format(Locale.ROOT, "%s (%s) | %s | %s | %s | %d | %.2f | %s | %s (%s) | %s (%s) | %d |%n",
                            f2(m.otherCores()), f2(m.stealCores()), f2(m.benchCores()), f2(m.brokerCores()), f2(m.streamThreadCores()),
                            m.runQueue(), m.load1(), f0(m.hiccupMaxMs()), f0(m.benchGcMs()), f0(m.benchGcMaxMs()),
                            f0(m.brokerGcMs()), f0(m.brokerGcMaxMs()), m.commits()));
                } else {
                    b.append("| | | | | | | | | |\n");
                }
            }
            b.append("\n</details>\n");
        }
        return b.toString();
    }

    /** p99 per second of each stage, the stalls and the CPU, one above the other on the same time axis. */
    static void chart(Run r, String subtitle, Path png) throws IOException {
        XYSeriesCollection latency = new XYSeriesCollection();
        XYSeries e2e = new XYSeries("send → consumed, p99 (every output)");
        XYSeries[] stage = new XYSeries[StageRecorder.E2E];
        for (int s = 0; s < stage.length; s++) {
            stage[s] = new XYSeries(StageRecorder.STAGES[s] + ", p99");
        }
        XYSeriesCollection stalls = new XYSeriesCollection();
        XYSeries hiccup = new XYSeries("bench JVM hiccup (1 ms sleep overshoot), max");
        XYSeries benchGc = new XYSeries("bench JVM GC pause, max");
        XYSeries brokerGc = new XYSeries("broker GC pause, max");
        XYSeriesCollection cpu = new XYSeriesCollection();
        XYSeries others = new XYSeries("other tenants");
        XYSeries bench = new XYSeries("bench JVM (scorer + feeder + consumer)");
        XYSeries broker = new XYSeries("broker JVM");
        XYSeries stream = new XYSeries("scorer's stream thread");
        for (Second s : r.seconds()) {
            double x = s.second();
            if (s.e2eP99() >= 0) {
                e2e.add(x, s.e2eP99() / 1000.0);
            }
            for (int k = 0; k < stage.length; k++) {
                if (s.stageP99()[k] >= 0) {
                    stage[k].add(x, s.stageP99()[k] / 1000.0);
                }
            }
            MachineTimeline.Second m = s.machine();
            if (m != null) {
                hiccup.add(x, m.hiccupMaxMs());
                benchGc.add(x, m.benchGcMaxMs());
                brokerGc.add(x, m.brokerGcMaxMs());
                if (!Double.isNaN(m.otherCores())) {
                    others.add(x, m.otherCores());
                }
                bench.add(x, m.benchCores());
                broker.add(x, m.brokerCores());
                stream.add(x, m.streamThreadCores());
            }
        }
        latency.addSeries(e2e);
        for (XYSeries s : stage) {
            latency.addSeries(s);
        }
        stalls.addSeries(hiccup);
        stalls.addSeries(benchGc);
        stalls.addSeries(brokerGc);
        cpu.addSeries(others);
        cpu.addSeries(bench);
        cpu.addSeries(broker);
        cpu.addSeries(stream);

        NumberAxis time = new NumberAxis("second of the measured window (by send time)");
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(time);
        plot.setGap(8);
        plot.add(subplot(latency, "p99 per second, ms", Color.BLACK, STAGE_COLORS), 5);
        plot.add(subplot(stalls, "stalls, ms", new Color(0x8C564B), new Color(0x17BECF), new Color(0xE377C2)), 2);
        plot.add(subplot(cpu, "CPU, cores", new Color(0xD62728), new Color(0x1F77B4), new Color(0x7F7F7F),
                new Color(0x2CA02C)), 2);
        JFreeChart chart = new JFreeChart(String.format(Locale.ROOT, "Scorer latency per second: %s, %s, %,d records/s",
                r.variant(), shortGuarantee(r.guarantee()), r.targetRate()), new Font(Font.SANS_SERIF, Font.BOLD, 15), plot, true);
        chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        chart.setBackgroundPaint(Color.WHITE);
        Files.createDirectories(png.toAbsolutePath().getParent());
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1100, 950);
    }

    private static XYPlot subplot(XYSeriesCollection data, String label, Color first, Color... rest) {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        r.setSeriesPaint(0, first);
        r.setSeriesStroke(0, new BasicStroke(2.2f));
        for (int i = 0; i < rest.length; i++) {
            r.setSeriesPaint(i + 1, rest[i]);
            r.setSeriesStroke(i + 1, new BasicStroke(1.4f));
        }
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesShape(i, new java.awt.geom.Ellipse2D.Double(-2, -2, 4, 4));
        }
        NumberAxis y = new NumberAxis(label);
        y.setAutoRangeIncludesZero(true);
        XYPlot p = new XYPlot(data, null, y, r);
        p.setBackgroundPaint(Color.WHITE);
        p.setRangeGridlinePaint(Color.LIGHT_GRAY);
        p.setDomainGridlinePaint(Color.LIGHT_GRAY);
        return p;
    }
}
