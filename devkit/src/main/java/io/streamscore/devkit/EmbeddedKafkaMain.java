package io.streamscore.devkit;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs an {@link EmbeddedKafkaBroker} as its own process for users and scripts: prints
 * {@code bootstrap.servers=127.0.0.1:PORT} on stdout once the broker answers, then serves until SIGTERM/SIGINT,
 * when it shuts the broker down cleanly (no log recovery on the next start).
 */
@Command(name = "embedded-kafka", mixinStandardHelpOptions = true, showDefaultValues = true,
        description = {
            "Runs a real single-node Apache Kafka broker (KRaft) on 127.0.0.1 until SIGTERM or Ctrl-C.",
            "Prints bootstrap.servers=127.0.0.1:PORT on stdout once it is ready; broker logs (WARN) go to stderr.",
            "",
            "Examples:",
            "  java -cp devkit/target/devkit.jar io.streamscore.devkit.EmbeddedKafkaMain",
            "  java -cp devkit/target/devkit.jar io.streamscore.devkit.EmbeddedKafkaMain --port 9092 --data-dir /tmp/kafka"
        })
public final class EmbeddedKafkaMain implements Callable<Integer> {

    /** Exit codes, named once; picocli itself returns 2 for usage errors. */
    static final int EXIT_OK = 0;
    static final int EXIT_FAILED = 1;

    /** The log4j2 config shipped in this jar; a user's -Dlog4j2.configurationFile wins. */
    private static final String LOG_CONFIG = "devkit-log4j2.xml";

    @Spec
    private CommandSpec spec;

    @Option(names = "--port", paramLabel = "N", defaultValue = "0",
            description = "Client (PLAINTEXT) port on 127.0.0.1; 0 picks a free one.")
    private int port;

    @Option(names = "--controller-port", paramLabel = "N", defaultValue = "0",
            description = "KRaft controller port on 127.0.0.1; 0 picks a free one.")
    private int controllerPort;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Keep the data here across runs (default: a temp dir deleted on exit).")
    private Path dataDir;

    private final CountDownLatch stopped = new CountDownLatch(1);

    public static void main(String[] args) {
        useBundledLogConfigUnlessGiven();
        System.exit(commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args));
    }

    /** The command line with the given writers, so tests can capture what it prints. */
    static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine commandLine = new CommandLine(new EmbeddedKafkaMain());
        commandLine.setOut(out);
        commandLine.setErr(err);
        return commandLine;
    }

    private static void useBundledLogConfigUnlessGiven() {
        if (System.getProperty("log4j2.configurationFile") == null) {
            // Must be set before the first logger is created, i.e. before the broker class loads.
            System.setProperty("log4j2.configurationFile", "classpath:" + LOG_CONFIG);
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EmbeddedKafkaBroker.Builder builder = EmbeddedKafkaBroker.builder()
                .withPort(port)
                .withListenerPort("CONTROLLER", controllerPort);
        if (dataDir != null) {
            builder.withDataDir(dataDir);
        }
        EmbeddedKafkaBroker broker;
        try {
            broker = builder.start();
        } catch (RuntimeException e) {
            err.println("embedded-kafka: could not start the broker: " + e.getMessage());
            e.printStackTrace(err);
            return EXIT_FAILED;
        }
        Thread hook = new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "embedded-kafka-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        out.println("bootstrap.servers=" + broker.bootstrapServers());
        out.flush();
        stopped.await();
        return EXIT_OK;
    }
}
