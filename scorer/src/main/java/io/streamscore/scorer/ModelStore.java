package io.streamscore.scorer;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.modellog.ModelLog;
import io.streamscore.common.modellog.ServingHistory;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.StoreBuilder;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The global store of decoded models: the model topic's history ({@link ModelLog}: every version of every id, which
 * are retired and which are challengers) and, derived from it, model id → {@link ServingHistory} (the champion, the
 * challengers and, for event-time selection, every eligible version by publish time), held as objects in memory so
 * that a lookup per event is one hash-map read, with no deserialization (a RocksDB-backed GlobalKTable cost ~40% of
 * throughput here, and re-parsing per event is worse).
 *
 * <p>Written only by the global thread ({@link ModelUpdateProcessor}), read by every stream thread; the map is
 * concurrent and each id's history an immutable snapshot replaced whole after every record of that id, so readers
 * need no lock and never see a half-applied change. Not persistent: Kafka Streams keeps no checkpoint for
 * it, so after every start the model topic is read from the beginning and, because {@code Topology.addGlobalStore}
 * registers the store with reprocess-on-restore, every record goes through the model gate again.
 */
public final class ModelStore implements StateStore {
    private final String name;
    private final Map<String, ServingHistory> histories = new ConcurrentHashMap<>();
    private ModelLog log = new ModelLog();
    private boolean legacyLayoutReported;
    private volatile boolean open;

    ModelStore(String name) {
        this.name = name;
    }

    /** The model being served for this id (what {@code latest} selects), or null. */
    public LogisticModel get(String modelId) {
        ServingHistory h = histories.get(modelId);
        return h == null || h.served() == null ? null : h.served().model();
    }

    /**
     * Which version of this id scores an event, under either selection, and its challengers; null when the id has
     * neither a servable version nor a challenger.
     */
    public ServingHistory history(String modelId) {
        return histories.get(modelId);
    }

    /** Applies one model-topic record (global thread only) and publishes the id's new history to the readers. */
    ModelLog.Applied apply(byte[] key, byte[] value, long timestamp) {
        ModelLog.Applied applied = log.apply(key, value, timestamp);
        String id = applied.modelId();
        if (id != null) {
            ServingHistory now = log.history(id);
            if (now.isEmpty()) {
                histories.remove(id);
            } else {
                histories.put(id, now);
            }
        }
        return applied;
    }

    /** True the first time only: the scorer says once that it met the layout-1 model topic. */
    boolean firstLegacyRecord() {
        boolean first = !legacyLayoutReported;
        legacyLayoutReported = true;
        return first;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void init(StateStoreContext context, StateStore root) {
        // With reprocess-on-restore (Topology.addGlobalStore always sets it) Kafka Streams feeds restored records to
        // the store's processor, not to this callback; it must still be registered and non-null.
        context.register(root, (key, value) -> {
            throw new IllegalStateException("model store '" + name + "' is restored through its processor only");
        });
        open = true;
    }

    /**
     * Nothing to write: the model topic is the store's only durable copy, and a store that is not persistent has no
     * changelog offsets to keep ({@code flush()}, which this replaces, is deprecated since Kafka Streams 4.3).
     */
    @Override
    public void commit(Map<TopicPartition, Long> changelogOffsets) {
    }

    @Override
    public void close() {
        open = false;
        histories.clear();
        log = new ModelLog();
    }

    @Override
    public boolean persistent() {
        return false;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    /** Builds one empty {@link ModelStore}; logging and caching cannot be enabled (a global store has neither). */
    static final class Builder implements StoreBuilder<ModelStore> {
        private final String name;

        Builder(String name) {
            this.name = name;
        }

        @Override
        public StoreBuilder<ModelStore> withCachingEnabled() {
            throw new UnsupportedOperationException("the model store has no cache: it holds decoded objects");
        }

        @Override
        public StoreBuilder<ModelStore> withCachingDisabled() {
            return this;
        }

        @Override
        public StoreBuilder<ModelStore> withLoggingEnabled(Map<String, String> config) {
            throw new UnsupportedOperationException("the model store has no changelog: the model topic is its source");
        }

        @Override
        public StoreBuilder<ModelStore> withLoggingDisabled() {
            return this;
        }

        @Override
        public ModelStore build() {
            return new ModelStore(name);
        }

        @Override
        public Map<String, String> logConfig() {
            return Map.of();
        }

        @Override
        public boolean loggingEnabled() {
            return false;
        }

        @Override
        public String name() {
            return name;
        }
    }
}
