package io.streamscore.trainer.tools;

import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.optim.FusedPass;
import io.streamscore.trainer.optim.LogisticRegressionTrainer;
import io.streamscore.trainer.optim.PassKernel;
import io.streamscore.trainer.optim.PassKernels;
import io.streamscore.trainer.optim.ProgressListener;
import io.streamscore.trainer.optim.Solver;
import io.streamscore.trainer.optim.TrainingOptions;
import io.streamscore.trainer.optim.TrainingResult;
import io.streamscore.trainer.optim.WarmUp;
import io.streamscore.trainer.synthetic.SyntheticData;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code trainer bench}: how fast one training pass runs, next to how fast the machine can merely read the same
 * bytes (a STREAM-style sum measured in the same run), and how long default training takes to converge.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = {"Measure the trainer's speed on generated data.", "",
                "Seconds per iteration and bytes per second of the fused gradient pass on 1 core and on",
                "all cores (SIMD kernel, gradient only, scalar kernel), next to the machine's memory",
                "bandwidth measured in the same run (a plain sum over the same array); then the iterations",
                "and time each solver needs to get within 1e-6 of the converged loss with default settings,",
                "and three L-BFGS runs set up as scikit-learn's LogisticRegression(C=1) (trainer/bench/",
                "sklearn_baseline.py times scikit-learn on the same data: generate --kind wide --seed 1).",
                "Start java with --add-modules jdk.incubator.vector for the SIMD kernel.", "",
                "Examples:",
                "  trainer bench",
                "  trainer bench --rows 200000 --features 100",
                "  trainer bench --skip-convergence --passes 50"})
public final class BenchCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--rows", paramLabel = "N", defaultValue = "1000000", description = "Rows of generated data.")
    int rows;

    @Option(names = "--features", paramLabel = "N", defaultValue = "20", description = "Features per row.")
    int features;

    @Option(names = "--passes", paramLabel = "N", defaultValue = "30", description = "Timed passes per configuration (after warm-up).")
    int passes;

    @Option(names = "--threads", split = ",", paramLabel = "N",
            description = "Thread counts to measure (default: 1 and all available cores).")
    List<Integer> threadCounts;

    @Option(names = "--skip-convergence",
            description = "Skip the second part: time to converge with default settings on standardized data.")
    boolean skipConvergence;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed for the generated data.")
    long seed;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        WarmUp.startInBackground();
        int cores = Runtime.getRuntime().availableProcessors();
        List<Integer> threads = threadCounts != null ? threadCounts : (cores > 1 ? List.of(1, cores) : List.of(1));
        out.printf(Locale.ROOT, "machine: %d cores, Java %s (%s), max heap %d MiB%n", cores,
                System.getProperty("java.version"), System.getProperty("java.vm.name"),
                Runtime.getRuntime().maxMemory() >> 20);
        Dataset data = SyntheticData.logistic(rows, features, seed);
        double megabytes = data.bytes() / 1e6;
        out.printf(Locale.ROOT, "data: %,d rows x %d features = %.0f MB per pass%n", rows, features, megabytes);
        WarmUp.await(60_000);
        String reason = PassKernels.fallbackReason();
        out.printf(Locale.ROOT, "pass kernel: %s%s%n%n", PassKernels.current().description(), reason != null
                ? " (" + reason + ")" : PassKernels.warm() ? "" : " (the SIMD kernel did not get faster in time)");

        // "vs bandwidth" compares best with best: the baseline is a best-of-10 too, and on a shared machine a median
        // would mostly measure the neighbours. The median is shown beside it.
        out.printf(Locale.ROOT, "%-34s %8s %12s %12s %10s %14s%n", "configuration", "threads", "best ms/pass", "median",
                "GB/s", "vs bandwidth");
        for (int t : threads) {
            double bandwidth = bandwidthGBs(data, t);
            out.printf(Locale.ROOT, "%-34s %8d %12.2f %12s %10.2f %14s%n", "memory bandwidth (sum, baseline)", t,
                    megabytes / bandwidth, "", bandwidth, "1.00x");
            List<Object[]> configurations = new ArrayList<>();
            configurations.add(new Object[] {"fused loss+gradient pass", PassKernels.current(), true});
            configurations.add(new Object[] {"gradient only (no loss)", PassKernels.current(), false});
            if (PassKernels.current() != PassKernels.SCALAR) {
                configurations.add(new Object[] {"fused pass, scalar kernel", PassKernels.SCALAR, true});
            }
            for (Object[] c : configurations) {
                double[] ms = passMillis(data, t, (PassKernel) c[1], (Boolean) c[2]);
                double gbs = megabytes / ms[0];
                out.printf(Locale.ROOT, "%-34s %8d %12.2f %12.2f %10.2f %13.2fx%n", c[0], t, ms[0], ms[1], gbs,
                        gbs / bandwidth);
            }
            out.flush();
        }
        if (!skipConvergence) {
            out.println();
            convergence(out, data, cores);
        }
        return CommandLine.ExitCode.OK; // failures throw; TrainerCli maps them to its exit codes
    }

    /** Best and median milliseconds of one {@link FusedPass#evaluate} after warm-up. */
    private double[] passMillis(Dataset data, int threads, PassKernel kernel, boolean withLoss) {
        double[] theta = new double[data.cols() + 1];
        SplittableRandom random = new SplittableRandom(seed);
        for (int j = 0; j < theta.length; j++) {
            theta[j] = random.nextDouble() - 0.5;
        }
        double[] gradient = new double[theta.length];
        double[] times = new double[passes];
        double sink = 0;
        try (FusedPass pass = new FusedPass(data, null, threads, kernel)) {
            for (int i = 0; i < 5; i++) {
                sink += pass.evaluate(theta, gradient, withLoss) + gradient[0];
            }
            for (int i = 0; i < passes; i++) {
                long start = System.nanoTime();
                sink += pass.evaluate(theta, gradient, withLoss) + gradient[0];
                times[i] = (System.nanoTime() - start) / 1e6;
            }
        }
        if (Double.isNaN(sink)) {
            throw new IllegalStateException("loss was NaN");
        }
        Arrays.sort(times);
        return new double[] {times[0], times[times.length / 2]};
    }

    /**
     * GB/s of summing the feature array with {@code threads} threads, best of 10: the most any pass over the data
     * could achieve on this machine now.
     */
    private static double bandwidthGBs(Dataset data, int threads) throws Exception {
        double[] x = data.features();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            double best = Double.MAX_VALUE;
            double sink = 0;
            for (int round = 0; round < 12; round++) {
                long start = System.nanoTime();
                List<Future<Double>> parts = new ArrayList<>();
                int slice = (x.length + threads - 1) / threads;
                for (int t = 0; t < threads; t++) {
                    int from = t * slice;
                    int to = Math.min(x.length, from + slice);
                    parts.add(pool.submit(() -> sum(x, from, to)));
                }
                for (Future<Double> f : parts) {
                    sink += f.get();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                if (round >= 2) {
                    best = Math.min(best, seconds);
                }
            }
            if (Double.isNaN(sink)) {
                throw new IllegalStateException("sum was NaN");
            }
            return data.bytes() / 1e9 / best * ((double) x.length / (x.length + data.rows()));
        } finally {
            pool.shutdownNow();
        }
    }

    /** Four independent accumulators so the sum is limited by memory, not by the add latency. */
    private static double sum(double[] x, int from, int to) {
        double a = 0;
        double b = 0;
        double c = 0;
        double d = 0;
        int i = from;
        for (; i + 3 < to; i += 4) {
            a += x[i];
            b += x[i + 1];
            c += x[i + 2];
            d += x[i + 3];
        }
        for (; i < to; i++) {
            a += x[i];
        }
        return a + b + c + d;
    }

    /**
     * Runs each solver with tolerance 0 until it can improve no further, takes the lower of the two final losses as
     * the converged loss, and reports when each first got within 1e-6 of it.
     */
    private void convergence(PrintWriter out, Dataset data, int cores) {
        TrainingOptions base = TrainingOptions.defaults().withStandardize(true).withTolerance(0).withGradientTolerance(0)
                .withThreads(cores);
        List<Run> runs = new ArrayList<>();
        for (Solver solver : Solver.values()) {
            TrainingOptions options = base.withSolver(solver).withIterations(solver == Solver.GD ? 20_000 : 2_000);
            long[] at = new long[options.iterations() + 1];
            long start = System.nanoTime();
            TrainingResult result = new LogisticRegressionTrainer(options, Clock.systemUTC(),
                    (iteration, max, objective) -> at[iteration] = System.nanoTime()).train(data, null, "bench");
            runs.add(new Run(solver, result, at, start));
        }
        double converged = runs.stream().mapToDouble(r -> r.result.finalObjective()).min().orElseThrow();
        out.printf(Locale.ROOT, "convergence (defaults + --standardize, %d threads); converged loss %.12f = the lower of the runs' final losses%n",
                cores, converged);
        out.printf(Locale.ROOT, "%-8s %24s %12s %12s %18s%n", "solver", "iterations to within 1e-6", "time", "passes run",
                "final - converged");
        for (Run r : runs) {
            double[] history = r.result.objectiveHistory();
            int within = 0;
            while (within < history.length - 1 && history[within] - converged > 1e-6) {
                within++;
            }
            boolean reached = history[within] - converged <= 1e-6;
            double passes = r.result.model().metadata().metrics().get("training").get("passesOverData");
            out.printf(Locale.ROOT, "%-8s %24s %11.2fs %12.0f %18.2e%n", r.solver.name().toLowerCase(Locale.ROOT),
                    reached ? Integer.toString(within) : "not reached", within == 0 ? 0.0 : (r.at[within] - r.start) / 1e9,
                    passes, history[history.length - 1] - converged);
        }

        // The run scikit-learn's LogisticRegression(solver="lbfgs", C=1) makes on the same data: λ = 1/m, stopped when
        // every gradient component is within its default tol (trainer/bench/sklearn_baseline.py times that one).
        out.println();
        out.printf(Locale.ROOT, "lbfgs as scikit-learn's LogisticRegression(C=1): --standardize --l2 1/m, default stopping"
                + " (--gradient-tolerance %s), %d threads%n", TrainingOptions.DEFAULT_GRADIENT_TOLERANCE, cores);
        out.printf(Locale.ROOT, "%-10s %10s %8s %12s %12s %12s %16s %12s%n", "run", "iterations", "passes", "optimizing",
                "preparing", "metrics", "final loss", "gradient");
        TrainingOptions sklearnLike = TrainingOptions.defaults().withStandardize(true).withL2(1.0 / data.rows())
                .withSolver(Solver.LBFGS).withThreads(cores);
        for (int run = 1; run <= 3; run++) {
            TrainingResult r = new LogisticRegressionTrainer(sklearnLike, Clock.systemUTC(), ProgressListener.NONE)
                    .train(data, null, "bench");
            TrainingResult.Timings t = r.timings();
            out.printf(Locale.ROOT, "%-10s %10d %8.0f %11.3fs %11.3fs %11.3fs %16.10f %12.3g%n", "run " + run,
                    r.iterations(), r.model().metadata().metrics().get("training").get("passesOverData"),
                    t.optimization(), t.preparation(), t.evaluation(), r.finalObjective(), r.gradientNorm());
            out.flush();
        }
    }

    private record Run(Solver solver, TrainingResult result, long[] at, long start) {
    }
}
