package io.streamscore.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real single-node Kafka broker in its own JVM: the devkit's {@code EmbeddedKafkaMain} from {@code devkit.jar}.
 *
 * <p>Why a separate JVM and not the in-process {@code EmbeddedKafkaBroker}: the broker's heap, GC pauses and JIT work
 * stay out of the measured app's JVM, and its CPU time can be read per process (the two still share the machine's
 * cores, which the report states next to every figure).
 */
final class BrokerProcess implements AutoCloseable {
    private static final String MAIN = "io.streamscore.devkit.EmbeddedKafkaMain";
    private static final String READY = "bootstrap.servers=";

    private final Process process;
    private final String bootstrapServers;
    private final Path log;

    private BrokerProcess(Process process, String bootstrapServers, Path log) {
        this.process = process;
        this.bootstrapServers = bootstrapServers;
        this.log = log;
    }

    /** Starts the broker and returns once it printed its address (it answers a describeCluster by then). */
    static BrokerProcess start(Path devkitJar, String heap, Duration timeout) throws IOException, InterruptedException {
        if (!Files.isRegularFile(devkitJar)) {
            throw new IllegalArgumentException("no broker jar at " + devkitJar.toAbsolutePath()
                    + "; build it with ./mvnw -B -q install -DskipTests -pl bench -am, or pass --devkit-jar or --bootstrap-servers");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = Files.createTempFile("scorer-e2e-broker", ".log");
        Process p = new ProcessBuilder(List.of(java.toString(), "-Xms" + heap, "-Xmx" + heap, "-cp",
                devkitJar.toString(), MAIN))
                .redirectError(log.toFile())
                .start();
        String[] found = new String[1];
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith(READY)) {
                        synchronized (found) {
                            found[0] = line.substring(READY.length()).trim();
                            found.notifyAll();
                        }
                    }
                }
            } catch (IOException e) {
                // The process ended; start() reports it below.
            }
        }, "broker-stdout");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (found) {
            while (found[0] == null && p.isAlive() && System.nanoTime() < deadline) {
                found.wait(200);
            }
        }
        if (found[0] == null) {
            p.destroyForcibly();
            throw new IllegalStateException("the broker did not start within " + timeout + " (exit "
                    + (p.isAlive() ? "n/a" : p.exitValue()) + "); its log: " + log);
        }
        return new BrokerProcess(p, found[0], log);
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    Path log() {
        return log;
    }

    /** CPU time (user + system) the broker process used so far, or zero when the OS does not say. */
    Duration cpuTime() {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** SIGTERM and wait, so the broker shuts down cleanly; SIGKILL only if it does not within 30 s. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /**
     * As {@link #start(Path, String, Duration)}, with extra JVM options for the broker (a GC log, a flight recording),
     * placed before the main class.
     */
    static BrokerProcess start(Path devkitJar, String heap, Duration timeout, List<String> jvmOptions)
            throws IOException, InterruptedException {
        if (!Files.isRegularFile(devkitJar)) {
            throw new IllegalArgumentException("no broker jar at " + devkitJar.toAbsolutePath()
                    + "; build it with ./mvnw -B -q package -DskipTests -pl bench -am, or pass --devkit-jar or --bootstrap-servers");
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = Files.createTempFile("scorer-e2e-broker", ".log");
        List<String> command = new java.util.ArrayList<>(List.of(java.toString(), "-Xms" + heap, "-Xmx" + heap));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", devkitJar.toString(), MAIN));
        Process p = new ProcessBuilder(command).redirectError(log.toFile()).start();
        java.util.concurrent.CompletableFuture<String> address = new java.util.concurrent.CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith(READY)) {
                        address.complete(line.substring(READY.length()).trim());
                    }
                }
            } catch (IOException e) {
                // The process ended; reported below.
            }
            address.complete(null);
        }, "broker-stdout");
        reader.setDaemon(true);
        reader.start();
        String found;
        try {
            found = address.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            found = null;
        }
        if (found == null) {
            p.destroyForcibly();
            throw new IllegalStateException("the broker did not start within " + timeout + " (exit "
                    + (p.isAlive() ? "n/a" : p.exitValue()) + "); its log: " + log);
        }
        return new BrokerProcess(p, found, log);
    }
}
