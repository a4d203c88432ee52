package io.streamscore.bench;

import io.streamscore.bench.ScorerThroughputBench.AppKind;
import io.streamscore.common.BuildVersion;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** The bench's results: the console table, the Markdown report and the throughput chart. */
final class BenchReport {
    private final Machine machine;
    private final String loadAtEnd;
    private final String command;
    private final long events;
    private final double eventBytes;
    private final int partitions;
    private final double fillSeconds;
    private final List<Throughput> throughput;
    private final List<Latency> latency;
    private final boolean ownBroker;
    private final String brokerHeap;
    private final Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    BenchReport(Machine machine, String loadAtEnd, String command, long events, double eventBytes, int partitions,
                double fillSeconds, List<Throughput> throughput, List<Latency> latency, boolean ownBroker, String brokerHeap) {
        this.machine = machine;
        this.loadAtEnd = loadAtEnd;
        this.command = command;
        this.events = events;
        this.eventBytes = eventBytes;
        this.partitions = partitions;
        this.fillSeconds = fillSeconds;
        this.throughput = List.copyOf(throughput);
        this.latency = List.copyOf(latency);
        this.ownBroker = ownBroker;
        this.brokerHeap = brokerHeap;
    }

    /**
     * One throughput run: an app from start until {@code n} outputs were consumed (read_committed).
     * {@code outputBytesPerEvent}: the values' bytes on the scores and dead-letter topics, and on the shadow topic for
     * the scorer with a challenger, per input event.
     */
    record Throughput(AppKind kind, String label, String guarantee, int threads, long n, long outputs, double seconds,
                      double firstOutputSeconds, double recordsPerSecond, double steadyRecordsPerSecond,
                      double streamThreadCpuSeconds, double globalThreadCpuSeconds, double benchJvmCpuSeconds,
                      double brokerCpuSeconds, double outputBytesPerEvent, String loadAfter) {
        String config() {
            return shortGuarantee(guarantee) + ", " + threads + (threads == 1 ? " thread" : " threads");
        }

        double streamCpuMicrosPerRecord() {
            return streamThreadCpuSeconds * 1e6 / n;
        }

        double brokerCpuMicrosPerRecord() {
            return brokerCpuSeconds * 1e6 / n;
        }

        /**
         * Everything the run cost the machine per record that the bench can see: the bench JVM (the app's stream and
         * producer threads, the counting consumer, GC, JIT) plus the broker JVM. On 2 shared cores, records/s follow it.
         */
        double allCpuMicrosPerRecord() {
            return (benchJvmCpuSeconds + brokerCpuSeconds) * 1e6 / n;
        }

        String oneLine() {
            return String.format(Locale.ROOT, "%-14s %-16s %,9.0f records/s (%,d in %.1f s, first output %.2f s, steady %,.0f/s)"
                            + "; stream threads %.2f µs CPU/record; CPU s: bench JVM %.1f, broker %.1f; outputs %,d, "
                            + "%.0f bytes/event; load %s",
                    label, config(), recordsPerSecond, n, seconds, firstOutputSeconds, steadyRecordsPerSecond,
                    streamCpuMicrosPerRecord(), benchJvmCpuSeconds, brokerCpuSeconds, outputs, outputBytesPerEvent, loadAfter);
        }
    }

    /** One latency run of the scorer (1 thread) at a steady produce rate, with a model swap halfway. */
    record Latency(String guarantee, long targetRate, double achievedRate, long sent, long sendErrors, int samples,
                   long p50Millis, long p99Millis, long p999Millis, long maxMillis, long swapVersion, boolean swapSeen,
                   long swapFromSendMillis, long swapFromAckMillis) {
        /** The model-swap figure: from the publish's ack (and from its send) to the first score by the new version. */
        String swap() {
            // The ack can reach the publishing thread after the first new score reached the consumer (a busy machine
            // schedules threads late): then the ack figure is negative, and the send figure is the bound to read.
            return swapSeen ? swapFromAckMillis + " (" + swapFromSendMillis + " from send)" : "not seen";
        }

        String oneLine() {
            return String.format(Locale.ROOT, "latency  %-16s at %,d/s (achieved %,.0f/s, %,d sent, %,d samples): p50 %d ms, "
                            + "p99 %d ms, p99.9 %d ms, max %d ms; model swap to v%d: first score %s ms after the publish ack",
                    shortGuarantee(guarantee), targetRate, achievedRate, sent, samples, p50Millis, p99Millis, p999Millis,
                    maxMillis, swapVersion, swap());
        }
    }

    /** The machine the figures come from. */
    record Machine(int cores, String cpuModel, String java, String loadAtStart) {
        static Machine describe() {
            String cpu = "unknown";
            try {
                cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                        .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse(cpu);
            } catch (IOException | RuntimeException e) {
                // Not Linux: say unknown.
            }
            String java = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                    + " (" + System.getProperty("java.vm.vendor") + ")";
            return new Machine(Runtime.getRuntime().availableProcessors(), cpu, java, loadAverage());
        }

        /** The 1/5/15-minute load averages, or "n/a". */
        static String loadAverage() {
            try {
                String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
                return f[0] + " " + f[1] + " " + f[2];
            } catch (IOException | RuntimeException e) {
                return "n/a";
            }
        }

        String oneLine() {
            return cores + " cores (" + cpuModel + "), " + java + ", load " + loadAtStart;
        }
    }

    static String shortGuarantee(String g) {
        return g.equals("at_least_once") ? "ALOS" : g.equals("exactly_once_v2") ? "EOS v2" : g;
    }

    /** Every run of one configuration (guarantee, threads), by app, in run order. */
    private record Config(String name, Map<AppKind, List<Throughput>> runs) {
        List<Throughput> of(AppKind kind) {
            return runs.getOrDefault(kind, List.of());
        }

        double median(AppKind kind, ToDoubleFunction<Throughput> f) {
            return median(of(kind), f);
        }

        static double median(List<Throughput> runs, ToDoubleFunction<Throughput> f) {
            double[] v = runs.stream().mapToDouble(f).sorted().toArray();
            if (v.length == 0) {
                return Double.NaN;
            }
            return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
        }

        /** Median records/s of the app with its min–max across runs, e.g. "104,746 (102,155–107,337)". */
        String recordsPerSecond(AppKind kind) {
            List<Throughput> l = of(kind);
            String median = k(median(l, Throughput::recordsPerSecond));
            if (l.size() < 2) {
                return median;
            }
            return median + String.format(Locale.ROOT, " (%s–%s)",
                    k(l.stream().mapToDouble(Throughput::recordsPerSecond).min().orElse(0)),
                    k(l.stream().mapToDouble(Throughput::recordsPerSecond).max().orElse(0)));
        }

        /** Median records/s of {@code kind} ÷ that of {@code reference}. */
        double ratio(AppKind kind, AppKind reference) {
            return median(kind, Throughput::recordsPerSecond) / median(reference, Throughput::recordsPerSecond);
        }

        /**
         * The reference's stream-thread CPU per record ÷ the app's, medians: the same ratio measured in CPU time, which
         * other tenants' load does not distort (it does not count the time a thread waits for a core).
         */
        double cpuRatio(AppKind kind, AppKind reference) {
            return median(reference, Throughput::streamCpuMicrosPerRecord) / median(kind, Throughput::streamCpuMicrosPerRecord);
        }
    }

    private static final List<AppKind> VARIANTS = List.of(AppKind.CONTRIBUTIONS, AppKind.CONTRIBUTIONS_TOP,
            AppKind.CHALLENGER);

    private List<Config> configs() {
        Map<String, Config> m = new LinkedHashMap<>();
        for (Throughput t : throughput) {
            m.computeIfAbsent(t.config(), k -> new Config(k, new EnumMap<>(AppKind.class)))
                    .runs().computeIfAbsent(t.kind(), k -> new ArrayList<>()).add(t);
        }
        return new ArrayList<>(m.values());
    }

    /** The variants this run measured, in the report's order. */
    private List<AppKind> variants() {
        return VARIANTS.stream().filter(v -> throughput.stream().anyMatch(t -> t.kind() == v)).toList();
    }

    /** The app's name as the runs give it (e.g. "scorer+top5"). */
    private String label(AppKind kind) {
        return throughput.stream().filter(t -> t.kind() == kind).map(Throughput::label).findFirst().orElse(kind.label);
    }

    /** The scorer's median records/s at one thread and this guarantee (for the latency runs' rate). */
    static double medianScorerRate(List<Throughput> runs, String guarantee, int threads) {
        return Config.median(runs.stream().filter(t -> t.kind() == AppKind.SCORER && t.guarantee().equals(guarantee)
                && t.threads() == threads).toList(), Throughput::recordsPerSecond);
    }

    private static String k(double perSecond) {
        return String.format(Locale.ROOT, "%,.0f", perSecond);
    }

    private static String f2(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
    }

    /** The throughput and latency tables (Markdown, which also reads well on a console). */
    String table() {
        StringBuilder b = new StringBuilder();
        List<Config> configs = configs();
        int repeats = configs.stream().mapToInt(c -> c.of(AppKind.SCORER).size()).max().orElse(0);
        b.append(String.format(Locale.ROOT, "Throughput: %,d events (%.0f-byte JSON, 20 features), %d partitions; records/s from app start "
                + "to the last output consumed (read_committed); median of %d run%s per app (min–max)%n%n", events, eventBytes,
                partitions, repeats, repeats == 1 ? "" : "s"));
        b.append("| configuration | baseline records/s | scorer records/s | **scorer / baseline** | steady-state ratio "
                + "| stream-thread CPU µs/record (baseline / scorer) | CPU ratio (baseline / scorer µs) | first output s (b / s) |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Config c : configs) {
            b.append("| ").append(c.name())
                    .append(" | ").append(c.recordsPerSecond(AppKind.BASELINE))
                    .append(" | ").append(c.recordsPerSecond(AppKind.SCORER))
                    .append(" | **").append(f2(c.ratio(AppKind.SCORER, AppKind.BASELINE))).append("**")
                    .append(" | ").append(f2(c.median(AppKind.SCORER, Throughput::steadyRecordsPerSecond)
                            / c.median(AppKind.BASELINE, Throughput::steadyRecordsPerSecond)))
                    .append(" | ").append(f2(c.median(AppKind.BASELINE, Throughput::streamCpuMicrosPerRecord))).append(" / ")
                    .append(f2(c.median(AppKind.SCORER, Throughput::streamCpuMicrosPerRecord)))
                    .append(" | ").append(f2(c.cpuRatio(AppKind.SCORER, AppKind.BASELINE)))
                    .append(" | ").append(f2(c.median(AppKind.BASELINE, Throughput::firstOutputSeconds))).append(" / ")
                    .append(f2(c.median(AppKind.SCORER, Throughput::firstOutputSeconds)))
                    .append(" |\n");
        }
        List<AppKind> variants = variants();
        if (!variants.isEmpty()) {
            b.append(String.format(Locale.ROOT, "%nThe scorer with one option more, against the plain scorer of the same "
                    + "run (records/s counted on the scores topic; bytes/event: the values written per input event, "
                    + "shadow records included)%n%n"));
            b.append("| configuration | app | records/s | **÷ scorer** | stream-thread CPU µs/record | CPU ratio "
                    + "(scorer / app µs) | broker CPU µs/record | bench JVM + broker CPU µs/record | output bytes/event |\n");
            b.append("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Config c : configs) {
                List<AppKind> rows = new ArrayList<>(List.of(AppKind.SCORER));
                rows.addAll(variants);
                for (AppKind kind : rows) {
                    b.append("| ").append(c.name())
                            .append(" | ").append(label(kind))
                            .append(" | ").append(c.recordsPerSecond(kind))
                            .append(" | ").append(kind == AppKind.SCORER ? "1.00" : "**" + f2(c.ratio(kind, AppKind.SCORER)) + "**")
                            .append(" | ").append(f2(c.median(kind, Throughput::streamCpuMicrosPerRecord)))
                            .append(" | ").append(f2(c.cpuRatio(kind, AppKind.SCORER)))
                            .append(" | ").append(f2(c.median(kind, Throughput::brokerCpuMicrosPerRecord)))
                            .append(" | ").append(f2(c.median(kind, Throughput::allCpuMicrosPerRecord)))
                            .append(" | ").append(String.format(Locale.ROOT, "%.0f", c.median(kind, Throughput::outputBytesPerEvent)))
                            .append(" |\n");
                }
            }
        }
        if (!latency.isEmpty()) {
            b.append(String.format(Locale.ROOT, "%nLatency (scorer, 1 stream thread): input timestamp → score consumed "
                    + "(read_committed), after a warm-up; model swap: publish ack → first score by the new version%n%n"));
            b.append("| guarantee | target rate /s | achieved /s | samples | p50 ms | p99 ms | p99.9 ms | max ms | model swap ms: from ack (from send) |\n");
            b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Latency l : latency) {
                b.append(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %,d | %d | %d | %d | %d | %s |%n",
                        shortGuarantee(l.guarantee()), l.targetRate(), l.achievedRate(), l.samples(), l.p50Millis(),
                        l.p99Millis(), l.p999Millis(), l.maxMillis(), l.swap()));
            }
        }
        return b.toString();
    }

    /** The full report: setup, machine, command, tables, and every run's raw line. */
    String markdown() {
        StringBuilder b = new StringBuilder();
        b.append("# Scorer end-to-end bench: results of one run\n\n");
        b.append("- Date: ").append(date).append('\n');
        b.append("- Machine: ").append(machine.cores()).append(" cores (`nproc`), ").append(machine.cpuModel()).append('\n');
        b.append("- JVM: ").append(machine.java()).append(", default heap and GC\n");
        b.append("- Load average (1/5/15 min): ").append(machine.loadAtStart()).append(" at start, ").append(loadAtEnd)
                .append(" at end\n");
        b.append("- Broker: ").append(ownBroker ? "Kafka " + BuildVersion.kafkaClients() + " single-node KRaft in a separate JVM (devkit `EmbeddedKafkaMain`, -Xmx"
                + brokerHeap + "), same machine" : "external (--bootstrap-servers)").append('\n');
        b.append(String.format(Locale.ROOT, "- Data: %,d feature events, mean %.0f bytes, 20 named features, one model, %d partitions; "
                + "pre-filled in %.1f s (%,.0f records/s)%n", events, eventBytes, partitions, fillSeconds, events / fillSeconds));
        for (AppKind v : variants()) {
            b.append("- `").append(label(v)).append("`: ").append(switch (v) {
                case CONTRIBUTIONS -> "the scorer with `--contributions`: every feature's term in each score";
                case CONTRIBUTIONS_TOP -> "the scorer with `--contributions-top " + label(v).substring("scorer+top".length())
                        + "`: the largest terms in each score, and what was left out";
                case CHALLENGER -> "the scorer on a model topic with the same model as champion (v1) and a second "
                        + "version (v2, other weights) as its challenger: two scores per event, one to the scores topic "
                        + "and one to the shadow topic";
                default -> throw new IllegalStateException("not a variant: " + v);
            }).append('\n');
        }
        b.append("- Command: `").append(command).append("`\n\n");
        b.append(table()).append('\n');
        b.append("Raw lines:\n\n```\n");
        throughput.forEach(t -> b.append(t.oneLine()).append('\n'));
        latency.forEach(l -> b.append(l.oneLine()).append('\n'));
        b.append("```\n");
        return b.toString();
    }

    /**
     * Grouped bars: records/s of every app per configuration; under each group the scorer's ratio to the baseline and
     * each variant's to the scorer.
     */
    void chart(Path png) throws IOException {
        DefaultCategoryDataset ds = new DefaultCategoryDataset();
        List<AppKind> variants = variants();
        for (Config c : configs()) {
            // One line per ratio (JFreeChart breaks category labels at newlines).
            StringBuilder category = new StringBuilder(c.name()).append(": scorer ×")
                    .append(f2(c.ratio(AppKind.SCORER, AppKind.BASELINE))).append(" baseline");
            for (AppKind v : variants) {
                category.append('\n').append(label(v)).append(" ×").append(f2(c.ratio(v, AppKind.SCORER)))
                        .append(" scorer");
            }
            ds.addValue(c.median(AppKind.BASELINE, Throughput::recordsPerSecond), "baseline: parse + write JSON (no model)",
                    category.toString());
            ds.addValue(c.median(AppKind.SCORER, Throughput::recordsPerSecond), "scorer", category.toString());
            for (AppKind v : variants) {
                ds.addValue(c.median(v, Throughput::recordsPerSecond), label(v), category.toString());
            }
        }
        JFreeChart chart = ChartFactory.createBarChart(variants.isEmpty()
                        ? "Scorer vs pass-through baseline, end to end (median records/s)"
                        : "Scorer, its variants and the pass-through baseline, end to end (median records/s)",
                variants.isEmpty() ? "configuration: scorer throughput as a multiple of the baseline's"
                        : "configuration: scorer ÷ baseline; each variant ÷ scorer", "records per second", ds,
                PlotOrientation.VERTICAL, true, false, false);
        chart.addSubtitle(new TextTitle(String.format(Locale.ROOT, "%,d events of %.0f bytes, %d partitions; %d cores (%s), load %s → %s; %s",
                events, eventBytes, partitions, machine.cores(), machine.cpuModel(), machine.loadAtStart(), loadAtEnd,
                date.toString().substring(0, 10)), new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
        chart.setBackgroundPaint(Color.WHITE);
        CategoryPlot plot = chart.getCategoryPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        BarRenderer r = (BarRenderer) plot.getRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        r.setSeriesPaint(0, new Color(0x9E, 0x9E, 0x9E));
        r.setSeriesPaint(1, new Color(0x1F, 0x77, 0xB4));
        r.setSeriesPaint(2, new Color(0xFF, 0x7F, 0x0E));
        r.setSeriesPaint(3, new Color(0x2C, 0xA0, 0x2C));
        r.setSeriesPaint(4, new Color(0x94, 0x67, 0xBD));
        r.setItemMargin(0.05);
        r.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("#,##0")));
        r.setDefaultItemLabelsVisible(true);
        r.setDefaultItemLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        CategoryAxis x = plot.getDomainAxis();
        x.setTickLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        x.setMaximumCategoryLabelLines(1 + variants.size());
        NumberAxis y = (NumberAxis) plot.getRangeAxis();
        y.setNumberFormatOverride(new DecimalFormat("#,##0"));
        y.setUpperMargin(0.12);
        Files.createDirectories(png.toAbsolutePath().getParent());
        ChartUtils.saveChartAsPNG(png.toFile(), chart, 1000, 560 + 16 * variants.size());
    }
}
