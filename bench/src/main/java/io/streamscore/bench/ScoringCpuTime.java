package io.streamscore.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@link ScoringBenchmark}'s paths timed in <em>thread CPU time</em> per record, rounds alternating between them: the
 * figure a shared, loaded machine does not distort the way it distorts JMH's wall-clock throughput (a thread waiting
 * for a core accrues no CPU time). Complements JMH; it has no fork per benchmark, so all paths share one JIT profile,
 * like the scorer's stream thread. See BENCHMARKS.md.
 *
 * <pre>{@code
 * java -cp bench/target/benchmarks.jar io.streamscore.bench.ScoringCpuTime [rounds] [records per round]
 * }</pre>
 */
public final class ScoringCpuTime {
    /** Keeps the results alive (the JIT cannot drop the work that makes them). */
    private static volatile long sink;

    private ScoringCpuTime() {
    }

    private interface Path {
        Object run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int perRound = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        ScoringBenchmark b = new ScoringBenchmark();
        b.setUp();
        Map<String, Path> paths = new LinkedHashMap<>();
        paths.put("fullPathNamed", b::fullPathNamed);
        paths.put("fullPathNamedContributions", b::fullPathNamedContributions);
        paths.put("fullPathNamedTop5", b::fullPathNamedTop5);
        paths.put("fullPathNamedChallenger", b::fullPathNamedChallenger);
        paths.put("baselineParseAndSerialize", b::baselineParseAndSerialize);
        paths.put("stageSerialize", b::stageSerialize);
        paths.put("stageSerializeContributions", b::stageSerializeContributions);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        System.out.printf(Locale.ROOT, "warm-up: each path %,d records x 3; load %s%n", perRound,
                BenchReport.Machine.loadAverage());
        for (int w = 0; w < 3; w++) {
            for (Path p : paths.values()) {
                time(cpu, p, perRound);
            }
        }
        Map<String, double[]> ns = new LinkedHashMap<>();
        paths.keySet().forEach(k -> ns.put(k, new double[rounds]));
        List<String> order = new ArrayList<>(paths.keySet());
        for (int r = 0; r < rounds; r++) {
            Collections.rotate(order, 1); // each path in every position over the rounds
            for (String name : order) {
                ns.get(name)[r] = time(cpu, paths.get(name), perRound);
            }
        }
        System.out.printf(Locale.ROOT, "%d rounds of %,d records per path; load at end %s%n", rounds, perRound,
                BenchReport.Machine.loadAverage());
        double plain = median(ns.get("fullPathNamed"));
        System.out.printf(Locale.ROOT, "%-30s %12s %12s %12s %14s%n", "path", "median ns", "min ns", "max ns",
                "plain / path");
        for (Map.Entry<String, double[]> e : ns.entrySet()) {
            double[] v = e.getValue().clone();
            Arrays.sort(v);
            double m = median(v);
            System.out.printf(Locale.ROOT, "%-30s %12.0f %12.0f %12.0f %14.2f%n", e.getKey(), m, v[0], v[v.length - 1],
                    plain / m);
        }
    }

    /** CPU nanoseconds per record of {@code n} runs of the path on this thread. */
    private static double time(ThreadMXBean cpu, Path p, int n) throws Exception {
        long acc = 0;
        long t0 = cpu.getCurrentThreadCpuTime();
        for (int i = 0; i < n; i++) {
            Object o = p.run();
            acc += o instanceof byte[] b ? b.length : o instanceof byte[][] bb ? bb.length : 1;
        }
        long t1 = cpu.getCurrentThreadCpuTime();
        sink += acc;
        return (t1 - t0) / (double) n;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
