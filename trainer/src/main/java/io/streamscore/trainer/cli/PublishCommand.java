package io.streamscore.trainer.cli;

import io.streamscore.common.InvalidModelException;
import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.trainer.kafka.ModelPublisher;
import io.streamscore.trainer.kafka.PublishOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code trainer publish}: puts an existing model file on the model topic (e.g. after a failed publish). */
@Command(name = "publish", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = {"Publish a model file to the compacted model topic as the next version of its model id.", "",
                "When its features differ from the served version's, a warning names the",
                "features added and removed: producers of events without an added feature",
                "must be updated before it is served.", "",
                "Examples:",
                "  trainer publish --model model.json --bootstrap-servers localhost:9092",
                "  trainer publish --model model.json --model-id fraud --client-config c.properties"})
final class PublishCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model JSON written by train.")
    Path modelFile;

    @Option(names = "--model-id", paramLabel = "ID", description = "Publish under this id instead of the file's modelId.")
    String modelId;

    @CommandLine.Mixin
    PublishOptions publish;

    @Override
    public Integer call() {
        LogisticModel model;
        try {
            model = ModelJson.fromBytes(Files.readAllBytes(modelFile));
        } catch (NoSuchFileException e) {
            spec.commandLine().getErr().println("error: " + modelFile + ": no such file");
            return ExitCode.FAILED;
        } catch (IOException | InvalidModelException e) {
            spec.commandLine().getErr().println("error: " + modelFile + ": " + e.getMessage());
            return ExitCode.FAILED;
        }
        try {
            publish.clientProperties();
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        try {
            publish.publish(modelId == null ? model : model.withModelId(modelId), spec.commandLine().getOut());
            spec.commandLine().getOut().println(TrainCommand.featureSchemaLine(model));
            return ExitCode.OK;
        } catch (ModelPublisher.PublishException e) {
            spec.commandLine().getErr().println("error: " + e.getMessage());
            return ExitCode.FAILED;
        }
    }
}
