package io.streamscore.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.streamscore.scorer.ScorerCli;
import io.streamscore.scorer.ScorerConfig;
import io.streamscore.trainer.cli.TrainerCli;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * docker-compose.yml can't run here (no Docker engine), so it is checked against the code: the services exist, their
 * build targets are stages of the root Dockerfile, and the trainer's and scorer's command lines parse with the real
 * picocli command lines; the {@code monitoring} profile's Prometheus scrapes the scorer's service at the port its
 * command line gives, and its Grafana is provisioned with that Prometheus and the dashboard of deploy/grafana. Without
 * Docker, {@code docker compose config -q} (with and without {@code --profile monitoring}) is skipped and says so; it
 * runs where the Docker CLI has compose.
 */
@Tag("integration")
@Timeout(60)
class DockerComposeTest {
    private static Path root;
    private static JsonNode compose;
    private static Map<String, String> stages; // Dockerfile stage name -> its lines
    private static final Pattern FROM = Pattern.compile("^FROM\\s+\\S+\\s+AS\\s+(\\S+)\\s*$", Pattern.CASE_INSENSITIVE);

    @BeforeAll
    static void read() throws Exception {
        root = repositoryRoot();
        compose = new YAMLMapper().readTree(root.resolve("docker-compose.yml").toFile());
        stages = new LinkedHashMap<>();
        String current = null;
        for (String line : Files.readAllLines(root.resolve("Dockerfile"))) {
            Matcher m = FROM.matcher(line.trim());
            if (m.matches()) {
                current = m.group(1);
                stages.put(current, "");
            } else if (current != null) {
                stages.merge(current, line + "\n", String::concat);
            }
        }
    }

    @Test
    void servicesExistAndBuildStagesOfTheRootDockerfile() throws Exception {
        JsonNode services = compose.path("services");
        for (String name : List.of("kafka", "trainer", "scorer")) {
            assertTrue(services.has(name), "service '" + name + "' in docker-compose.yml; services: " + fieldNames(services));
        }
        assertTrue(services.path("kafka").path("image").asText().startsWith("apache/kafka:"), "kafka image");
        for (String app : List.of("trainer", "scorer")) {
            JsonNode build = services.path(app).path("build");
            assertEquals(".", build.path("context").asText(), app + " build context (the root Dockerfile)");
            String target = build.path("target").asText();
            assertTrue(stages.containsKey(target), app + " build target '" + target + "' is a stage of the Dockerfile; stages: "
                    + stages.keySet());
            // The stage copies the module's runnable jar, which the module's pom writes as target/app.jar (the jar's
            // final name, or the shade plugin's output file).
            String copy = "/src/" + app + "/target/" + app + ".jar";
            assertTrue(stages.get(target).contains(copy), "stage '" + target + "' copies " + copy);
            String pom = Files.readString(root.resolve(app).resolve("pom.xml"));
            assertTrue(pom.contains("<finalName>" + app + "</finalName>")
                            || pom.contains("<outputFile>${project.build.directory}/" + app + ".jar</outputFile>"),
                    app + "/pom.xml builds target/" + app + ".jar");
        }
        assertTrue(stages.get(services.path("scorer").path("build").path("target").asText())
                        .contains("ENTRYPOINT [\"java\", \"-XX:MaxRAMPercentage=75.0\", \"-XX:+ExitOnOutOfMemoryError\", \"-jar\", "
                                + "\"/app/scorer.jar\"]"),
                "the scorer stage's entrypoint runs scorer.jar, so the compose command is the scorer's arguments");
    }

    @Test
    void scorerCommandParsesWithTheScorerCli() throws Exception {
        JsonNode scorer = compose.path("services").path("scorer");
        List<String> args = strings(scorer.path("command"));
        ScorerConfig config = parseScorer(args.toArray(String[]::new));
        assertEquals("kafka:9092", config.bootstrapServers());
        assertTrue(config.createTopics(), "--create-topics: the compose scorer creates its topics");
        assertTrue(compose.path("services").path("kafka").path("environment").path("KAFKA_ADVERTISED_LISTENERS").asText()
                .contains("PLAINTEXT://kafka:" + 9092), "the broker advertises the address the scorer is given");
        assertTrue(strings(scorer.path("ports")).contains(config.httpPort() + ":" + config.httpPort()),
                "scorer publishes its HTTP port " + config.httpPort() + "; ports: " + scorer.path("ports"));
        // The capture is a real parse: an unknown flag is a usage error.
        assertThrows(UsageError.class, () -> parseScorer("--bootstrap-servers", "kafka:9092", "--bogus"));
    }

    @Test
    void trainerCommandsParseWithTheTrainerCli() {
        JsonNode trainer = compose.path("services").path("trainer");
        assertEquals(List.of("sh", "-c"), strings(trainer.path("entrypoint")), "trainer entrypoint");
        List<String> script = strings(trainer.path("command"));
        assertEquals(1, script.size(), "one sh -c script: " + script);
        assertTrue(script.get(0).chars().noneMatch(c -> c == '"' || c == '\'' || c == '\\' || c == '$'),
                "the script has no quoting or expansion, so splitting at blanks is how sh splits it: " + script.get(0));
        List<String> subcommands = new ArrayList<>();
        // The image's entrypoint flag (SIMD training passes), repeated because sh -c replaces the entrypoint.
        String prefix = "java --add-modules jdk.incubator.vector -jar /app/trainer.jar ";
        assertTrue(stages.get(trainer.path("build").path("target").asText()).contains(
                        "ENTRYPOINT [\"java\", \"-XX:MaxRAMPercentage=75.0\", \"-XX:+ExitOnOutOfMemoryError\", \"--add-modules\", "
                                + "\"jdk.incubator.vector\", \"-jar\", \"/app/trainer.jar\"]"),
                "the trainer stage's entrypoint runs trainer.jar with the Vector API module");
        for (String step : script.get(0).split("&&")) {
            String s = step.trim().replaceAll("\\s+", " ");
            assertTrue(s.startsWith(prefix), "each step runs the trainer jar: " + s);
            String[] args = s.substring(prefix.length()).split(" ");
            CommandLine cl = TrainerCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
            CommandLine.ParseResult parsed;
            try {
                parsed = cl.parseArgs(args);
            } catch (CommandLine.ParameterException e) {
                throw new AssertionError("trainer " + String.join(" ", args) + " does not parse: " + e.getMessage(), e);
            }
            CommandLine.ParseResult sub = parsed.subcommand();
            assertNotNull(sub, "a subcommand in: " + s);
            subcommands.add(sub.commandSpec().name());
            if (sub.commandSpec().name().equals("train")) {
                assertTrue(sub.hasMatchedOption("--publish"), "train publishes");
                assertEquals("kafka:9092", sub.matchedOptionValue("--bootstrap-servers", ""));
                assertEquals("models", sub.matchedOptionValue("--models-topic", ""), "the topic the scorer reads by default");
            }
        }
        assertEquals(List.of("generate", "train"), subcommands);
        assertThrows(CommandLine.ParameterException.class,
                () -> TrainerCli.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))
                        .parseArgs("train", "--data", "x.csv", "--bogus"),
                "a real parse refuses an unknown flag");
    }

    @Test
    void monitoringProfileScrapesTheScorerAndProvisionsGrafanaWithTheDashboard() throws Exception {
        JsonNode services = compose.path("services");
        for (String name : List.of("kafka", "trainer", "scorer")) {
            assertTrue(services.path(name).path("profiles").isMissingNode(),
                    name + " has no profile: a plain `docker compose up` starts what it did");
        }
        for (String name : List.of("prometheus", "grafana")) {
            assertEquals(List.of("monitoring"), strings(services.path(name).path("profiles")), name + " profiles");
            String image = services.path(name).path("image").asText();
            assertTrue(image.matches("[a-z]+/[a-z]+:v?\\d+\\.\\d+\\.\\d+"), name + " image pinned to a release: " + image);
        }

        // Prometheus reads the mounted config, which scrapes the scorer's service at the HTTP port of its command line.
        JsonNode prometheus = services.path("prometheus");
        Map<String, Path> promMounts = bindMounts(prometheus);
        String configFlag = strings(prometheus.path("command")).stream().filter(c -> c.startsWith("--config.file="))
                .findFirst().orElseThrow(() -> new AssertionError("prometheus --config.file in " + prometheus.path("command")));
        Path promConfig = promMounts.get(configFlag.substring("--config.file=".length()));
        assertNotNull(promConfig, configFlag + " is mounted from the repository; mounts " + promMounts);
        JsonNode scrapeConfigs = new YAMLMapper().readTree(promConfig.toFile()).path("scrape_configs");
        assertEquals(1, scrapeConfigs.size(), "one scrape job: " + scrapeConfigs);
        JsonNode job = scrapeConfigs.get(0);
        assertEquals("/metrics", job.path("metrics_path").asText("/metrics"), "the scorer's metrics path");
        ScorerConfig scorer = parseScorer(strings(services.path("scorer").path("command")).toArray(String[]::new));
        List<String> targets = new ArrayList<>();
        job.path("static_configs").forEach(c -> targets.addAll(strings(c.path("targets"))));
        assertEquals(List.of("scorer:" + scorer.httpPort()), targets, "the scorer service at its --http-port");
        assertTrue(strings(prometheus.path("depends_on")).contains("scorer") || prometheus.path("depends_on").has("scorer"),
                "prometheus starts with the scorer");

        // Grafana: provisioned with that Prometheus as its datasource and with the dashboards directory.
        JsonNode grafana = services.path("grafana");
        Map<String, Path> grafanaMounts = bindMounts(grafana);
        Path provisioning = grafanaMounts.get("/etc/grafana/provisioning");
        assertNotNull(provisioning, "provisioning mounted at /etc/grafana/provisioning; mounts " + grafanaMounts);
        List<JsonNode> datasources = new ArrayList<>();
        for (Path f : yamlFiles(provisioning.resolve("datasources"))) {
            new YAMLMapper().readTree(f.toFile()).path("datasources").forEach(datasources::add);
        }
        assertEquals(1, datasources.size(), "one datasource: " + datasources);
        JsonNode datasource = datasources.get(0);
        assertEquals("prometheus", datasource.path("type").asText());
        assertEquals("http://prometheus:9090", datasource.path("url").asText(), "the prometheus service at its port");
        assertTrue(strings(prometheus.path("ports")).contains("9090:9090"), "prometheus listens on 9090");
        List<JsonNode> providers = new ArrayList<>();
        for (Path f : yamlFiles(provisioning.resolve("dashboards"))) {
            new YAMLMapper().readTree(f.toFile()).path("providers").forEach(providers::add);
        }
        assertEquals(1, providers.size(), "one dashboard provider: " + providers);
        Path dashboards = grafanaMounts.get(providers.get(0).path("options").path("path").asText());
        assertNotNull(dashboards, "the provider's path is mounted from the repository; mounts " + grafanaMounts);
        assertEquals(root.resolve("deploy/grafana/dashboards").normalize(), dashboards);
        String home = grafana.path("environment").path("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH").asText();
        assertTrue(Files.isRegularFile(dashboards.resolve(home.substring(home.lastIndexOf('/') + 1))), "home dashboard " + home);

        // The dashboard: every panel queries Prometheus (the datasource variable, or the provisioned uid) with PromQL.
        JsonNode dashboard = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dashboards.resolve("streamscore-scorer.json").toFile());
        JsonNode variable = null;
        for (JsonNode v : dashboard.path("templating").path("list")) {
            if (v.path("type").asText().equals("datasource")) {
                variable = v;
            }
        }
        assertNotNull(variable, "a datasource variable");
        assertEquals("prometheus", variable.path("query").asText());
        String uidRef = "${" + variable.path("name").asText() + "}";
        int queries = 0;
        for (JsonNode panel : dashboard.path("panels")) {
            if (panel.path("type").asText().equals("row")) {
                continue;
            }
            String uid = panel.path("datasource").path("uid").asText();
            assertTrue(uid.equals(uidRef) || uid.equals(datasource.path("uid").asText()),
                    "panel '" + panel.path("title").asText() + "' queries Prometheus: " + panel.path("datasource"));
            assertTrue(panel.path("targets").size() > 0, "panel '" + panel.path("title").asText() + "' has queries");
            for (JsonNode t : panel.path("targets")) {
                assertTrue(!t.path("expr").asText().isBlank(), "a PromQL expression in " + panel.path("title").asText());
                queries++;
            }
        }
        // That every metric these expressions name exists is checked against a real scrape: MetricsScrapeIntegrationTest.
        assertTrue(queries >= 10, queries + " queries");
    }

    /** A service's bind mounts (short syntax): container path → the repository file or directory it mounts. */
    private static Map<String, Path> bindMounts(JsonNode service) {
        Map<String, Path> mounts = new LinkedHashMap<>();
        for (String v : strings(service.path("volumes"))) {
            String[] parts = v.split(":");
            if (parts[0].startsWith("./")) {
                Path host = root.resolve(parts[0]).normalize();
                assertTrue(Files.exists(host), "mounted " + parts[0] + " exists in the repository");
                mounts.put(parts[1], host);
            } else {
                assertTrue(compose.path("volumes").has(parts[0]), "named volume " + parts[0] + " is declared");
            }
        }
        return mounts;
    }

    private static List<Path> yamlFiles(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".yml") || f.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @Test
    void dockerComposeConfigAcceptsTheFileWhenDockerComposeIsInstalled() throws Exception {
        Run version = run(List.of("docker", "compose", "version"));
        if (version.exit() != 0) {
            System.out.println("docker compose check skipped: `docker compose version` "
                    + (version.exit() < 0 ? "could not run (" + version.output() + ")" : "exited " + version.exit()
                    + ": " + version.output().strip()) + "; the structural checks above still ran");
            return;
        }
        Run config = run(List.of("docker", "compose", "-f", root.resolve("docker-compose.yml").toString(), "config", "-q"));
        assertEquals(0, config.exit(), "docker compose config -q: " + config.output());
        Run monitoring = run(List.of("docker", "compose", "-f", root.resolve("docker-compose.yml").toString(),
                "--profile", "monitoring", "config", "-q"));
        assertEquals(0, monitoring.exit(), "docker compose --profile monitoring config -q: " + monitoring.output());
    }

    private record Run(int exit, String output) {
    }

    /** Runs a command with a 30 s limit; exit -1 when it cannot be started (no such program). */
    private static Run run(List<String> command) throws Exception {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            return new Run(-1, e.getMessage());
        }
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail(command + " did not finish within 30 s");
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes()));
    }

    private static final class UsageError extends Exception {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    /**
     * Parses and resolves scorer flags with the scorer's real command line and returns the config it would run,
     * without running it: the runner captures the config instead of starting the app.
     */
    private static ScorerConfig parseScorer(String... args) throws UsageError {
        AtomicReference<ScorerConfig> captured = new AtomicReference<>();
        StringWriter err = new StringWriter();
        CommandLine cl = ScorerCli.commandLine(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                captured::set);
        int exit = cl.execute(args);
        if (exit == ScorerCli.EXIT_USAGE) {
            throw new UsageError(err.toString());
        }
        assertEquals(ScorerCli.EXIT_OK, exit, "scorer " + Arrays.toString(args) + " exit; stderr: " + err);
        assertNotNull(captured.get(), "the runner received a config");
        return captured.get();
    }

    private static List<String> strings(JsonNode node) {
        List<String> out = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> out.add(n.asText()));
        } else if (!node.isMissingNode() && !node.isNull()) {
            out.add(node.asText());
        }
        return out;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    static Path repositoryRoot() {
        String configured = System.getProperty("streamscore.repo.root");
        Path dir = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        for (Path d = dir.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
            if (Files.exists(d.resolve("docker-compose.yml")) && Files.exists(d.resolve("Dockerfile"))) {
                return d;
            }
        }
        throw new AssertionError("no docker-compose.yml + Dockerfile found at or above " + dir);
    }
}
