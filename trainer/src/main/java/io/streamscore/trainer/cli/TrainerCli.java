package io.streamscore.trainer.cli;

import io.streamscore.trainer.tools.BenchCommand;
import io.streamscore.trainer.tools.GenerateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Map;

/**
 * The {@code trainer} command line and the jar's main class: {@code train} fits, writes and publishes a model,
 * {@code retrain} retrains from outcomes behind a quality gate, {@code publish} and {@code models} steer the model topic; {@code generate} and {@code bench} come from
 * {@link io.streamscore.trainer.tools}.
 */
@Command(name = "trainer", mixinStandardHelpOptions = true, versionProvider = TrainerCli.Version.class,
        subcommands = {TrainCommand.class, RetrainCommand.class, PublishCommand.class, ModelsCommand.class, GenerateCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
        description = {"Logistic regression from scratch: fit a model on a labelled CSV file (or topic),",
                "report on it, and (with --publish) put it on the Kafka model topic.", "",
                "Examples:",
                "  trainer generate --kind overlapping --out clusters.csv",
                "  trainer train --data clusters.csv --report report/",
                "  trainer train --help",
                "  trainer models list --bootstrap-servers localhost:9092",
                "  trainer retrain --model-id clusters --bootstrap-servers localhost:9092",
                "  trainer bench --rows 1000000 --features 20", "",
                "(run as: java --add-modules jdk.incubator.vector -jar trainer/target/trainer.jar COMMAND ...;",
                " without --add-modules each pass runs the scalar kernel: slower, the same model)"})
public final class TrainerCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * Options renamed to the vocabulary the scorer and the demo share (the same name for the same thing), old name →
     * new name. The old names still work, hidden from the help, for one more release; using one prints a note on
     * stderr. docs/cli.md lists them.
     */
    public static final Map<String, String> RENAMED = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(Map.of(
            "--model-topic", "--models-topic",
            "--model-topic-partitions", "--models-topic-partitions",
            "--model-topic-replication", "--models-topic-replication",
            "--publish-timeout", "--kafka-timeout")));

    public static void main(String[] args) {
        System.exit(commandLine(new PrintWriter(System.out, true), new PrintWriter(System.err, true)).execute(args));
    }

    /** The configured command line, writing to the given streams (tests capture them). */
    public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new TrainerCli());
        cl.setOut(out);
        cl.setErr(err);
        cl.setExitCodeExceptionMapper(e -> ExitCode.FAILED);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            c.getErr().println("error: " + ex.getMessage() + " (see '" + c.getCommandSpec().qualifiedName() + " --help')");
            return ExitCode.USAGE;
        });
        cl.setExecutionStrategy(parseResult -> {
            noteRenamedOptions(parseResult, err);
            return new CommandLine.RunLast().execute(parseResult);
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            c.getErr().println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            return ExitCode.FAILED;
        });
        return cl;
    }

    /** One note per old option name used, on the command's error stream. */
    static void noteRenamedOptions(CommandLine.ParseResult parsed, PrintWriter err) {
        for (CommandLine.ParseResult p = parsed; p != null; p = p.subcommand()) {
            for (Map.Entry<String, String> rename : RENAMED.entrySet()) {
                if (p.hasMatchedOption(rename.getKey())) {
                    err.println("note: " + rename.getKey() + " is now " + rename.getValue() + "; the old name works until"
                            + " the next release");
                }
            }
        }
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is needed: train, retrain, publish, models, generate or bench");
    }

    /** The version from the jar's manifest (absent when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {io.streamscore.common.BuildVersion.line("trainer", TrainerCli.class)};
        }
    }
}
