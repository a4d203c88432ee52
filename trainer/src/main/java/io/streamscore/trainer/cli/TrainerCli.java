package io.streamscore.trainer.cli;

import io.streamscore.trainer.tools.BenchCommand;
import io.streamscore.trainer.tools.GenerateCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/**
 * The {@code trainer} command line and the jar's main class: {@code train} fits, writes and publishes a model,
 * {@code publish} and {@code models} steer the model topic; {@code generate} and {@code bench} come from
 * {@link io.streamscore.trainer.tools}.
 */
@Command(name = "trainer", mixinStandardHelpOptions = true, versionProvider = TrainerCli.Version.class,
        subcommands = {TrainCommand.class, PublishCommand.class, ModelsCommand.class, GenerateCommand.class, BenchCommand.class, CommandLine.HelpCommand.class},
        description = {"Logistic regression from scratch: fit a model on a labelled CSV file (or topic),",
                "report on it, and (with --publish) put it on the Kafka model topic.", "",
                "Examples:",
                "  trainer generate --kind overlapping --out clusters.csv",
                "  trainer train --data clusters.csv --standardize --report report/",
                "  trainer train --help",
                "  trainer models list --bootstrap-servers localhost:9092",
                "  trainer bench --rows 1000000 --features 20", "",
                "(run as: java --add-modules jdk.incubator.vector -jar trainer/target/trainer.jar COMMAND ...;",
                " without --add-modules each pass runs the scalar kernel: slower, the same model)"})
public final class TrainerCli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

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
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            c.getErr().println("error: " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            return ExitCode.FAILED;
        });
        return cl;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is needed: train, publish, models, generate or bench");
    }

    /** The version from the jar's manifest (absent when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {io.streamscore.common.BuildVersion.line("trainer", TrainerCli.class)};
        }
    }
}
