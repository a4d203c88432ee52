package io.streamscore.trainer.kafka;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.modellog.Challenge;
import io.streamscore.common.modellog.ModelLog;
import io.streamscore.common.modellog.ModelLogKey;
import io.streamscore.common.modellog.Retirement;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidPidMappingException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.TransactionAbortedException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes the model topic (layout 2, docs/model-topic.md): publishes a model as the next version of its id under the
 * key {@code ID@vN}, retires, restores and prunes versions, and starts, promotes and drops challengers.
 *
 * <p>Every write for one model id is a Kafka transaction whose {@code transactional.id} is the prefix plus the model
 * id. {@code initTransactions} fences any other publisher of the same id (its open transaction is aborted and it can
 * no longer commit); only then is the topic read, read_committed, to pick the next version, and read again just
 * before the commit to make sure no writer outside this scheme took the number meanwhile. A fenced attempt starts
 * over after a random backoff, so concurrent publishers of one id get distinct, consecutive versions and no two
 * different models ever share an (id, version).
 *
 * <p>The topic is created compacted when missing; an existing topic whose cleanup.policy is not exactly compact is
 * refused, because retention would eventually delete versions the scorers need.
 */
public final class ModelPublisher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ModelPublisher.class);
    /** The default prefix of the per-model transactional.id; grant WRITE on it (docs/security.md). */
    public static final String DEFAULT_TRANSACTIONAL_ID_PREFIX = "streamscore-models-";

    private final Properties client;
    private final String topic;
    private final Duration timeout;
    private final String transactionalIdPrefix;
    private final Clock clock;
    private final Admin admin;
    private ModelTopicReader reader;

    /**
     * @param client  bootstrap servers and any client property (security, timeouts)
     * @param timeout how long any one broker operation may take, and how long a write may keep retrying when fenced
     */
    public ModelPublisher(Properties client, String topic, Duration timeout) {
        this(client, topic, timeout, DEFAULT_TRANSACTIONAL_ID_PREFIX, Clock.systemUTC());
    }

    public ModelPublisher(Properties client, String topic, Duration timeout, String transactionalIdPrefix, Clock clock) {
        this.client = client;
        this.topic = topic;
        this.timeout = timeout;
        this.transactionalIdPrefix = transactionalIdPrefix;
        this.clock = clock;
        Properties adminProps = new Properties();
        adminProps.putAll(client);
        adminProps.putIfAbsent("default.api.timeout.ms", Long.toString(timeout.toMillis()));
        adminProps.putIfAbsent("request.timeout.ms", Long.toString(Math.min(timeout.toMillis(), 30_000)));
        this.admin = Admin.create(adminProps);
    }

    /** Creates the topic compacted if missing; refuses one whose cleanup.policy is not compact only. */
    public void ensureCompactedTopic(int partitions, Optional<Short> replicationFactor) throws PublishException {
        try {
            boolean exists = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS).contains(topic);
            if (!exists) {
                NewTopic newTopic = new NewTopic(topic, Optional.of(partitions), replicationFactor)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                try {
                    admin.createTopics(List.of(newTopic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    LOG.info("created compacted model topic '{}' ({} partitions, replication {})", topic, partitions,
                            replicationFactor.map(String::valueOf).orElse("broker default"));
                    return;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                    // Created concurrently by someone else: check it like any existing topic.
                }
            }
            ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
            Config config = admin.describeConfigs(List.of(resource)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .get(resource);
            ConfigEntry policy = config.get(TopicConfig.CLEANUP_POLICY_CONFIG);
            String value = policy == null ? TopicConfig.CLEANUP_POLICY_DELETE : policy.value();
            if (!value.contains(TopicConfig.CLEANUP_POLICY_COMPACT) || value.contains(TopicConfig.CLEANUP_POLICY_DELETE)) {
                throw new PublishException("model topic '" + topic + "' exists with cleanup.policy=" + value
                        + "; it must be compact only, or retention would delete published model versions."
                        + " Fix: kafka-configs --alter --entity-type topics --entity-name " + topic
                        + " --add-config cleanup.policy=compact, or publish to another --models-topic");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while checking model topic '" + topic + "'", e);
        } catch (ExecutionException | TimeoutException e) {
            throw failure("checking model topic '" + topic + "'", e);
        }
    }

    /** The model topic as of now, read as the scorers read it. */
    public ModelLog read() throws PublishException {
        return reading(() -> reader().read());
    }

    private ModelTopicReader reader() {
        if (reader == null) {
            reader = new ModelTopicReader(client, topic, timeout);
        }
        return reader;
    }

    private <T> T reading(java.util.function.Supplier<T> call) throws PublishException {
        try {
            return call.get();
        } catch (UnknownTopicOrPartitionException e) {
            throw new PublishException("model topic '" + topic + "' does not exist on " + client.get("bootstrap.servers"), e);
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
            throw new PublishException("timed out after " + timeout.toSeconds() + " s reading model topic '" + topic
                    + "' (is the broker at " + client.get("bootstrap.servers") + " reachable?): " + e.getMessage(), e);
        } catch (KafkaException e) {
            throw new PublishException("cannot read model topic '" + topic + "': " + e.getMessage(), e);
        }
    }

    /** The highest version number the topic holds for {@code modelId} (valid or not), if any. */
    public Optional<Long> latestVersion(String modelId) throws PublishException {
        long v = read().highestVersionNumber(modelId);
        return v == 0 ? Optional.empty() : Optional.of(v);
    }

    /** Publishes {@code model} as the next version of its id and returns it as published. */
    public Published publish(LogisticModel model) throws PublishException {
        return publish(model, false);
    }

    /**
     * Publishes {@code model} as the next version of its id; with {@code asChallenger} also its challenge, in the same
     * transaction, so that the new version is shadow-scored from the start and never served before it is promoted.
     */
    public Published publish(LogisticModel model, boolean asChallenger) throws PublishException {
        try {
            ModelLogKey.checkModelId(model.modelId());
        } catch (IllegalArgumentException e) {
            throw new PublishException(e.getMessage());
        }
        return transact(model.modelId(), "publishing model '" + model.modelId() + "'", log -> {
            long version = log.highestVersionNumber(model.modelId()) + 1;
            LogisticModel versioned = model.withVersion(version);
            LogisticModel served = log.served(model.modelId());
            List<Write> writes = publishWrites(versioned, asChallenger, clock.instant());
            return new Plan<>(writes,
                    again -> again.highestVersionNumber(model.modelId()) < version,
                    metas -> {
                        RecordMetadata meta = metas.get(metas.size() - 1);
                        LOG.info("published model '{}' version {} to {}-{}@{}", versioned.modelId(), version,
                                meta.topic(), meta.partition(), meta.offset());
                        return new Published(versioned, meta.partition(), meta.offset(), served);
                    });
        });
    }

    /** Retires {@code version}: it is never served while retired. Returns the model served afterwards (or none). */
    public Changed retire(String modelId, long version, String reason) throws PublishException {
        return transact(modelId, "retiring " + modelId + " v" + version, log -> {
            requireVersion(log, modelId, version);
            Retirement r = new Retirement(modelId, version, clock.instant(), reason);
            return changePlan(log, modelId, List.of(new Write(ModelLogKey.retirement(modelId, version), r.toBytes())));
        });
    }

    /** Un-retires {@code version}. Returns the model served afterwards. */
    public Changed restore(String modelId, long version) throws PublishException {
        return transact(modelId, "restoring " + modelId + " v" + version, log -> {
            requireVersion(log, modelId, version);
            return changePlan(log, modelId, List.of(new Write(ModelLogKey.retirement(modelId, version), null)));
        });
    }

    /**
     * Serves {@code version} again: ends its challenge and restores it if needed, then retires every version above it
     * that could be the champion, in one transaction (scorers switch at once, never through an intermediate version).
     * Challengers above it stay challengers: they are not served either way.
     */
    public Changed rollback(String modelId, long version, String reason) throws PublishException {
        return transact(modelId, "rolling " + modelId + " back to v" + version,
                log -> changePlan(log, modelId, rollbackWrites(log, modelId, version, clock.instant(), reason)));
    }

    /**
     * Starts the challenge of {@code version}: from then on every event of the id is also scored by it, to the shadow
     * topic, and it is never the champion until promoted. Challenging the served version makes the scorers fall back
     * to the highest version below it that is not retired and not a challenger.
     */
    public Changed challenge(String modelId, long version) throws PublishException {
        return transact(modelId, "challenging with " + modelId + " v" + version,
                log -> changePlan(log, modelId, challengeWrites(log, modelId, version, clock.instant())));
    }

    /**
     * Makes the challenger {@code version} the champion: ends its challenge and retires every version above it that
     * could be the champion, in one transaction.
     */
    public Changed promote(String modelId, long version, String reason) throws PublishException {
        return transact(modelId, "promoting " + modelId + " v" + version,
                log -> changePlan(log, modelId, promoteWrites(log, modelId, version, clock.instant(), reason)));
    }

    /** Ends the challenge of {@code version} and retires it, in one transaction. */
    public Changed drop(String modelId, long version, String reason) throws PublishException {
        return transact(modelId, "dropping challenger " + modelId + " v" + version,
                log -> changePlan(log, modelId, dropWrites(log, modelId, version, clock.instant(), reason)));
    }

    /*
     * The writes of rollback, challenge, promote and drop, as pure functions of the topic's state: each list is applied
     * by the scorers record by record in this order (on one partition; the default), so it is ordered such that every
     * prefix serves either the champion before or the champion after, never a third version.
     */

    static List<Write> publishWrites(LogisticModel versioned, boolean asChallenger, Instant now) {
        List<Write> writes = new ArrayList<>();
        if (asChallenger) {
            // The challenge first: applied in this order, the version is never, even for a moment, the champion.
            writes.add(new Write(ModelLogKey.challenge(versioned.modelId(), versioned.version()),
                    new Challenge(versioned.modelId(), versioned.version(), now).toBytes()));
        }
        writes.add(new Write(ModelLogKey.version(versioned.modelId(), versioned.version()),
                ModelJson.toCompactJson(versioned).getBytes(StandardCharsets.UTF_8)));
        return writes;
    }

    static List<Write> rollbackWrites(ModelLog log, String modelId, long version, Instant now, String reason)
            throws PublishException {
        ModelLog.Version target = requireVersion(log, modelId, version);
        if (target.model() == null) {
            throw new PublishException("cannot roll " + modelId + " back to version " + version + ": its key holds "
                    + "no valid model (" + target.problem() + ")");
        }
        List<Write> writes = new ArrayList<>();
        // First make the target eligible (it is below the versions about to be retired, so nothing changes yet) ...
        if (target.challenge() != null) {
            writes.addAll(endChallengeToServe(target.model()));
        }
        if (target.retirement() != null) {
            writes.add(new Write(ModelLogKey.retirement(modelId, version), null));
        }
        // ... then retire upwards: the highest one above it serves until the last retirement.
        writes.addAll(retireEligibleAbove(log, modelId, version, now,
                reason == null || reason.isBlank() ? "rollback to v" + version : reason));
        return writes;
    }

    static List<Write> challengeWrites(ModelLog log, String modelId, long version, Instant now)
            throws PublishException {
        ModelLog.Version target = requireVersion(log, modelId, version);
        if (target.model() == null) {
            throw new PublishException("cannot challenge with " + modelId + " version " + version + ": its key holds "
                    + "no valid model (" + target.problem() + ")");
        }
        if (target.retirement() != null) {
            throw new PublishException(modelId + " version " + version + " is retired; restore it first ('trainer models "
                    + "restore --model-id " + modelId + " --version " + version + "')");
        }
        if (target.challenge() != null) {
            throw new PublishException(modelId + " version " + version + " is already a challenger (since "
                    + target.challenge().startedAt() + ")");
        }
        return List.of(new Write(ModelLogKey.challenge(modelId, version),
                new Challenge(modelId, version, now).toBytes()));
    }

    static List<Write> promoteWrites(ModelLog log, String modelId, long version, Instant now, String reason)
            throws PublishException {
        ModelLog.Version target = requireChallenger(log, modelId, version, "promote");
        if (!target.servable()) {
            throw new PublishException("cannot promote " + modelId + " version " + version + ": it is "
                    + (target.model() == null ? "no valid model (" + target.problem() + ")" : "retired"));
        }
        List<Write> writes = new ArrayList<>();
        // The challenge ends first (the versions above still serve), then they are retired upwards.
        writes.addAll(endChallengeToServe(target.model()));
        writes.addAll(retireEligibleAbove(log, modelId, version, now,
                reason == null || reason.isBlank() ? "challenger v" + version + " promoted" : reason));
        return writes;
    }

    static List<Write> dropWrites(ModelLog log, String modelId, long version, Instant now, String reason)
            throws PublishException {
        ModelLog.Version target = requireChallenger(log, modelId, version, "drop");
        List<Write> writes = new ArrayList<>();
        // Retired first: ending the challenge of an unretired version first could make it the champion for a moment.
        if (target.retirement() == null) {
            writes.add(new Write(ModelLogKey.retirement(modelId, version), new Retirement(modelId, version, now,
                    reason == null || reason.isBlank() ? "challenger dropped" : reason).toBytes()));
        }
        writes.add(new Write(ModelLogKey.challenge(modelId, version), null));
        return writes;
    }

    /**
     * Ends the challenge of {@code challenger} so that it may be served: its version record is written again (the same
     * document), then the challenge is tombstoned. A version's publish time is the timestamp of the record under its
     * key, and event-time selection serves a version from its publish time on; written again, that time is the moment
     * the challenger became eligible, so a replay never scores with it events that the live run scored before.
     * Rewritten while still under challenge, nothing is served differently until the tombstone.
     */
    private static List<Write> endChallengeToServe(LogisticModel challenger) {
        return List.of(
                new Write(ModelLogKey.version(challenger.modelId(), challenger.version()),
                        ModelJson.toCompactJson(challenger).getBytes(StandardCharsets.UTF_8)),
                new Write(ModelLogKey.challenge(challenger.modelId(), challenger.version()), null));
    }

    /** Retirements of every version above {@code version} that could be the champion, ascending. */
    private static List<Write> retireEligibleAbove(ModelLog log, String modelId, long version, Instant now,
                                                   String reason) {
        List<Write> writes = new ArrayList<>();
        for (ModelLog.Version v : log.versions(modelId)) {
            if (v.version() > version && v.championEligible()) {
                writes.add(new Write(ModelLogKey.retirement(modelId, v.version()),
                        new Retirement(modelId, v.version(), now, reason).toBytes()));
            }
        }
        return writes;
    }

    private static ModelLog.Version requireChallenger(ModelLog log, String modelId, long version, String verb)
            throws PublishException {
        ModelLog.Version target = requireVersion(log, modelId, version);
        if (target.challenge() == null) {
            throw new PublishException("cannot " + verb + " " + modelId + " version " + version + ": it is not a "
                    + "challenger (see 'trainer models list --model-id " + modelId + "')");
        }
        return target;
    }

    /**
     * Deletes (tombstones) every version below the {@code keep} highest versions that hold a valid model, with their
     * retirements and challenges; the served version and the challengers are always kept.
     */
    public Changed prune(String modelId, int keep) throws PublishException {
        if (keep < 1) {
            throw new PublishException("--keep must be >= 1, got " + keep);
        }
        return transact(modelId, "pruning " + modelId, log -> {
            List<ModelLog.Version> versions = log.versions(modelId);
            List<Long> valid = versions.stream().filter(v -> v.model() != null).map(ModelLog.Version::version)
                    .sorted(java.util.Comparator.reverseOrder()).toList();
            long lowestKept = valid.isEmpty() ? Long.MAX_VALUE : valid.get(Math.min(keep, valid.size()) - 1);
            LogisticModel served = log.served(modelId);
            if (served != null) {
                lowestKept = Math.min(lowestKept, served.version());
            }
            List<Write> writes = new ArrayList<>();
            for (ModelLog.Version v : versions) {
                if (v.version() >= lowestKept || v.challenger()) {
                    continue;
                }
                writes.add(new Write(v.legacy() ? new ModelLogKey(ModelLogKey.Kind.LEGACY, modelId, 0)
                        : ModelLogKey.version(modelId, v.version()), null));
                if (v.retirement() != null) {
                    writes.add(new Write(ModelLogKey.retirement(modelId, v.version()), null));
                }
                if (v.challenge() != null) {
                    writes.add(new Write(ModelLogKey.challenge(modelId, v.version()), null));
                }
            }
            return changePlan(log, modelId, writes);
        });
    }

    private static ModelLog.Version requireVersion(ModelLog log, String modelId, long version) throws PublishException {
        for (ModelLog.Version v : log.versions(modelId)) {
            if (v.version() == version) {
                return v;
            }
        }
        throw new PublishException("model '" + modelId + "' has no version " + version + " on the topic (see "
                + "'trainer models list --model-id " + modelId + "')");
    }

    private Plan<Changed> changePlan(ModelLog log, String modelId, List<Write> writes) {
        LogisticModel before = log.served(modelId);
        List<LogisticModel> challengersBefore = log.challengers(modelId);
        ModelLog after = copyWith(log, writes, clock.millis());
        return new Plan<>(writes, again -> true,
                metas -> new Changed(writes.size(), before, after.served(modelId), challengersBefore,
                        after.challengers(modelId)));
    }

    /** {@code log} with {@code writes} applied on top, to tell what the scorers will serve after the commit. */
    static ModelLog copyWith(ModelLog log, List<Write> writes, long nowMillis) {
        // ModelLog depends only on the last record per key, so replaying the current state plus the writes is exact.
        ModelLog copy = new ModelLog();
        for (String id : log.modelIds()) {
            for (ModelLog.Version v : log.versions(id)) {
                if (v.model() != null) {
                    ModelLogKey key = v.legacy() ? new ModelLogKey(ModelLogKey.Kind.LEGACY, id, 0)
                            : ModelLogKey.version(id, v.version());
                    copy.apply(key.toBytes(), ModelJson.toCompactJson(v.model()).getBytes(StandardCharsets.UTF_8),
                            v.publishedAt());
                }
                if (v.retirement() != null) {
                    copy.apply(ModelLogKey.retirement(id, v.version()).toBytes(), v.retirement().toBytes(), 0);
                }
                if (v.challenge() != null) {
                    copy.apply(ModelLogKey.challenge(id, v.version()).toBytes(), v.challenge().toBytes(), 0);
                }
            }
        }
        for (Write w : writes) {
            copy.apply(w.key().toBytes(), w.value(), nowMillis);
        }
        return copy;
    }

    /** One record to write: a key and a value (null = tombstone). */
    record Write(ModelLogKey key, byte[] value) {
    }

    /**
     * What one transaction writes, how to tell just before the commit that it still holds, and what to return.
     */
    private record Plan<T>(List<Write> writes, StillValid stillValid, Result<T> result) {
    }

    @FunctionalInterface
    private interface Planner<T> {
        Plan<T> plan(ModelLog log) throws PublishException;
    }

    @FunctionalInterface
    private interface StillValid {
        boolean test(ModelLog again);
    }

    @FunctionalInterface
    private interface Result<T> {
        T of(List<RecordMetadata> metas);
    }

    /**
     * Runs one write for {@code modelId} as a fenced transaction, starting over (with a fresh read of the topic) when
     * another publisher of the same id fences it, until the timeout.
     */
    private <T> T transact(String modelId, String what, Planner<T> planner) throws PublishException {
        long deadline = System.nanoTime() + Math.max(timeout.toNanos(), Duration.ofSeconds(5).toNanos());
        int waitsWithoutCommit = 0;
        for (int attempt = 1; ; attempt++) {
            long started = System.nanoTime();
            try (KafkaProducer<byte[], byte[]> producer = transactionalProducer(modelId)) {
                producer.initTransactions();
                Plan<T> plan = planner.plan(read());
                producer.beginTransaction();
                List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (Write w : plan.writes()) {
                    sent.add(producer.send(new ProducerRecord<>(topic, w.key().toBytes(), w.value())));
                }
                producer.flush();
                List<RecordMetadata> metas = new ArrayList<>();
                for (Future<RecordMetadata> f : sent) {
                    metas.add(f.get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS));
                }
                if (!plan.stillValid().test(read())) {
                    producer.abortTransaction();
                    LOG.warn("{}: another writer took the same version meanwhile; starting over (attempt {})", what,
                            attempt);
                } else {
                    producer.commitTransaction();
                    return plan.result().of(metas);
                }
            } catch (ExecutionException | KafkaException e) {
                if (!fenced(e)) {
                    throw failure(what + " to '" + topic + "'", e);
                }
                LOG.info("{}: fenced by another publisher of '{}' (attempt {}: {}); waiting for it to commit", what,
                        modelId, attempt, fencedBy(e).getClass().getSimpleName());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PublishException("interrupted while " + what, e);
            } catch (TimeoutException e) {
                throw failure(what + " to '" + topic + "'", e);
            }
            if (System.nanoTime() > deadline) {
                throw new PublishException(what + " failed: fenced by concurrent publishers of '" + modelId
                        + "' for more than " + timeout.toSeconds() + " s (" + attempt + " attempts)");
            }
            waitsWithoutCommit = yieldToTheFencer(System.nanoTime() - started, waitsWithoutCommit) ? 0
                    : waitsWithoutCommit + 1;
        }
    }

    /**
     * After being fenced, lets the publisher that fenced us finish rather than fencing it back at once (which makes
     * concurrent publishers abort each other in turn): waits until a new committed record shows on the topic. A fence
     * can come early in our attempt, so our own attempt's length says little about how long the fencer needs: the
     * wait is at least 2 s, randomized, and doubles (up to 8×) for each wait in a row that saw no commit (the fencer
     * may have died, or the publishers keep fencing each other), so that contention always ends in a commit.
     *
     * @return whether a commit was seen
     */
    private boolean yieldToTheFencer(long attemptNanos, int waitsWithoutCommit) throws PublishException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long base = Math.max(Duration.ofSeconds(2).toNanos(), 4 * attemptNanos) << Math.min(waitsWithoutCommit, 3);
        Duration maxWait = Duration.ofNanos(base / 2 + random.nextLong(base));
        boolean committed = reading(() -> reader().awaitNewCommittedRecord(maxWait));
        try {
            TimeUnit.MILLISECONDS.sleep(random.nextLong(0, 100));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublishException("interrupted while waiting for a concurrent publisher", e);
        }
        return committed;
    }

    /**
     * Whether {@code e} says another publisher of the same id took over the transactional id: depending on where the
     * fence meets the transaction, Kafka reports it as a fenced producer, a stale epoch, or a transaction that is no
     * longer in a state to go on (it was aborted by the fencing {@code initTransactions}).
     */
    private static boolean fenced(Throwable e) {
        return fencedBy(e) != null;
    }

    private static Throwable fencedBy(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException
                    || t instanceof InvalidTxnStateException || t instanceof TransactionAbortedException
                    || t instanceof InvalidPidMappingException) {
                return t;
            }
        }
        return null;
    }

    private KafkaProducer<byte[], byte[]> transactionalProducer(String modelId) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalIdPrefix + modelId);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        long ms = timeout.toMillis();
        props.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(ms));
        props.putIfAbsent(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Long.toString(Math.min(ms, 30_000)));
        props.putIfAbsent(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Long.toString(Math.max(ms, Math.min(ms, 30_000) + 1)));
        props.putIfAbsent(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(Math.max(ms, 10_000)));
        props.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "0");
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    private PublishException failure(String what, Exception e) {
        Throwable cause = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        String reason = cause instanceof TimeoutException || cause instanceof org.apache.kafka.common.errors.TimeoutException
                ? "no answer within " + timeout.toSeconds() + " s (is the broker at " + client.get("bootstrap.servers")
                + " reachable?)"
                : cause instanceof UnknownTopicOrPartitionException ? "the topic does not exist"
                : cause.getClass().getSimpleName() + ": " + cause.getMessage();
        return new PublishException(what + " failed: " + reason, cause);
    }

    @Override
    public void close() {
        if (reader != null) {
            reader.close();
        }
        admin.close(Duration.ofSeconds(5));
    }

    /**
     * A model as it landed on the topic.
     *
     * @param servedBefore the version of the id the scorers served when it was published; null for none
     */
    public record Published(LogisticModel model, int partition, long offset, LogisticModel servedBefore) {
        public Published(LogisticModel model, int partition, long offset) {
            this(model, partition, offset, null);
        }

        /**
         * What a producer of the id's events must know when the new version's features differ from the served
         * version's: the features added (events without them will be dead-lettered {@code MISSING_FEATURE} once it is
         * served), those removed, or a new order (positional events need the new feature schema); null when the
         * features are the same, in the same order, or nothing was served.
         */
        public String featureChange() {
            if (servedBefore == null || servedBefore.featureNames().equals(model.featureNames())) {
                return null;
            }
            List<String> added = new ArrayList<>(model.featureNames());
            added.removeAll(servedBefore.featureNames());
            List<String> removed = new ArrayList<>(servedBefore.featureNames());
            removed.removeAll(model.featureNames());
            String versions = "version " + model.version() + " of '" + model.modelId() + "' has other features than"
                    + " the served version " + servedBefore.version();
            if (added.isEmpty() && removed.isEmpty()) {
                return versions + ": the same names in another order, so positional events must send its feature"
                        + " schema " + model.featureSchema() + " (events by name are unaffected)";
            }
            StringBuilder sb = new StringBuilder(versions).append(':');
            if (!added.isEmpty()) {
                sb.append(" added ").append(String.join(", ", added));
            }
            if (!removed.isEmpty()) {
                sb.append(added.isEmpty() ? "" : ";").append(" removed ").append(String.join(", ", removed));
            }
            if (!added.isEmpty()) {
                sb.append(". Once it is served, events that lack ").append(added.size() == 1 ? "the added feature"
                        : "any added feature").append(" are dead-lettered MISSING_FEATURE: update the producers first");
            } else {
                sb.append(". Events that still carry the removed features are scored (extra names are ignored)");
            }
            return sb.append("; positional events need its feature schema ").append(model.featureSchema()).toString();
        }
    }

    /**
     * The outcome of a retire, restore, rollback, prune, challenge, promote or drop.
     *
     * @param records      how many records the transaction wrote
     * @param servedBefore the model served before; null for none
     * @param servedAfter  the model the scorers serve once they read the commit; null for none
     * @param challengersBefore the challengers before, ascending by version
     * @param challengersAfter  the challengers once the scorers read the commit
     */
    public record Changed(int records, LogisticModel servedBefore, LogisticModel servedAfter,
                          List<LogisticModel> challengersBefore, List<LogisticModel> challengersAfter) {
    }

    /** Publishing failed; the message says what and why. */
    public static final class PublishException extends Exception {
        private static final long serialVersionUID = 1L;

        public PublishException(String message) {
            super(message);
        }

        public PublishException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
