package io.streamscore.scorer;

import io.streamscore.common.event.ModelSelection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScorerCliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final List<ScorerConfig> ran = new ArrayList<>();

    private int run(String... args) {
        return ScorerCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), ran::add).execute(args);
    }

    @Test
    void shouldPrintHelpWithOptionsDefaultsAndExamples() {
        assertEquals(ScorerCli.EXIT_OK, run("--help"));
        String help = out.toString().replaceAll("\\s+", " ");  // picocli wraps long descriptions
        for (String s : List.of("--bootstrap-servers", "--application-id", "--models-topic", "--features-topic",
                "--scores-topic", "--dead-letters-topic", "--processing-guarantee", "--threads", "--client-config",
                "--create-topics", "--http-port", "--instance-id", "--model-selection=latest|event-time",
                "--profile=latency|throughput", "Default: latency",
                "Default: exactly_once_v2", "Default: dead-letters", "--shadow-scores-topic", "Default: shadow-scores",
                "Examples:")) {
            assertTrue(help.contains(s), "help mentions " + s + ":\n" + help);
        }
        assertTrue(ran.isEmpty());
    }

    @Test
    void shouldExitWithUsageAndOneClearLineForAnUnknownOption() {
        assertEquals(ScorerCli.EXIT_USAGE, run("--bootstrap-servers", "b:1", "--bogus"));
        assertEquals("error: Unknown option: '--bogus' (see 'scorer --help')", err.toString().strip());
        assertTrue(ran.isEmpty());
    }

    @Test
    void shouldExitWithUsageForAnInvalidValue() {
        assertEquals(ScorerCli.EXIT_USAGE, run("--bootstrap-servers", "b:1", "--processing-guarantee", "exactly_once"));
        assertEquals("error: processing.guarantee (--processing-guarantee) is 'exactly_once'; must be exactly_once_v2 or "
                + "at_least_once (see 'scorer --help')",
                err.toString().strip());
        assertEquals(ScorerCli.EXIT_USAGE, run("--threads", "many"));
        assertTrue(ran.isEmpty());
    }

    @Test
    void shouldExitWithUsageWhenBootstrapServersAreMissing() {
        assertEquals(ScorerCli.EXIT_USAGE, run());
        assertTrue(err.toString().startsWith("error: bootstrap.servers is not set"), err.toString());
    }

    @Test
    void shouldLayerTheClientConfigFileUnderTheFlags(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "bootstrap.servers=file:9092\nsecurity.protocol=SASL_SSL\nnum.stream.threads=4\n"
                + "streamscore.topic.features=from-file\n");
        assertEquals(ScorerCli.EXIT_OK, run("--client-config", file.toString(), "--threads", "2", "--create-topics",
                "--http-port", "0"));
        ScorerConfig c = ran.get(0);
        assertEquals("file:9092", c.bootstrapServers());
        assertEquals(2, c.threads());
        assertEquals("from-file", c.featuresTopic());
        assertEquals("SASL_SSL", c.clientProperties().get("security.protocol"));
        assertTrue(c.createTopics());
        assertEquals(0, c.httpPort());
    }

    @Test
    void shouldTakeTheInstanceIdFlagOverTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "streamscore.instance.id=from-file\n");
        assertEquals(ScorerCli.EXIT_OK, run("--bootstrap-servers", "b:1", "--client-config", file.toString()));
        assertEquals(java.util.Optional.of("from-file"), ran.get(0).instanceId());
        assertEquals(ScorerCli.EXIT_OK, run("--bootstrap-servers", "b:1", "--client-config", file.toString(),
                "--instance-id", "scorer-2"));
        assertEquals(java.util.Optional.of("scorer-2"), ran.get(1).instanceId());
        assertEquals(ScorerCli.EXIT_USAGE, run("--bootstrap-servers", "b:1", "--instance-id", "no spaces"));
        assertTrue(err.toString().contains("streamscore.instance.id (--instance-id) is 'no spaces'; must be empty (none) or 1 to 200 of"), err.toString());
    }

    @Test
    void shouldTakeTheModelSelectionFlagOverTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "streamscore.model.selection=event-time\n");
        assertEquals(ScorerCli.EXIT_OK, run("--bootstrap-servers", "b:1", "--client-config", file.toString()));
        assertEquals(ModelSelection.EVENT_TIME, ran.get(0).modelSelection());
        assertEquals(ScorerCli.EXIT_OK, run("--bootstrap-servers", "b:1", "--client-config", file.toString(),
                "--model-selection", "latest"));
        assertEquals(ModelSelection.LATEST, ran.get(1).modelSelection());
        assertEquals(ScorerCli.EXIT_USAGE, run("--bootstrap-servers", "b:1", "--model-selection", "event"));
        assertEquals("error: streamscore.model.selection (--model-selection) is 'event'; must be latest or event-time "
                + "(see 'scorer --help')",
                err.toString().strip());
    }

    @Test
    void shouldTurnContributionsOnWithEitherFlag() {
        assertEquals(ScorerCli.EXIT_OK, run("--bootstrap-servers", "b:1"));
        assertEquals(ScorerConfig.ContributionsMode.OFF, ran.get(0).contributions());
        assertEquals(ScorerCli.EXIT_OK, run("--bootstrap-servers", "b:1", "--contributions"));
        assertEquals(new ScorerConfig.ContributionsMode(true, 0), ran.get(1).contributions());
        assertEquals(ScorerCli.EXIT_OK, run("--bootstrap-servers", "b:1", "--contributions-top", "3"));
        assertEquals(new ScorerConfig.ContributionsMode(true, 3), ran.get(2).contributions());
        assertEquals(ScorerCli.EXIT_USAGE, run("--bootstrap-servers", "b:1", "--contributions-top", "0"));
        assertTrue(err.toString().contains("--contributions-top (streamscore.contributions.top) is '0'; must be an integer >= 1"), err.toString());
        assertEquals(3, ran.size());
    }

    @Test
    void shouldExitWithUsageForAnUnreadableClientConfig(@TempDir Path dir) {
        assertEquals(ScorerCli.EXIT_USAGE, run("--bootstrap-servers", "b:1", "--client-config", dir.resolve("nope").toString()));
        assertTrue(err.toString().startsWith("error: cannot read --client-config"), err.toString());
    }

    @Test
    void shouldExitFailedWithOneLineNamingMissingTopics() {
        int code = ScorerCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), c -> {
            throw new ScorerApp.MissingTopicsException("missing topics features, scores on b:1; create them or start with --create-topics");
        }).execute("--bootstrap-servers", "b:1");
        assertEquals(ScorerCli.EXIT_FAILED, code);
        assertEquals("error: missing topics features, scores on b:1; create them or start with --create-topics",
                err.toString().strip());
    }

    @Test
    void shouldExitFailedWhenTheRunFails() {
        int code = ScorerCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), c -> {
            throw new IllegalStateException("broker gone");
        }).execute("--bootstrap-servers", "b:1");
        assertEquals(ScorerCli.EXIT_FAILED, code);
        assertEquals("error: java.lang.IllegalStateException: broker gone", err.toString().strip());
    }

    @Test
    void shouldExitFailedWithOneLineWhenTheHttpPortIsTaken() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0)) {
            int code = ScorerCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), c -> {
                try (HttpEndpoint ignored = new HttpEndpoint(c.httpPort(), new ScorerMetrics(), new ScorerHealth(
                        ScorerTopology.MODEL_STORE, new ScorerMetrics().inFlightRecords(), java.time.Duration.ofSeconds(1),
                        System::nanoTime))) {
                    throw new AssertionError("bound a taken port");
                }
            }).execute("--bootstrap-servers", "b:1", "--http-port", String.valueOf(taken.getLocalPort()));
            assertEquals(ScorerCli.EXIT_FAILED, code);
            assertEquals("error: HTTP port " + taken.getLocalPort() + " is already in use (another scorer on this host?);"
                    + " give this one another port with --http-port PORT, or --http-port 0 for any free port"
                    + " (streamscore.http.port in --client-config)", err.toString().strip());
        }
    }

    @Test
    void shouldTakeTheTrainersKafkaTimeoutNameAndTheOldNameWithANote() {
        assertEquals(ScorerCli.EXIT_OK, run("--bootstrap-servers", "b:1", "--kafka-timeout", "7"));
        assertEquals(java.time.Duration.ofSeconds(7), ran.get(0).startupTimeout());
        assertEquals("", err.toString());
        assertEquals(ScorerCli.EXIT_OK, run("--bootstrap-servers", "b:1", "--startup-timeout", "9"));
        assertEquals(java.time.Duration.ofSeconds(9), ran.get(1).startupTimeout());
        assertEquals("note: --startup-timeout is now --kafka-timeout; the old name works until the next release",
                err.toString().strip());
        out.getBuffer().setLength(0);
        assertEquals(ScorerCli.EXIT_OK, run("--help"));
        assertTrue(!out.toString().contains("--startup-timeout"), "hidden from the help:\n" + out);
    }

    /** Options show what they take (ID, TOPIC, N), never picocli's <fieldName>; examples start with the program name. */
    @Test
    void shouldShowPlaceholdersAndExamplesAUserCanPaste() {
        java.io.PrintStream stderr = System.err;
        java.io.ByteArrayOutputStream picocliWarnings = new java.io.ByteArrayOutputStream();
        try {
            System.setErr(new java.io.PrintStream(picocliWarnings, true, java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(ScorerCli.EXIT_OK, run("--help"));
        } finally {
            System.setErr(stderr);
        }
        assertEquals("", picocliWarnings.toString(java.nio.charset.StandardCharsets.UTF_8), "help renders without warnings");
        String help = out.toString();
        assertTrue(!help.contains("<"), "no <fieldName> placeholders:\n" + help);
        assertTrue(help.contains("--application-id=ID") && help.contains("--models-topic=TOPIC"), help);
        boolean inExamples = false;
        int examples = 0;
        String[] description = ScorerCli.commandLine(new PrintWriter(out), new PrintWriter(err), ran::add)
                .getCommandSpec().usageMessage().description();
        for (String line : description) {
            if (line.startsWith("Examples:")) {
                inExamples = true;
            } else if (inExamples && line.startsWith("  ")) {
                assertTrue(line.startsWith("  scorer "), "example without the program name: " + line);
                examples++;
            } else {
                inExamples = false;
            }
        }
        assertTrue(examples >= 3, help);
    }

    @Test
    void shouldTakeTheProfileFlagOverTheFileAndRefuseAnUnknownOne(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("client.properties");
        Files.writeString(file, "streamscore.profile=throughput\n");
        assertEquals(ScorerCli.EXIT_OK, run("--bootstrap-servers", "b:1", "--client-config", file.toString()));
        assertEquals(ScorerProfile.THROUGHPUT, ran.get(0).profile());
        assertEquals(ScorerCli.EXIT_OK, run("--bootstrap-servers", "b:1", "--client-config", file.toString(),
                "--profile", "latency"));
        assertEquals(ScorerProfile.LATENCY, ran.get(1).profile());
        assertEquals("5", ran.get(1).clientProperties().get("linger.ms"));
        assertEquals(ScorerCli.EXIT_USAGE, run("--bootstrap-servers", "b:1", "--profile", "fast"));
        assertEquals("error: streamscore.profile (--profile) is 'fast'; must be throughput or latency (see 'scorer --help')",
                err.toString().strip());
        assertEquals(2, ran.size());
    }
}
