package io.streamscore.bench;

import com.sun.management.GarbageCollectionNotificationInfo;

import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the machine and the JVMs did in each second of a latency window, to line up with the latency timeline:
 * CPU used by the whole machine, by the bench JVM (which hosts the scorer), by the broker, and so by everything else
 * (other tenants' builds); the scorer's stream-thread CPU; the load average and the run queue; the longest
 * <em>hiccup</em> (how late a thread that asks to sleep 1 ms wakes: a stall of the JVM or of the CPU scheduler, as
 * jHiccup measures it); and the GC pauses of the bench JVM (from GC notifications) and of the broker (from its GC log).
 * Linux only ({@code /proc}); elsewhere the machine columns are NaN.
 */
final class MachineTimeline implements AutoCloseable {
    private static final Duration HICCUP_SLEEP = Duration.ofMillis(1);
    /** A broker GC log line: {@code [2026-12-03T12:59:01.123+0000][...] GC(3) Pause Young ... 3.456ms}. */
    private static final Pattern GC_LINE = Pattern.compile("^\\[([^\\]]+)\\].*GC\\(\\d+\\) (Pause [^()]*).* ([0-9.]+)ms$");

    /** One second of the window. CPU figures are in cores (1.0 = one core busy for the whole second). */
    record Second(double load1, int runQueue, double machineCores, double stealCores, double benchCores,
                  double brokerCores, double otherCores, double streamThreadCores, double hiccupMaxMs, double benchGcMs,
                  double benchGcMaxMs, double brokerGcMs, double brokerGcMaxMs, int commits) {
    }

    private final long fromMillis;
    private final int seconds;
    private final Supplier<Duration> brokerCpu;
    private final double[] hiccupMax;
    private final double[] gcMs;
    private final double[] gcMax;
    private final double[] load1;
    private final int[] runQueue;
    private final long[] machineBusyJiffies;
    private final long[] machineTotalJiffies;
    private final long[] stealJiffies;
    private final long[] benchCpuNanos;
    private final long[] brokerCpuNanos;
    private final long[] streamCpuNanos;
    private final int cores = Runtime.getRuntime().availableProcessors();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Thread hiccupThread;
    private final Thread samplerThread;
    private final List<Runnable> unregister = new ArrayList<>();
    private volatile boolean running = true;

    /**
     * @param fromMillis the window's start (epoch ms)
     * @param brokerCpu  the broker process's CPU time so far, or zero when there is no broker process
     */
    MachineTimeline(long fromMillis, int seconds, Supplier<Duration> brokerCpu) {
        this.fromMillis = fromMillis;
        this.seconds = seconds;
        this.brokerCpu = brokerCpu;
        hiccupMax = new double[seconds];
        gcMs = new double[seconds];
        gcMax = new double[seconds];
        load1 = new double[seconds + 1];
        runQueue = new int[seconds + 1];
        machineBusyJiffies = new long[seconds + 1];
        machineTotalJiffies = new long[seconds + 1];
        stealJiffies = new long[seconds + 1];
        benchCpuNanos = new long[seconds + 1];
        brokerCpuNanos = new long[seconds + 1];
        streamCpuNanos = new long[seconds + 1];
        hiccupThread = new Thread(this::hiccups, "bench-hiccup-meter");
        hiccupThread.setDaemon(true);
        samplerThread = new Thread(this::sample, "bench-machine-sampler");
        samplerThread.setDaemon(true);
        listenToGc();
    }

    MachineTimeline start() {
        hiccupThread.start();
        samplerThread.start();
        return this;
    }

    private int secondOf(long epochMillis) {
        long d = epochMillis - fromMillis;
        return d < 0 ? -1 : (int) (d / 1000);
    }

    private void hiccups() {
        while (running) {
            long t0 = System.nanoTime();
            LockSupport.parkNanos(HICCUP_SLEEP.toNanos());
            double lateMs = (System.nanoTime() - t0 - HICCUP_SLEEP.toNanos()) / 1e6;
            int s = secondOf(System.currentTimeMillis());
            if (s >= seconds) {
                return;
            }
            if (s >= 0 && lateMs > hiccupMax[s]) {
                hiccupMax[s] = lateMs;
            }
        }
    }

    /** Samples at each second boundary of the window (index 0 = its start, index {@code seconds} = its end). */
    private void sample() {
        for (int i = 0; i <= seconds && running; i++) {
            long due = fromMillis + i * 1000L;
            long wait;
            while ((wait = due - System.currentTimeMillis()) > 0) {
                LockSupport.parkNanos(wait * 1_000_000L);
            }
            long[] cpu = procStatCpu();
            machineBusyJiffies[i] = cpu[0];
            machineTotalJiffies[i] = cpu[1];
            runQueue[i] = (int) cpu[2];
            stealJiffies[i] = cpu[3];
            load1[i] = loadAverage1();
            benchCpuNanos[i] = ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).toNanos();
            brokerCpuNanos[i] = brokerCpu.get().toNanos();
            streamCpuNanos[i] = streamThreadCpuNanos();
        }
    }

    private long streamThreadCpuNanos() {
        long sum = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().contains("StreamThread") && !info.getThreadName().contains("Global")) {
                long c = threads.getThreadCpuTime(info.getThreadId());
                if (c > 0) {
                    sum += c;
                }
            }
        }
        return sum;
    }

    /**
     * {busy jiffies, total jiffies, procs_running, steal jiffies} from /proc/stat; -1s elsewhere. Busy includes steal
     * (time the hypervisor gave this VM's CPUs to someone else): for the scorer it is a core it did not get either.
     */
    private static long[] procStatCpu() {
        try {
            long busy = -1;
            long total = -1;
            long running = -1;
            long steal = -1;
            for (String line : Files.readAllLines(Path.of("/proc/stat"))) {
                if (line.startsWith("cpu ")) {
                    String[] f = line.trim().split("\\s+");
                    total = 0;
                    for (int k = 1; k < f.length && k <= 8; k++) { // user nice system idle iowait irq softirq steal
                        total += Long.parseLong(f[k]);
                    }
                    busy = total - Long.parseLong(f[4]) - Long.parseLong(f[5]);
                    steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
                } else if (line.startsWith("procs_running ")) {
                    running = Long.parseLong(line.substring("procs_running ".length()).trim());
                }
            }
            return new long[]{busy, total, running, steal};
        } catch (IOException | RuntimeException e) {
            return new long[]{-1, -1, -1, -1};
        }
    }

    private static double loadAverage1() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    private void listenToGc() {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (!(gc instanceof NotificationEmitter emitter)) {
                continue;
            }
            NotificationListener listener = (Notification n, Object handback) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                    return;
                }
                GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                if (info.getGcName().contains("Concurrent")) {
                    return; // not a pause
                }
                int s = secondOf(jvmStart + info.getGcInfo().getStartTime());
                if (s >= 0 && s < seconds) {
                    double ms = info.getGcInfo().getDuration();
                    synchronized (gcMs) {
                        gcMs[s] += ms;
                        gcMax[s] = Math.max(gcMax[s], ms);
                    }
                }
            };
            emitter.addNotificationListener(listener, null, null);
            unregister.add(() -> {
                try {
                    emitter.removeNotificationListener(listener);
                } catch (javax.management.ListenerNotFoundException ignored) {
                    // already gone
                }
            });
        }
    }

    /** Stops sampling once the window is over (waits for its last second). */
    @Override
    public void close() throws InterruptedException {
        samplerThread.join(Math.max(0, fromMillis + seconds * 1000L + 2_000 - System.currentTimeMillis()));
        running = false;
        hiccupThread.join(1_000);
        unregister.forEach(Runnable::run);
    }

    /**
     * The seconds of the window; call after {@link #close()}.
     *
     * @param brokerGcLog the broker's GC log ({@code -Xlog:gc:file=...:time}), or null
     * @param commitMillis the scorer's offset commits (epoch ms)
     */
    List<Second> seconds(Path brokerGcLog, List<Long> commitMillis) {
        double[] brokerGc = new double[seconds];
        double[] brokerGcMax = new double[seconds];
        for (GcPause p : gcPauses(brokerGcLog)) {
            int s = secondOf(p.epochMillis());
            if (s >= 0 && s < seconds) {
                brokerGc[s] += p.millis();
                brokerGcMax[s] = Math.max(brokerGcMax[s], p.millis());
            }
        }
        int[] commits = new int[seconds];
        for (long c : commitMillis) {
            int s = secondOf(c);
            if (s >= 0 && s < seconds) {
                commits[s]++;
            }
        }
        List<Second> out = new ArrayList<>();
        for (int s = 0; s < seconds; s++) {
            long totalJ = machineTotalJiffies[s + 1] - machineTotalJiffies[s];
            double wallS = 1.0;
            double machine = machineTotalJiffies[s] < 0 || totalJ <= 0 ? Double.NaN
                    : cores * (double) (machineBusyJiffies[s + 1] - machineBusyJiffies[s]) / totalJ;
            double steal = machineTotalJiffies[s] < 0 || totalJ <= 0 ? Double.NaN
                    : cores * (double) (stealJiffies[s + 1] - stealJiffies[s]) / totalJ;
            double bench = (benchCpuNanos[s + 1] - benchCpuNanos[s]) / 1e9 / wallS;
            double broker = (brokerCpuNanos[s + 1] - brokerCpuNanos[s]) / 1e9 / wallS;
            double stream = (streamCpuNanos[s + 1] - streamCpuNanos[s]) / 1e9 / wallS;
            out.add(new Second(load1[s + 1], runQueue[s + 1], machine, steal, bench, broker,
                    Math.max(0, machine - bench - broker), stream, hiccupMax[s], gcMs[s], gcMax[s], brokerGc[s],
                    brokerGcMax[s], commits[s]));
        }
        return out;
    }

    /** One stop-the-world pause from a GC log. */
    record GcPause(long epochMillis, String what, double millis) {
    }

    /** The pauses in a GC log written with {@code -Xlog:gc:file=PATH:time}; empty when there is none. */
    static List<GcPause> gcPauses(Path log) {
        List<GcPause> out = new ArrayList<>();
        if (log == null || !Files.isRegularFile(log)) {
            return out;
        }
        try {
            for (String line : Files.readAllLines(log)) {
                Matcher m = GC_LINE.matcher(line.trim());
                if (m.matches()) {
                    long at = java.time.OffsetDateTime.parse(m.group(1),
                            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSZ", Locale.ROOT))
                            .toInstant().toEpochMilli();
                    out.add(new GcPause(at, m.group(2).trim(), Double.parseDouble(m.group(3))));
                }
            }
        } catch (IOException | RuntimeException e) {
            // A log we cannot read gives no broker GC column; the report says "n/a" by the sum being 0.
        }
        return out;
    }
}
