package io.streamscore.trainer;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.modellog.ModelLog;
import io.streamscore.trainer.kafka.ModelPublisher;
import io.streamscore.trainer.kafka.PublishOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * {@code trainer models}: look at and steer the versions on the model topic. Retiring and rolling back are explicit
 * records on the topic (docs/model-topic.md), written as fenced transactions like a publish, so every scorer instance,
 * running or restarted, serves the same version afterwards.
 */
@Command(name = "models", mixinStandardHelpOptions = true, sortOptions = false,
        subcommands = {ModelsCommand.ListVersions.class, ModelsCommand.Retire.class, ModelsCommand.Restore.class,
                ModelsCommand.Rollback.class, ModelsCommand.Prune.class},
        description = {"List, retire, restore, roll back and prune the model versions on the model topic.", "",
                "The scorers serve, per model id, the highest valid version that is not retired.", "",
                "Examples:",
                "  trainer models list --bootstrap-servers localhost:9092",
                "  trainer models rollback --model-id fraud --to 2 --reason 'v3 misfires'",
                "  trainer models restore --model-id fraud --version 3",
                "  trainer models prune --model-id fraud --keep 5"})
final class ModelsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a subcommand is needed: list, retire, restore, rollback or prune");
    }

    /** The part every subcommand shares: options, a publisher, error reporting. */
    abstract static class Base implements Callable<Integer> {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        PublishOptions kafka;

        @Override
        public final Integer call() {
            try {
                kafka.clientProperties();
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            try (ModelPublisher publisher = kafka.publisher()) {
                return run(publisher, spec.commandLine().getOut());
            } catch (ModelPublisher.PublishException e) {
                spec.commandLine().getErr().println("error: " + e.getMessage());
                return ExitCode.FAILED;
            }
        }

        abstract int run(ModelPublisher publisher, PrintWriter out) throws ModelPublisher.PublishException;

        static void reportChange(PrintWriter out, String modelId, ModelPublisher.Changed c) {
            out.printf("wrote %d record%s for '%s'; served %s -> %s%n", c.records(), c.records() == 1 ? "" : "s",
                    modelId, describe(c.servedBefore()), describe(c.servedAfter()));
        }

        static String describe(LogisticModel m) {
            return m == null ? "nothing" : "v" + m.version();
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Show every version of every model id (or one id) and which one the scorers serve."})
    static final class ListVersions extends Base {
        @Option(names = "--model-id", paramLabel = "ID", description = "Only this model id.")
        String modelId;

        @Override
        int run(ModelPublisher publisher, PrintWriter out) throws ModelPublisher.PublishException {
            ModelLog log = publisher.read();
            TreeSet<String> ids = new TreeSet<>(log.modelIds());
            if (modelId != null) {
                ids.retainAll(List.of(modelId));
            }
            if (ids.isEmpty()) {
                out.println(modelId == null ? "no models on topic '" + kafka.modelTopic() + "'"
                        : "no model '" + modelId + "' on topic '" + kafka.modelTopic() + "'");
                return modelId == null ? ExitCode.OK : ExitCode.FAILED;
            }
            for (String id : ids) {
                LogisticModel served = log.served(id);
                out.printf("model '%s': serving %s%n", id, describe(served));
                out.printf("  %-8s %-10s %-24s %-8s %s%n", "version", "status", "published", "features", "note");
                for (ModelLog.Version v : log.versions(id)) {
                    String status = v.model() == null ? "no model" : served != null && served.version() == v.version()
                            ? "SERVED" : v.retirement() != null ? "retired" : "available";
                    String note = v.model() == null ? v.problem()
                            : v.retirement() != null ? "retired " + v.retirement().retiredAt()
                            + (v.retirement().reason().isEmpty() ? "" : ": " + v.retirement().reason())
                            : "";
                    if (v.legacy()) {
                        note = (note.isEmpty() ? "" : note + "; ") + "old-layout key '" + id + "'";
                    }
                    out.printf("  %-8d %-10s %-24s %-8s %s%n", v.version(), status,
                            v.publishedAt() > 0 ? Instant.ofEpochMilli(v.publishedAt()).toString() : "-",
                            v.model() == null ? "-" : String.valueOf(v.model().featureCount()), note);
                }
            }
            return ExitCode.OK;
        }
    }

    @Command(name = "retire", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Retire one version: the scorers stop serving it (and fall back to the highest version below "
                    + "it that is not retired)."})
    static final class Retire extends Base {
        @Mixin
        OneVersion target;
        @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "", description = "Recorded with the retirement.")
        String reason;

        @Override
        int run(ModelPublisher publisher, PrintWriter out) throws ModelPublisher.PublishException {
            reportChange(out, target.modelId, publisher.retire(target.modelId, target.version, reason));
            return ExitCode.OK;
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Un-retire one version (it is served again if it is the highest one not retired)."})
    static final class Restore extends Base {
        @Mixin
        OneVersion target;

        @Override
        int run(ModelPublisher publisher, PrintWriter out) throws ModelPublisher.PublishException {
            reportChange(out, target.modelId, publisher.restore(target.modelId, target.version));
            return ExitCode.OK;
        }
    }

    /** The version a subcommand acts on. */
    static final class OneVersion {
        @Option(names = "--model-id", required = true, paramLabel = "ID", description = "The model id.")
        String modelId;
        @Option(names = "--version", required = true, paramLabel = "N", description = "The version.")
        long version;
    }

    @Command(name = "rollback", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Serve an earlier version again: retire every version above it (and restore it if it was "
                    + "retired), in one transaction."})
    static final class Rollback extends Base {
        @Option(names = "--model-id", required = true, paramLabel = "ID", description = "The model id.")
        String modelId;
        @Option(names = "--to", required = true, paramLabel = "N", description = "The version to serve.")
        long version;
        @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "", description = "Recorded with each retirement.")
        String reason;

        @Override
        int run(ModelPublisher publisher, PrintWriter out) throws ModelPublisher.PublishException {
            reportChange(out, modelId, publisher.rollback(modelId, version, reason));
            return ExitCode.OK;
        }
    }

    @Command(name = "prune", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Delete old versions: tombstones every version below the N highest valid ones (the served "
                    + "version is always kept). Compaction then removes them for good."})
    static final class Prune extends Base {
        @Option(names = "--model-id", required = true, paramLabel = "ID", description = "The model id.")
        String modelId;
        @Option(names = "--keep", required = true, paramLabel = "N", description = "How many of the highest valid versions to keep (>= 1).")
        int keep;

        @Override
        int run(ModelPublisher publisher, PrintWriter out) throws ModelPublisher.PublishException {
            reportChange(out, modelId, publisher.prune(modelId, keep));
            return ExitCode.OK;
        }
    }
}
