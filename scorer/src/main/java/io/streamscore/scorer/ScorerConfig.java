package io.streamscore.scorer;

import io.streamscore.common.event.ModelSelection;
import io.streamscore.common.kafka.ClientProperties;
import io.streamscore.scorer.drift.DriftConfig;
import io.streamscore.scorer.outcomes.OutcomesConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.StreamsConfig;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The scorer's whole configuration, validated: where Kafka is, the five topics, the processing guarantee, threads, the
 * HTTP port, and every other Kafka client property passed through (security settings, tuning).
 *
 * <p>Built in one place by {@link #resolve}: defaults, then the {@code --client-config} file, then command-line flags,
 * each layer a map of property names, the later one winning (the user always wins over a default). Scorer settings
 * use {@code streamscore.*} names so they too can live in the file.
 *
 * @param shadowScoresTopic where challengers' scores go (the scores topic gets the champion's only)
 * @param startupTimeout   how long to wait at start for Kafka and the topics before giving up; zero = for ever
 * @param allowDeletingModelTopic start even when the model topic's cleanup.policy includes delete (retention would
 *                         then remove published versions from the topic while instances that read them keep serving)
 * @param instanceId       this instance's stable identity (static group membership, stable transactional ids), or
 *                         empty for Kafka Streams' default: a new identity at every start
 * @param stuckRecord      readiness fails once one record has been in flight in a stream thread longer than this
 * @param modelSelection   which version of its model scores an event: the one served now ({@code latest}), or the one
 *                         that was served at the event's record timestamp ({@code event-time})
 * @param contributions    whether each score carries its logit's per-feature terms, and how many
 * @param profile          the set of Kafka client defaults chosen ({@link ScorerProfile}); its settings are already
 *                         in {@code clientProperties}, under whatever the user set
 * @param outcomes         labels, outcomes and live quality (docs/outcomes.md); off by default
 * @param drift            drift (PSI) per model version against its training baseline (docs/drift.md); off by default
 * @param clientProperties every property not interpreted here, passed to Kafka unchanged
 */
public record ScorerConfig(String bootstrapServers, String applicationId, String modelsTopic, String featuresTopic,
                           String scoresTopic, String deadLettersTopic, String shadowScoresTopic,
                           String processingGuarantee, int threads,
                           int httpPort, boolean createTopics, Duration shutdownTimeout, Duration startupTimeout,
                           boolean allowDeletingModelTopic, Optional<String> instanceId, Duration stuckRecord,
                           ModelSelection modelSelection, ContributionsMode contributions, ScorerProfile profile,
                           OutcomesConfig outcomes, DriftConfig drift, Map<String, String> clientProperties) {

    public static final String BOOTSTRAP_SERVERS = StreamsConfig.BOOTSTRAP_SERVERS_CONFIG;
    public static final String APPLICATION_ID = StreamsConfig.APPLICATION_ID_CONFIG;
    public static final String PROCESSING_GUARANTEE = StreamsConfig.PROCESSING_GUARANTEE_CONFIG;
    public static final String THREADS = StreamsConfig.NUM_STREAM_THREADS_CONFIG;
    public static final String MODELS_TOPIC = "streamscore.topic.models";
    public static final String FEATURES_TOPIC = "streamscore.topic.features";
    public static final String SCORES_TOPIC = "streamscore.topic.scores";
    public static final String DEAD_LETTERS_TOPIC = "streamscore.topic.dead-letters";
    public static final String SHADOW_SCORES_TOPIC = "streamscore.topic.shadow-scores";
    public static final String HTTP_PORT = "streamscore.http.port";
    public static final String CREATE_TOPICS = "streamscore.create.topics";
    public static final String SHUTDOWN_TIMEOUT_MS = "streamscore.shutdown.timeout.ms";
    public static final String STARTUP_TIMEOUT_MS = "streamscore.startup.timeout.ms";
    public static final String ALLOW_DELETING_MODEL_TOPIC = "streamscore.model.topic.allow.delete";
    public static final String INSTANCE_ID = "streamscore.instance.id";
    public static final String STUCK_RECORD_MS = "streamscore.stuck.record.ms";
    public static final String MODEL_SELECTION = "streamscore.model.selection";
    public static final String CONTRIBUTIONS = "streamscore.contributions";
    public static final String CONTRIBUTIONS_TOP = "streamscore.contributions.top";
    public static final String PROFILE = "streamscore.profile";
    /** The prefixes Kafka Streams routes a client property by: a user setting under any of them beats a profile's. */
    private static final java.util.List<String> CLIENT_PREFIXES = java.util.List.of(StreamsConfig.PRODUCER_PREFIX,
            StreamsConfig.CONSUMER_PREFIX, StreamsConfig.MAIN_CONSUMER_PREFIX, StreamsConfig.RESTORE_CONSUMER_PREFIX,
            StreamsConfig.GLOBAL_CONSUMER_PREFIX, StreamsConfig.ADMIN_CLIENT_PREFIX);
    /** What {@link #INSTANCE_ID} may hold: the characters and length Kafka accepts in a group.instance.id. */
    private static final java.util.regex.Pattern INSTANCE_ID_FORMAT = java.util.regex.Pattern.compile("[A-Za-z0-9._-]{1,200}");

    public static final String DEFAULT_APPLICATION_ID = "streamscore-scorer";
    public static final String AT_LEAST_ONCE = StreamsConfig.AT_LEAST_ONCE;
    public static final String EXACTLY_ONCE_V2 = StreamsConfig.EXACTLY_ONCE_V2;

    public ScorerConfig {
        bootstrapServers = requireText(bootstrapServers, BOOTSTRAP_SERVERS,
                "pass --bootstrap-servers HOST:PORT or set it in the --client-config file");
        applicationId = requireText(applicationId, APPLICATION_ID, null);
        modelsTopic = requireText(modelsTopic, MODELS_TOPIC, null);
        featuresTopic = requireText(featuresTopic, FEATURES_TOPIC, null);
        scoresTopic = requireText(scoresTopic, SCORES_TOPIC, null);
        deadLettersTopic = requireText(deadLettersTopic, DEAD_LETTERS_TOPIC, null);
        shadowScoresTopic = requireText(shadowScoresTopic, SHADOW_SCORES_TOPIC, null);
        if (!AT_LEAST_ONCE.equals(processingGuarantee) && !EXACTLY_ONCE_V2.equals(processingGuarantee)) {
            throw new IllegalArgumentException(PROCESSING_GUARANTEE + " is '" + processingGuarantee + "'; must be "
                    + EXACTLY_ONCE_V2 + " or " + AT_LEAST_ONCE);
        }
        if (threads < 1) {
            throw new IllegalArgumentException(THREADS + " is " + threads + "; must be >= 1");
        }
        if (httpPort < 0 || httpPort > 65535) {
            throw new IllegalArgumentException(HTTP_PORT + " is " + httpPort + "; must be in 0..65535 (0 = any free port)");
        }
        if (shutdownTimeout == null || shutdownTimeout.isNegative() || shutdownTimeout.isZero()) {
            throw new IllegalArgumentException(SHUTDOWN_TIMEOUT_MS + " is " + shutdownTimeout + "; must be positive");
        }
        if (startupTimeout == null || startupTimeout.isNegative()) {
            throw new IllegalArgumentException(STARTUP_TIMEOUT_MS + " is " + startupTimeout + "; must be >= 0 (0 = wait for ever)");
        }
        instanceId = instanceId == null ? Optional.empty() : instanceId.map(String::trim).filter(id -> !id.isEmpty());
        if (instanceId.isPresent() && !INSTANCE_ID_FORMAT.matcher(instanceId.get()).matches()) {
            throw new IllegalArgumentException(INSTANCE_ID + " is '" + instanceId.get() + "'; must be 1 to 200 of "
                    + "A-Z a-z 0-9 . _ - (a name unique among the running instances, e.g. the pod or host name)");
        }
        if (stuckRecord == null || stuckRecord.isNegative() || stuckRecord.isZero()) {
            throw new IllegalArgumentException(STUCK_RECORD_MS + " is " + stuckRecord + "; must be positive");
        }
        if (modelSelection == null) {
            throw new IllegalArgumentException(MODEL_SELECTION + " is not set; must be latest or event-time");
        }
        if (contributions == null) {
            contributions = ContributionsMode.OFF;
        }
        if (profile == null) {
            profile = ScorerProfile.LATENCY;
        }
        if (outcomes == null) {
            outcomes = OutcomesConfig.OFF;
        }
        drift = drift == null ? DriftConfig.OFF : drift;
        if (clientProperties != null) {
            for (String key : clientProperties.keySet()) {
                if (key.endsWith(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG)) {
                    throw new IllegalArgumentException(key + " is set; set " + INSTANCE_ID + " (--instance-id) instead: "
                            + "it sets group.instance.id and the transactional ids together");
                }
            }
        }
        java.util.Set<String> topics = new java.util.HashSet<>();
        for (String t : new String[]{modelsTopic, featuresTopic, scoresTopic, deadLettersTopic, shadowScoresTopic}) {
            if (!topics.add(t)) {
                throw new IllegalArgumentException("topic '" + t + "' is configured for two roles; the models, features, "
                        + "scores, dead-letters and shadow-scores topics must differ");
            }
        }
        for (String t : outcomes.topics()) {
            if (!topics.add(t)) {
                throw new IllegalArgumentException("topic '" + t + "' is configured for two roles; with labels on, the "
                        + "labels, outcomes and quality topics must differ from each other and from the scorer's others");
            }
        }
        for (String t : drift.topics()) {
            if (!topics.add(t)) {
                throw new IllegalArgumentException("topic '" + t + "' is configured for two roles; " + DriftConfig.TOPIC
                        + " must differ from the scorer's other topics");
            }
        }
        clientProperties = Map.copyOf(clientProperties == null ? Map.of() : clientProperties);
    }

    /** A config without drift (as every config was before drift existed). */
    public ScorerConfig(String bootstrapServers, String applicationId, String modelsTopic, String featuresTopic,
                        String scoresTopic, String deadLettersTopic, String shadowScoresTopic,
                        String processingGuarantee, int threads, int httpPort, boolean createTopics,
                        Duration shutdownTimeout, Duration startupTimeout, boolean allowDeletingModelTopic,
                        Optional<String> instanceId, Duration stuckRecord, ModelSelection modelSelection,
                        ContributionsMode contributions, ScorerProfile profile, OutcomesConfig outcomes,
                        Map<String, String> clientProperties) {
        this(bootstrapServers, applicationId, modelsTopic, featuresTopic, scoresTopic, deadLettersTopic,
                shadowScoresTopic, processingGuarantee, threads, httpPort, createTopics, shutdownTimeout, startupTimeout,
                allowDeletingModelTopic, instanceId, stuckRecord, modelSelection, contributions, profile, outcomes,
                DriftConfig.OFF, clientProperties);
    }

    /** A config without labels (outcomes off) and with the default profile's name (its settings not added). */
    public ScorerConfig(String bootstrapServers, String applicationId, String modelsTopic, String featuresTopic,
                        String scoresTopic, String deadLettersTopic, String shadowScoresTopic,
                        String processingGuarantee, int threads, int httpPort, boolean createTopics,
                        Duration shutdownTimeout, Duration startupTimeout, boolean allowDeletingModelTopic,
                        Optional<String> instanceId, Duration stuckRecord, ModelSelection modelSelection,
                        ContributionsMode contributions, Map<String, String> clientProperties) {
        this(bootstrapServers, applicationId, modelsTopic, featuresTopic, scoresTopic, deadLettersTopic,
                shadowScoresTopic, processingGuarantee, threads, httpPort, createTopics, shutdownTimeout, startupTimeout,
                allowDeletingModelTopic, instanceId, stuckRecord, modelSelection, contributions, ScorerProfile.LATENCY,
                OutcomesConfig.OFF, DriftConfig.OFF, clientProperties);
    }

    /** The bottom layer: every default, by property name. */
    public static Map<String, String> defaults() {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(APPLICATION_ID, DEFAULT_APPLICATION_ID);
        d.put(PROCESSING_GUARANTEE, EXACTLY_ONCE_V2);
        d.put(THREADS, "1");
        d.put(MODELS_TOPIC, "models");
        d.put(FEATURES_TOPIC, "features");
        d.put(SCORES_TOPIC, "scores");
        d.put(DEAD_LETTERS_TOPIC, "dead-letters");
        d.put(SHADOW_SCORES_TOPIC, "shadow-scores");
        d.put(HTTP_PORT, "8080");
        d.put(CREATE_TOPICS, "false");
        d.put(SHUTDOWN_TIMEOUT_MS, "30000");
        d.put(STARTUP_TIMEOUT_MS, "0");
        d.put(ALLOW_DELETING_MODEL_TOPIC, "false");
        d.put(INSTANCE_ID, "");
        d.put(STUCK_RECORD_MS, "30000");
        d.put(MODEL_SELECTION, ModelSelection.LATEST.wireName());
        d.put(CONTRIBUTIONS, "false");
        d.put(CONTRIBUTIONS_TOP, "0");
        d.put(PROFILE, ScorerProfile.LATENCY.wireName());
        d.putAll(OutcomesConfig.defaults());
        d.putAll(DriftConfig.defaults());
        return d;
    }

    /**
     * Layers defaults, then {@code file}, then {@code flags} (later wins) into one validated config. The chosen
     * {@link ScorerProfile}'s client settings slot in between the defaults and the file: each one is used unless the
     * file or a flag sets that property, for any client (with or without a {@code producer.}/{@code consumer.}/...
     * prefix).
     *
     * @throws IllegalArgumentException naming the property and the value that is wrong
     */
    public static ScorerConfig resolve(Map<String, String> file, Map<String, String> flags) {
        Map<String, String> merged = new LinkedHashMap<>(defaults());
        merged.putAll(file);
        merged.putAll(flags);
        String bootstrap = merged.remove(BOOTSTRAP_SERVERS);
        String appId = merged.remove(APPLICATION_ID);
        String guarantee = merged.remove(PROCESSING_GUARANTEE);
        int threads = integer(merged.remove(THREADS), THREADS);
        String models = merged.remove(MODELS_TOPIC);
        String features = merged.remove(FEATURES_TOPIC);
        String scores = merged.remove(SCORES_TOPIC);
        String deadLetters = merged.remove(DEAD_LETTERS_TOPIC);
        String shadowScores = merged.remove(SHADOW_SCORES_TOPIC);
        int port = integer(merged.remove(HTTP_PORT), HTTP_PORT);
        boolean create = bool(merged.remove(CREATE_TOPICS), CREATE_TOPICS);
        Duration shutdown = Duration.ofMillis(integer(merged.remove(SHUTDOWN_TIMEOUT_MS), SHUTDOWN_TIMEOUT_MS));
        Duration startup = Duration.ofMillis(integer(merged.remove(STARTUP_TIMEOUT_MS), STARTUP_TIMEOUT_MS));
        boolean allowDelete = bool(merged.remove(ALLOW_DELETING_MODEL_TOPIC), ALLOW_DELETING_MODEL_TOPIC);
        Optional<String> instance = Optional.ofNullable(merged.remove(INSTANCE_ID));
        Duration stuck = Duration.ofMillis(integer(merged.remove(STUCK_RECORD_MS), STUCK_RECORD_MS));
        ModelSelection selection = selection(merged.remove(MODEL_SELECTION));
        ContributionsMode contributions = new ContributionsMode(bool(merged.remove(CONTRIBUTIONS), CONTRIBUTIONS),
                integer(merged.remove(CONTRIBUTIONS_TOP), CONTRIBUTIONS_TOP));
        ScorerProfile profile = ScorerProfile.parse(merged.remove(PROFILE));
        profile.clientDefaults().forEach((name, value) -> {
            if (!setByUser(name, file) && !setByUser(name, flags)) {
                merged.put(name, value);
            }
        });
        OutcomesConfig outcomes = OutcomesConfig.fromProperties(merged);
        DriftConfig drift = DriftConfig.fromProperties(merged);
        return new ScorerConfig(bootstrap, appId, models, features, scores, deadLetters, shadowScores, guarantee, threads,
                port, create, shutdown, startup, allowDelete, instance, stuck, selection, contributions, profile, outcomes,
                drift, merged);
    }

    /** Whether {@code layer} sets client property {@code name}, plain or for one client by a Streams prefix. */
    private static boolean setByUser(String name, Map<String, String> layer) {
        if (layer.containsKey(name)) {
            return true;
        }
        for (String prefix : CLIENT_PREFIXES) {
            if (layer.containsKey(prefix + name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The Kafka Streams properties: the pass-through client properties, then this config's settings, then the
     * dead-letter wiring (the built-in DLQ topic is the dead-letters topic, the processing exception handler is
     * {@link DeadLetterProcessingExceptionHandler}), which a file cannot override because the scorer's invariant
     * depends on it.
     */
    public Properties toStreamsProperties(ScorerMetrics metrics) {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(BOOTSTRAP_SERVERS, bootstrapServers);
        p.put(APPLICATION_ID, applicationId);
        p.put(PROCESSING_GUARANTEE, processingGuarantee);
        p.put(THREADS, String.valueOf(threads));
        // Static membership: Kafka Streams suffixes it per stream thread ("-1", "-2", ...) for the main consumers only.
        instanceId.ifPresent(id -> p.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, id));
        p.put(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG, deadLettersTopic);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProcessingExceptionHandler.class.getName());
        p.put(StreamsConfig.PRODUCTION_EXCEPTION_HANDLER_CLASS_CONFIG, DeadLetterProductionExceptionHandler.class.getName());
        p.put(DeadLetterProcessingExceptionHandler.METRICS_CONFIG, metrics);
        // The model gate must see what compaction will keep: never a publish that was aborted (a fenced publisher's)
        // nor one still open, which the log cleaner would later drop. Under at_least_once Kafka Streams would read
        // uncommitted, so the global consumer's isolation is set here, for every guarantee.
        p.put(StreamsConfig.globalConsumerPrefix(ConsumerConfig.ISOLATION_LEVEL_CONFIG), "read_committed");
        return p;
    }

    /** Properties for an Admin client: the pass-through client properties (security!) plus the bootstrap servers. */
    public Properties toAdminProperties() {
        Properties p = new Properties();
        p.putAll(clientProperties);
        p.put(BOOTSTRAP_SERVERS, bootstrapServers);
        return p;
    }

    /** Every setting by property name, sorted, secrets replaced by {@code [hidden]}: what the start log shows. */
    public Map<String, String> describeMasked() {
        Map<String, String> all = new TreeMap<>(clientProperties);
        all.put(BOOTSTRAP_SERVERS, bootstrapServers);
        all.put(APPLICATION_ID, applicationId);
        all.put(PROCESSING_GUARANTEE, processingGuarantee);
        all.put(THREADS, String.valueOf(threads));
        all.put(MODELS_TOPIC, modelsTopic);
        all.put(FEATURES_TOPIC, featuresTopic);
        all.put(SCORES_TOPIC, scoresTopic);
        all.put(DEAD_LETTERS_TOPIC, deadLettersTopic);
        all.put(SHADOW_SCORES_TOPIC, shadowScoresTopic);
        all.put(HTTP_PORT, String.valueOf(httpPort));
        all.put(CREATE_TOPICS, String.valueOf(createTopics));
        all.put(SHUTDOWN_TIMEOUT_MS, String.valueOf(shutdownTimeout.toMillis()));
        all.put(STARTUP_TIMEOUT_MS, String.valueOf(startupTimeout.toMillis()));
        all.put(ALLOW_DELETING_MODEL_TOPIC, String.valueOf(allowDeletingModelTopic));
        all.put(INSTANCE_ID, instanceId.orElse(""));
        all.put(STUCK_RECORD_MS, String.valueOf(stuckRecord.toMillis()));
        all.put(MODEL_SELECTION, modelSelection.wireName());
        all.put(CONTRIBUTIONS, String.valueOf(contributions.enabled()));
        all.put(CONTRIBUTIONS_TOP, String.valueOf(contributions.top()));
        all.put(PROFILE, profile.wireName());
        all.putAll(outcomes.describe());
        all.putAll(drift.describe());
        all.replaceAll((k, v) -> ClientProperties.isSecret(k) ? "[hidden]" : v);
        return all;
    }

    /**
     * Whether scores carry their contributions ({@value #CONTRIBUTIONS}), and how many ({@value #CONTRIBUTIONS_TOP}).
     *
     * @param enabled each score carries its logit, intercept and per-feature terms
     * @param top     0 for every term; K &gt; 0 for the K largest by magnitude (and how many were left out)
     */
    public record ContributionsMode(boolean enabled, int top) {
        public static final ContributionsMode OFF = new ContributionsMode(false, 0);

        public ContributionsMode {
            if (top < 0) {
                throw new IllegalArgumentException(CONTRIBUTIONS_TOP + " is " + top + "; must be >= 0 (0 = every term)");
            }
            if (top > 0 && !enabled) {
                throw new IllegalArgumentException(CONTRIBUTIONS_TOP + " is " + top + " but " + CONTRIBUTIONS
                        + " is false; set " + CONTRIBUTIONS + "=true (--contributions-top K sets both)");
            }
        }
    }

    /** Masked: never prints a secret (records would print clientProperties verbatim). */
    @Override
    public String toString() {
        return "ScorerConfig" + describeMasked();
    }

    private static String requireText(String value, String name, String hint) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " is not set" + (hint == null ? "" : ": " + hint));
        }
        return value.trim();
    }

    private static int integer(String value, String name) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " is '" + value + "'; must be an integer");
        }
    }

    private static ModelSelection selection(String value) {
        try {
            return ModelSelection.parse(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(MODEL_SELECTION + " is '" + value + "'; must be latest or event-time");
        }
    }

    private static boolean bool(String value, String name) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(name + " is '" + value + "'; must be true or false");
        }
        return Boolean.parseBoolean(v);
    }
}
