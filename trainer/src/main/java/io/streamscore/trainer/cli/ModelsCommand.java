package io.streamscore.trainer.cli;

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
                ModelsCommand.Rollback.class, ModelsCommand.Prune.class, ModelsCommand.ChallengeVersion.class,
                ModelsCommand.Promote.class, ModelsCommand.Drop.class},
        description = {"List, retire, restore, roll back and prune the model versions on the model topic; start, "
                + "promote and drop challengers.", "",
                "The scorers serve, per model id, the highest valid version that is neither retired nor a challenger "
                + "(the champion), and shadow-score every event with each challenger.", "",
                "Examples:",
                "  trainer models list --bootstrap-servers localhost:9092",
                "  trainer models rollback --model-id fraud --to 2 --reason 'v3 misfires'",
                "  trainer models restore --model-id fraud --version 3",
                "  trainer models prune --model-id fraud --keep 5",
                "  trainer models challenge --model-id fraud --version 4",
                "  trainer models promote --model-id fraud --version 4"})
final class ModelsCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "a subcommand is needed: list, retire, restore, rollback, prune, challenge, promote or drop");
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
            String challengers = c.challengersBefore().isEmpty() && c.challengersAfter().isEmpty() ? ""
                    : "; challengers " + describe(c.challengersBefore()) + " -> " + describe(c.challengersAfter());
            out.printf("wrote %d record%s for '%s'; served %s -> %s%s%n", c.records(), c.records() == 1 ? "" : "s",
                    modelId, describe(c.servedBefore()), describe(c.servedAfter()), challengers);
        }

        static String describe(LogisticModel m) {
            return m == null ? "nothing" : "v" + m.version();
        }

        static String describe(List<LogisticModel> models) {
            return models.isEmpty() ? "none"
                    : String.join(", ", models.stream().map(Base::describe).toList());
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
                List<LogisticModel> challengers = log.challengers(id);
                out.printf("model '%s': serving %s%s%n", id, describe(served),
                        challengers.isEmpty() ? "" : "; challengers " + describe(challengers));
                out.printf("  %-8s %-10s %-24s %-8s %s%n", "version", "status", "published", "features", "note");
                for (ModelLog.Version v : log.versions(id)) {
                    String status = v.model() == null ? "no model" : served != null && served.version() == v.version()
                            ? "SERVED" : v.retirement() != null ? "retired" : v.challenger() ? "challenger"
                            : "available";
                    String note = v.model() == null ? v.problem()
                            : v.retirement() != null ? "retired " + v.retirement().retiredAt()
                            + (v.retirement().reason().isEmpty() ? "" : ": " + v.retirement().reason())
                            : v.challenger() ? "shadow-scored since " + v.challenge().startedAt()
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

    @Command(name = "challenge", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Make one version a challenger: every event of the id is also scored by it, to the shadow "
                    + "topic, and it is not served (if it was, the scorers fall back to the highest version below it "
                    + "that is neither retired nor a challenger). To publish a new version straight as a challenger, "
                    + "use 'trainer publish --challenger'."})
    static final class ChallengeVersion extends Base {
        @Option(names = "--model-id", required = true, paramLabel = "ID", description = "The model id.")
        String modelId;
        @Option(names = "--version", required = true, paramLabel = "N", description = "The version to challenge with.")
        long version;

        @Override
        int run(ModelPublisher publisher, PrintWriter out) throws ModelPublisher.PublishException {
            reportChange(out, modelId, publisher.challenge(modelId, version));
            return ExitCode.OK;
        }
    }

    @Command(name = "promote", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Make a challenger the served version: end its challenge and retire every version above it "
                    + "that could be served, in one transaction."})
    static final class Promote extends Base {
        @Option(names = "--model-id", required = true, paramLabel = "ID", description = "The model id.")
        String modelId;
        @Option(names = "--version", required = true, paramLabel = "N", description = "The challenger to promote.")
        long version;
        @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "", description = "Recorded with each retirement.")
        String reason;

        @Override
        int run(ModelPublisher publisher, PrintWriter out) throws ModelPublisher.PublishException {
            reportChange(out, modelId, publisher.promote(modelId, version, reason));
            return ExitCode.OK;
        }
    }

    @Command(name = "drop", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Give up a challenger: retire it and end its challenge, in one transaction."})
    static final class Drop extends Base {
        @Option(names = "--model-id", required = true, paramLabel = "ID", description = "The model id.")
        String modelId;
        @Option(names = "--version", required = true, paramLabel = "N", description = "The challenger to drop.")
        long version;
        @Option(names = "--reason", paramLabel = "TEXT", defaultValue = "", description = "Recorded with the retirement.")
        String reason;

        @Override
        int run(ModelPublisher publisher, PrintWriter out) throws ModelPublisher.PublishException {
            reportChange(out, modelId, publisher.drop(modelId, version, reason));
            return ExitCode.OK;
        }
    }
}
