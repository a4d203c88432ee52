package io.streamscore.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.streamscore.scorer.HttpEndpoint;
import io.streamscore.scorer.ScorerCli;
import io.streamscore.scorer.ScorerConfig;
import io.streamscore.scorer.ScorerHealth;
import io.streamscore.scorer.ScorerMetrics;
import io.streamscore.scorer.ScorerTopology;
import io.streamscore.trainer.cli.TrainerCli;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * deploy/kubernetes checked against the code, since no cluster runs here: every resource the kustomization lists
 * exists and parses; the scorer's and the trainer's arguments, with the ConfigMaps' values put in for {@code $(VAR)}
 * as Kubernetes does, parse with the real command lines; the probes' paths answer on the scorer's real HTTP endpoint;
 * selectors, ports, mounts and the image's user agree. {@code kubectl kustomize} renders the directory when kubectl is
 * installed. (Schema validation with kubeconform or {@code kubectl --dry-run} needs a tool or an API server that this
 * machine does not have.)
 */
@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KubernetesManifestsTest {
    private static final Pattern VAR = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");
    private static Path root;
    private static Path dir;
    /** kind/name → the resource. */
    private static final Map<String, JsonNode> resources = new HashMap<>();

    @org.junit.jupiter.api.io.TempDir
    Path tmp;

    @BeforeAll
    static void read() throws Exception {
        root = DockerComposeTest.repositoryRoot();
        dir = root.resolve("deploy/kubernetes");
        YAMLMapper yaml = new YAMLMapper();
        JsonNode kustomization = yaml.readTree(dir.resolve("kustomization.yaml").toFile());
        for (JsonNode file : kustomization.path("resources")) {
            Path p = dir.resolve(file.asText());
            assertTrue(Files.exists(p), "kustomization lists " + file.asText() + ", which exists");
            JsonNode r = yaml.readTree(p.toFile());
            String key = r.path("kind").asText() + "/" + r.path("metadata").path("name").asText();
            assertNotNull(r.path("apiVersion").textValue(), key + " has an apiVersion");
            resources.put(key, r);
        }
    }

    private static JsonNode resource(String kindAndName) {
        JsonNode r = resources.get(kindAndName);
        assertNotNull(r, kindAndName + " is in the kustomization; have " + new TreeSet<>(resources.keySet()));
        return r;
    }

    private static JsonNode onlyContainer(JsonNode podSpec) {
        assertEquals(1, podSpec.path("containers").size(), "one container");
        return podSpec.path("containers").get(0);
    }

    /** The container's environment as Kubernetes builds it: envFrom ConfigMaps, then env (fieldRefs given as values). */
    private static Map<String, String> environment(JsonNode container, Map<String, String> fieldRefs) {
        Map<String, String> env = new HashMap<>();
        for (JsonNode from : container.path("envFrom")) {
            String name = from.path("configMapRef").path("name").asText();
            resource("ConfigMap/" + name).path("data").properties()
                    .forEach(e -> env.put(e.getKey(), e.getValue().asText()));
        }
        for (JsonNode e : container.path("env")) {
            String field = e.path("valueFrom").path("fieldRef").path("fieldPath").asText(null);
            env.put(e.path("name").asText(), field != null ? fieldRefs.get(field) : e.path("value").asText());
        }
        return env;
    }

    /** The args with every {@code $(VAR)} replaced from {@code env}; a reference to an undefined variable fails. */
    private static String[] expand(JsonNode args, Map<String, String> env) {
        List<String> out = new ArrayList<>();
        for (JsonNode a : args) {
            Matcher m = VAR.matcher(a.asText());
            StringBuilder sb = new StringBuilder();
            while (m.find()) {
                String value = env.get(m.group(1));
                assertNotNull(value, "$(" + m.group(1) + ") is defined for the container (ConfigMap or env)");
                m.appendReplacement(sb, Matcher.quoteReplacement(value));
            }
            m.appendTail(sb);
            out.add(sb.toString());
        }
        return out.toArray(String[]::new);
    }

    private static Map<String, String> labels(JsonNode node) {
        Map<String, String> out = new HashMap<>();
        node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static void assertSelects(JsonNode selector, JsonNode podLabels, String what) {
        Map<String, String> pod = labels(podLabels);
        Map<String, String> wanted = labels(selector);
        assertTrue(!wanted.isEmpty() && pod.entrySet().containsAll(wanted.entrySet()),
                what + " selects the pods: " + wanted + " within " + pod);
    }

    /** The path a container mounts {@code volume} at. */
    private static String mountPath(JsonNode container, String volume) {
        for (JsonNode m : container.path("volumeMounts")) {
            if (m.path("name").asText().equals(volume)) {
                return m.path("mountPath").asText();
            }
        }
        throw new AssertionError("the container mounts volume " + volume);
    }

    /** The Secret key a --client-config file under a secret mount names must exist, and parse as properties. */
    private static void assertClientConfigIsTheSecret(JsonNode podSpec, JsonNode container, String clientConfig)
            throws Exception {
        Properties p = new Properties();
        p.load(new StringReader(secretFile(podSpec, container, clientConfig)));
        assertNotNull(p.getProperty("security.protocol"), "the client config sets security.protocol");
    }

    /** The content of the file at {@code path} in the container when it lies on a Secret's mount. */
    private static String secretFile(JsonNode podSpec, JsonNode container, String path) {
        for (JsonNode v : podSpec.path("volumes")) {
            String secret = v.path("secret").path("secretName").asText(null);
            if (secret == null) {
                continue;
            }
            String mount = mountPath(container, v.path("name").asText());
            if (path.startsWith(mount + "/")) {
                String key = path.substring(mount.length() + 1);
                String text = resource("Secret/" + secret).path("stringData").path(key).asText(null);
                assertNotNull(text, "Secret " + secret + " holds " + key);
                return text;
            }
        }
        throw new AssertionError(path + " is on no Secret mount");
    }

    @Test
    void scorerArgumentsParseWithTheScorerCliAndEachPodIsItsOwnInstance() throws Exception {
        JsonNode sts = resource("StatefulSet/streamscore-scorer");
        JsonNode pod = sts.path("spec").path("template");
        JsonNode container = onlyContainer(pod.path("spec"));
        String podName = "streamscore-scorer-1";
        Map<String, String> env = environment(container, Map.of("metadata.name", podName));
        String[] args = expand(container.path("args"), env);
        String clientConfig = args[java.util.Arrays.asList(args).indexOf("--client-config") + 1];
        assertClientConfigIsTheSecret(pod.path("spec"), container, clientConfig);
        // The scorer reads the file while parsing: give it the Secret's content where the pod would have it mounted.
        Path mounted = tmp.resolve("client.properties");
        Files.writeString(mounted, secretFile(pod.path("spec"), container, clientConfig));
        args[java.util.Arrays.asList(args).indexOf(clientConfig)] = mounted.toString();
        AtomicReference<ScorerConfig> captured = new AtomicReference<>();
        StringWriter err = new StringWriter();
        CommandLine cl = ScorerCli.commandLine(new PrintWriter(new StringWriter(), true), new PrintWriter(err, true),
                captured::set);
        assertEquals(ScorerCli.EXIT_OK, cl.execute(args), "scorer " + String.join(" ", args) + ": " + err);
        ScorerConfig config = captured.get();
        assertEquals(env.get("BOOTSTRAP_SERVERS"), config.bootstrapServers());
        assertEquals(podName, config.instanceId().orElseThrow(), "--instance-id is the pod's stable name");
        assertEquals("exactly_once_v2", config.processingGuarantee());
        assertEquals(env.get("APPLICATION_ID"), config.applicationId());
        assertEquals("SASL_SSL", config.clientProperties().get("security.protocol"), "the Secret's settings are read");

        assertEquals(sts.path("spec").path("serviceName").asText(), "streamscore-scorer");
        assertSelects(sts.path("spec").path("selector").path("matchLabels"), pod.path("metadata").path("labels"),
                "the StatefulSet");
        assertSelects(resource("PodDisruptionBudget/streamscore-scorer").path("spec").path("selector")
                .path("matchLabels"), pod.path("metadata").path("labels"), "the PodDisruptionBudget");
        assertSelects(resource("Service/streamscore-scorer").path("spec").path("selector"),
                pod.path("metadata").path("labels"), "the Service");
        assertEquals("None", resource("Service/streamscore-scorer").path("spec").path("clusterIP").asText(),
                "headless, for the StatefulSet's stable names");

        // The named port is the one the scorer serves on, and Prometheus is pointed at it.
        int port = -1;
        for (JsonNode p : container.path("ports")) {
            if (p.path("name").asText().equals("http")) {
                port = p.path("containerPort").asInt();
            }
        }
        assertEquals(config.httpPort(), port, "containerPort 'http' is --http-port");
        assertEquals(String.valueOf(port), pod.path("metadata").path("annotations").path("prometheus.io/port").asText());

        // Kafka Streams gets to close before the kill: the grace period is above the scorer's shutdown timeout.
        assertTrue(pod.path("spec").path("terminationGracePeriodSeconds").asLong()
                        > config.shutdownTimeout().toSeconds(), "terminationGracePeriodSeconds > shutdown timeout");
        // The image's heap is a share of the memory limit: there must be one.
        assertTrue(container.path("resources").path("limits").hasNonNull("memory"), "a memory limit");
        assertEquals(imageUser(), pod.path("spec").path("securityContext").path("runAsUser").asInt(),
                "runAsUser is the image's user");
    }

    @Test
    void probesAskTheScorersRealHealthEndpoints() throws Exception {
        JsonNode container = onlyContainer(resource("StatefulSet/streamscore-scorer").path("spec").path("template")
                .path("spec"));
        Map<String, String> probes = new HashMap<>();
        for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
            JsonNode get = container.path(probe).path("httpGet");
            assertEquals("http", get.path("port").asText(), probe + " uses the named port");
            probes.put(probe, get.path("path").asText());
        }
        assertEquals("/health/live", probes.get("livenessProbe"));
        assertEquals("/health/ready", probes.get("readinessProbe"));
        ScorerMetrics metrics = new ScorerMetrics();
        ScorerHealth health = new ScorerHealth(ScorerTopology.MODEL_STORE, metrics.inFlightRecords(),
                Duration.ofSeconds(30), System::nanoTime);
        HttpClient client = HttpClient.newHttpClient();
        try (HttpEndpoint http = new HttpEndpoint(0, metrics, health)) {
            for (Map.Entry<String, String> p : probes.entrySet()) {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port()
                        + p.getValue())).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                // Not started: a probe answers 503 with why; what matters here is that the path is a probe, not 404.
                assertNotEquals(404, r.statusCode(), p.getKey() + " " + p.getValue() + " is served: " + r.body());
                assertTrue(r.body().startsWith("live") || r.body().startsWith("not live")
                        || r.body().startsWith("ready") || r.body().startsWith("not ready"), r.body());
            }
            HttpResponse<String> none = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port()
                    + "/health/nothing")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, none.statusCode(), "the check can fail: an unknown path is 404");
        }
    }

    @Test
    void trainerJobAndCronJobRunTheSameParsableTraining() throws Exception {
        JsonNode job = resource("Job/streamscore-trainer").path("spec").path("template");
        JsonNode cron = resource("CronJob/streamscore-trainer-nightly").path("spec").path("jobTemplate").path("spec")
                .path("template");
        assertEquals(job, cron, "the CronJob's pod template is the Job's");
        JsonNode container = onlyContainer(job.path("spec"));
        String[] args = expand(container.path("args"), environment(container, Map.of()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = TrainerCli.commandLine(new PrintWriter(out), new PrintWriter(err));
        CommandLine.ParseResult parsed = cl.parseArgs(args);
        assertTrue(parsed.hasSubcommand(), "a subcommand: " + String.join(" ", args));
        CommandLine.ParseResult train = parsed.subcommand();
        assertEquals("train", train.commandSpec().name());
        assertTrue(train.hasMatchedOption("--publish"), "the run publishes");
        assertTrue(train.hasMatchedOption("--data-topic"), "it trains from the labelled topic");
        assertEquals("Never", job.path("spec").path("restartPolicy").asText());
        assertClientConfigIsTheSecret(job.path("spec"), container,
                train.matchedOptionValue("--client-config", Path.of("")).toString());
        assertEquals(imageUser(), job.path("spec").path("securityContext").path("runAsUser").asInt());
        assertEquals("Forbid", resource("CronJob/streamscore-trainer-nightly").path("spec").path("concurrencyPolicy")
                .asText());
    }

    @Test
    void kubectlRendersTheKustomizationWhereItIsInstalled() throws Exception {
        Process p;
        try {
            p = new ProcessBuilder("kubectl", "kustomize", dir.toString()).redirectErrorStream(true).start();
        } catch (java.io.IOException e) {
            System.out.println("kubectl is not installed: the kustomization was checked by the other tests only");
            return;
        }
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "kubectl kustomize finished");
        assertEquals(0, p.exitValue(), output);
        Set<String> kinds = new TreeSet<>();
        for (JsonNode doc : new YAMLMapper().readValues(new YAMLMapper().createParser(output), JsonNode.class)
                .readAll()) {
            kinds.add(doc.path("kind").asText() + "/" + doc.path("metadata").path("name").asText());
            assertEquals("streamscore", ((ObjectNode) doc.path("metadata").path("labels"))
                    .path("app.kubernetes.io/part-of").asText(), "the common label on " + doc.path("kind"));
        }
        assertEquals(new TreeSet<>(resources.keySet()), kinds, "kubectl renders every resource");
    }

    /** The uid the Dockerfile's runtime stages run as. */
    private static int imageUser() throws Exception {
        Matcher m = Pattern.compile("useradd --system --uid (\\d+) app").matcher(Files.readString(root.resolve("Dockerfile")));
        assertTrue(m.find(), "the Dockerfile creates its user with a fixed uid");
        return Integer.parseInt(m.group(1));
    }
}
