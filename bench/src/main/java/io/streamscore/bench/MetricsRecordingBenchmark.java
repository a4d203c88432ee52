package io.streamscore.bench;

import io.streamscore.scorer.ScorerMetrics;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What the scorer's own metrics cost per scored event: the two calls {@code ScoringProcessor} makes for a champion
 * score ({@link ScorerMetrics#scored(String, long)}, then {@link ScorerMetrics#scoredBy}), over 10 model ids and
 * latencies spread over the histogram's buckets (1 to 64 µs), cycled so the JIT cannot specialise on one. One thread,
 * and two threads on one {@link ScorerMetrics} as two stream threads share it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MetricsRecordingBenchmark {
    private static final int N = 1024;
    private final ScorerMetrics metrics = new ScorerMetrics();
    private final String[] modelIds = new String[N];
    private final long[] nanos = new long[N];

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < N; i++) {
            modelIds[i] = "model-" + r.nextInt(10);
            nanos[i] = 1_000L << r.nextInt(7);
        }
    }

    /** Each benchmark thread's own place in the inputs. */
    @State(Scope.Thread)
    public static class Cursor {
        int i;
    }

    @Benchmark
    public void recordScoredEvent(Cursor c) {
        int i = c.i++ & (N - 1);
        metrics.scored(modelIds[i], nanos[i]);
        metrics.scoredBy(modelIds[i], 1, ScorerMetrics.Role.CHAMPION);
    }

    @Benchmark
    @Threads(2)
    public void recordScoredEventTwoThreads(Cursor c) {
        int i = c.i++ & (N - 1);
        metrics.scored(modelIds[i], nanos[i]);
        metrics.scoredBy(modelIds[i], 1, ScorerMetrics.Role.CHAMPION);
    }
}
