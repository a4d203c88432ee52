package io.streamscore.scorer;

import io.streamscore.common.event.ModelSelection;
import io.streamscore.common.kafka.ClientProperties;
import io.streamscore.scorer.drift.DriftConfig;
import io.streamscore.scorer.outcomes.OutcomesConfig;
import io.streamscore.scorer.settings.Setting;
import io.streamscore.scorer.settings.SettingGroup;
import io.streamscore.scorer.settings.SettingValues;
import io.streamscore.scorer.settings.Settings;
import io.streamscore.scorer.settings.Validators;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.streams.StreamsConfig;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
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

    /**
     * The scorer's own settings, each declared once: property, type, default, validator, documentation, flag. The
     * command line ({@link ScorerCli}), the validation in {@link #resolve}, the tables in docs/scorer.md and the
     * masking in {@link #describeMasked} all read these.
     */
    public static final SettingGroup CORE = SettingGroup.of("Scorer",
            Setting.define(BOOTSTRAP_SERVERS, Type.STRING, null, Validators.nonBlank("HOST:PORT[,HOST:PORT...]"),
                    Importance.HIGH, "Kafka brokers.")
                    .defaultText("required, here or in --client-config")
                    .flag("--bootstrap-servers", "HOST:PORT[,...]"),
            Setting.define(APPLICATION_ID, Type.STRING, DEFAULT_APPLICATION_ID, Validators.nonBlank("a non-empty id"),
                    Importance.HIGH, "Kafka Streams application id (consumer group): instances with the same id share "
                            + "the feature partitions.")
                    .flag("--application-id", "ID"),
            Setting.define(MODELS_TOPIC, Type.STRING, "models", Validators.topic(), Importance.HIGH,
                    "Compacted model topic, the trainer's --models-topic (compact only; keys `ID@vN`, "
                            + "[model-topic.md](model-topic.md)).")
                    .flag("--models-topic", "TOPIC"),
            Setting.define(FEATURES_TOPIC, Type.STRING, "features", Validators.topic(), Importance.HIGH,
                    "Feature event topic.")
                    .flag("--features-topic", "TOPIC"),
            Setting.define(SCORES_TOPIC, Type.STRING, "scores", Validators.topic(), Importance.HIGH,
                    "Output topic for scores (the served version's).")
                    .flag("--scores-topic", "TOPIC"),
            Setting.define(DEAD_LETTERS_TOPIC, Type.STRING, "dead-letters", Validators.topic(), Importance.HIGH,
                    "Output topic for unscorable records.")
                    .flag("--dead-letters-topic", "TOPIC"),
            Setting.define(SHADOW_SCORES_TOPIC, Type.STRING, "shadow-scores", Validators.topic(), Importance.MEDIUM,
                    "Output topic for challengers' scores (the scores topic gets the served version's only); it must "
                            + "exist like the others (--create-topics creates it), even when no model has a challenger "
                            + "([docs/scorer.md, Shadow scores](#shadow-scores-shadow-scores-topic)).")
                    .flag("--shadow-scores-topic", "TOPIC"),
            Setting.define(PROCESSING_GUARANTEE, Type.STRING, EXACTLY_ONCE_V2,
                    Validators.oneOf(EXACTLY_ONCE_V2, AT_LEAST_ONCE), Importance.HIGH,
                    "Kafka Streams' processing guarantee. Under exactly-once a score becomes visible to "
                            + "`read_committed` readers when its transaction commits, every `commit.interval.ms` (100 ms "
                            + "by default; lower it in --client-config to trade throughput for latency).")
                    .flag("--processing-guarantee", "exactly_once_v2|at_least_once"),
            Setting.define(THREADS, Type.INT, 1, Validators.atLeast(1, ""), Importance.MEDIUM, "Stream threads.")
                    .flag("--threads", "N"),
            Setting.define(HTTP_PORT, Type.INT, 8080, Validators.between(0, 65535, "0 = any free port"),
                    Importance.MEDIUM, "Port for /health/live, /health/ready, /health and /metrics; 0 = any free port, "
                            + "logged at start (a second scorer on one host needs its own).")
                    .flag("--http-port", "PORT"),
            Setting.define(CREATE_TOPICS, Type.BOOLEAN, false, null, Importance.MEDIUM,
                    "Create missing topics (the cluster's default partitions and replication; the model topic with "
                            + "`cleanup.policy=compact`) instead of waiting for them.")
                    .defaultText("off: wait for missing topics, logging what is missing")
                    .switchFlag("--create-topics"),
            Setting.define(STARTUP_TIMEOUT_MS, Type.LONG, 0L, Validators.atLeast(0, "0 = for ever"), Importance.MEDIUM,
                    "How long to wait at start for Kafka and the topics (retrying, logging each try) before exiting 1; "
                            + "0 = for ever. The flag takes seconds, the property milliseconds. Authentication and "
                            + "authorization failures are not retried: they exit 1 at once.")
                    .defaultText("0 (for ever)")
                    .flag(new Setting.Flag("--kafka-timeout", Optional.of("SECONDS"), List.of(),
                            ScorerConfig::startupTimeoutFromSeconds).withHiddenAlias("--startup-timeout")),
            Setting.define(ALLOW_DELETING_MODEL_TOPIC, Type.BOOLEAN, false, null, Importance.LOW,
                    "Start even if the model topic's `cleanup.policy` includes `delete` (retention would remove "
                            + "published versions).")
                    .defaultText("off: refuse to start")
                    .switchFlag("--allow-deleting-model-topic"),
            Setting.define(INSTANCE_ID, Type.STRING, "", Validators.optionalMatching(INSTANCE_ID_FORMAT,
                            "empty (none) or 1 to 200 of A-Z a-z 0-9 . _ - (a name unique among the running "
                                    + "instances, e.g. the pod or host name)"), Importance.MEDIUM,
                    "This instance's stable name (the pod, container or host name; unique among the running instances, "
                            + "the same after a restart): static group membership and transactional ids that survive a "
                            + "restart, so a restarted instance takes its partitions back and fences the old "
                            + "transaction at once ([docs/scorer.md, Crash recovery](#crash-recovery-and---instance-id)).")
                    .defaultText("none (a new identity at every start)")
                    .flag("--instance-id", "ID"),
            Setting.define(MODEL_SELECTION, Type.STRING, ModelSelection.LATEST.wireName(),
                    Validators.oneOf(ModelSelection.LATEST.wireName(), ModelSelection.EVENT_TIME.wireName()),
                    Importance.MEDIUM, "Which version of its model scores an event: the one served now (latest), or the "
                            + "one that was served at the event's record timestamp (event-time: replays score as the "
                            + "live run did; [docs/scorer.md, Model selection](#model-selection-latest-or-event-time)).")
                    .flag("--model-selection", "latest|event-time"),
            Setting.define(CONTRIBUTIONS, Type.BOOLEAN, false, null, Importance.LOW,
                    "Each score also carries its logit, the intercept and every feature's term w·x (standardized as "
                            + "the model does): intercept + Σ terms = logit ([docs/scorer.md, Contributions]"
                            + "(#contributions-reason-codes)).")
                    .defaultText("off")
                    .switchFlag("--contributions"),
            Setting.define(CONTRIBUTIONS_TOP, Type.INT, 0, Validators.atLeast(0, "0 = every term"), Importance.LOW,
                    "With contributions, keep only the K terms largest in magnitude (reason codes) and say how many "
                            + "were left out; the flag implies --contributions (in the file, a K above 0 needs "
                            + "`streamscore.contributions=true`).")
                    .defaultText("0 (every term)")
                    .flag(new Setting.Flag("--contributions-top", Optional.of("K"), List.of(),
                            ScorerConfig::contributionsTopFlag)),
            Setting.define(PROFILE, Type.STRING, ScorerProfile.LATENCY.wireName(),
                    Validators.oneOf(java.util.Arrays.stream(ScorerProfile.values()).map(ScorerProfile::wireName)
                            .toArray(String[]::new)), Importance.MEDIUM,
                    "A set of Kafka client defaults under your own settings: latency (the producer sends a batch at "
                            + "most 5 ms after its first score, up to 64 KB) or throughput (Kafka Streams' own "
                            + "defaults: up to 100 ms, 16 KB). Any client setting in --client-config wins over the "
                            + "profile's ([docs/scorer.md, Profiles](#profiles-latency-or-throughput)).")
                    .flag("--profile", "latency|throughput"),
            Setting.define(SHUTDOWN_TIMEOUT_MS, Type.LONG, 30_000L, Validators.atLeast(1, ""), Importance.LOW,
                    "How long a shutdown (SIGTERM, SIGINT) may take to close Kafka Streams, in milliseconds."),
            Setting.define(STUCK_RECORD_MS, Type.LONG, 30_000L, Validators.atLeast(1, ""), Importance.LOW,
                    "`/health/ready` fails while one record has been in flight in a stream thread longer than this, "
                            + "in milliseconds."));

    /**
     * Every setting of the scorer, by group. A feature with settings of its own declares them in its configuration
     * class, as {@link OutcomesConfig#SETTINGS} does: a {@code SettingGroup} of {@code Setting.define(property, type,
     * default, validator, importance, documentation).flag(name, paramLabel)} entries, and a {@code from(SettingValues)}
     * that builds the typed config. Then it is added to this list, its config becomes a component of this record
     * (built in {@link #resolve} from the same values, shown in {@link #describeMasked}), and its flags, their help,
     * their validation and the docs table follow from the declaration.
     */
    public static final Settings SETTINGS = Settings.of(CORE, OutcomesConfig.SETTINGS, DriftConfig.SETTINGS);

    public ScorerConfig {
        bootstrapServers = requireText(bootstrapServers, BOOTSTRAP_SERVERS,
                "pass --bootstrap-servers HOST:PORT or set it in the --client-config file");
        applicationId = requireText(applicationId, APPLICATION_ID, null);
        modelsTopic = topic(modelsTopic, MODELS_TOPIC);
        featuresTopic = topic(featuresTopic, FEATURES_TOPIC);
        scoresTopic = topic(scoresTopic, SCORES_TOPIC);
        deadLettersTopic = topic(deadLettersTopic, DEAD_LETTERS_TOPIC);
        shadowScoresTopic = topic(shadowScoresTopic, SHADOW_SCORES_TOPIC);
        processingGuarantee = requireText(processingGuarantee, PROCESSING_GUARANTEE, null).toLowerCase(Locale.ROOT);
        SETTINGS.check(PROCESSING_GUARANTEE, processingGuarantee);
        SETTINGS.check(THREADS, threads);
        SETTINGS.check(HTTP_PORT, httpPort);
        SETTINGS.check(SHUTDOWN_TIMEOUT_MS, millis(shutdownTimeout, SHUTDOWN_TIMEOUT_MS));
        SETTINGS.check(STARTUP_TIMEOUT_MS, millis(startupTimeout, STARTUP_TIMEOUT_MS));
        instanceId = instanceId == null ? Optional.empty() : instanceId.map(String::trim).filter(id -> !id.isEmpty());
        instanceId.ifPresent(id -> SETTINGS.check(INSTANCE_ID, id));
        SETTINGS.check(STUCK_RECORD_MS, millis(stuckRecord, STUCK_RECORD_MS));
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

    /** The bottom layer: every default, by property name (from {@link #SETTINGS}). */
    public static Map<String, String> defaults() {
        return SETTINGS.defaults();
    }

    /**
     * Layers defaults, then {@code file}, then {@code flags} (later wins) into one validated config. The chosen
     * {@link ScorerProfile}'s client settings slot in between the defaults and the file: each one is used unless the
     * file or a flag sets that property, for any client (with or without a {@code producer.}/{@code consumer.}/...
     * prefix). Every scorer setting is validated by its definition in {@link #SETTINGS}; an unknown
     * {@code streamscore.*} property is refused (a typo would otherwise leave the default silently in force); every
     * other property that Kafka defines is checked against Kafka's own definition (the Streams, producer, consumer and
     * admin configs), so a bad value is a usage error now rather than a failure at start.
     *
     * @throws IllegalArgumentException naming the property (and flag) and the value that is wrong
     */
    public static ScorerConfig resolve(Map<String, String> file, Map<String, String> flags) {
        Map<String, String> merged = new LinkedHashMap<>(file);
        merged.putAll(flags);
        SettingValues v = SETTINGS.take(merged);
        ClientProperties.requireValid(merged, CLIENT_PREFIXES, KAFKA_DEFINITIONS);
        ContributionsMode contributions = new ContributionsMode(v.bool(CONTRIBUTIONS), v.integer(CONTRIBUTIONS_TOP));
        ScorerProfile profile = ScorerProfile.parse(v.string(PROFILE));
        profile.clientDefaults().forEach((name, value) -> {
            if (!setByUser(name, file) && !setByUser(name, flags)) {
                merged.put(name, value);
            }
        });
        return new ScorerConfig(v.string(BOOTSTRAP_SERVERS), v.string(APPLICATION_ID), v.string(MODELS_TOPIC),
                v.string(FEATURES_TOPIC), v.string(SCORES_TOPIC), v.string(DEAD_LETTERS_TOPIC),
                v.string(SHADOW_SCORES_TOPIC), v.string(PROCESSING_GUARANTEE), v.integer(THREADS),
                v.integer(HTTP_PORT), v.bool(CREATE_TOPICS), v.millis(SHUTDOWN_TIMEOUT_MS), v.millis(STARTUP_TIMEOUT_MS),
                v.bool(ALLOW_DELETING_MODEL_TOPIC), v.optionalString(INSTANCE_ID), v.millis(STUCK_RECORD_MS),
                ModelSelection.parse(v.string(MODEL_SELECTION)), contributions, profile, OutcomesConfig.from(v),
                DriftConfig.from(v), merged);
    }

    /** Kafka's own definitions of the properties passed through: what Kafka Streams and its clients accept. */
    private static final List<ConfigDef> KAFKA_DEFINITIONS = List.of(StreamsConfig.configDef(),
            ProducerConfig.configDef(), ConsumerConfig.configDef(), AdminClientConfig.configDef());

    /** {@code --kafka-timeout SECONDS}: the property holds milliseconds. */
    private static Map<String, String> startupTimeoutFromSeconds(String seconds) {
        try {
            long s = Long.parseLong(seconds.trim());
            if (s >= 0 && s <= Long.MAX_VALUE / 1000) {
                return Map.of(STARTUP_TIMEOUT_MS, String.valueOf(s * 1000));
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("--kafka-timeout (" + STARTUP_TIMEOUT_MS + ", in ms) is '" + seconds
                + "'; must be a whole number of seconds >= 0 (0 = for ever)");
    }

    /** {@code --contributions-top K}: K >= 1 (0, every term, is --contributions alone), and contributions on. */
    private static Map<String, String> contributionsTopFlag(String k) {
        try {
            int top = Integer.parseInt(k.trim());
            if (top >= 1) {
                return Map.of(CONTRIBUTIONS_TOP, String.valueOf(top), CONTRIBUTIONS, "true");
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException("--contributions-top (" + CONTRIBUTIONS_TOP + ") is '" + k + "'; must be "
                + "an integer >= 1 (for every term, use --contributions alone)");
    }

    private static String topic(String value, String property) {
        String t = requireText(value, property, null);
        SETTINGS.check(property, t);
        return t;
    }

    private static long millis(Duration d, String property) {
        if (d == null) {
            throw new IllegalArgumentException(property + " is not set");
        }
        return d.toMillis();
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
        all.replaceAll((k, v) -> SETTINGS.isSecret(k) || ClientProperties.isSecret(k) ? ClientProperties.MASK : v);
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
}
