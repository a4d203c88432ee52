package io.streamscore.trainer.tools;

import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.synthetic.SyntheticData;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code trainer generate}: writes one of the example data sets as CSV. */
@Command(name = "generate", mixinStandardHelpOptions = true, showDefaultValues = true, sortOptions = false,
        description = {"Write an example data set as CSV (label last).", "",
                "The kinds, after the two-cluster examples:",
                "  overlapping  two unit-variance 2-D clusters whose best linear separator gets about 93%%",
                "  separable    two 2-D clusters with a gap between them (100%% is reachable)",
                "  wide         standard-normal features with labels from a random logistic model", "",
                "Example:",
                "  trainer generate --kind overlapping --rows 2000 --out clusters.csv"})
public final class GenerateCommand implements Callable<Integer> {

    enum Kind { overlapping, separable, wide }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--kind", paramLabel = "overlapping|separable|wide", defaultValue = "overlapping", description = "One of: ${COMPLETION-CANDIDATES}.")
    Kind kind;

    @Option(names = "--rows", paramLabel = "N", defaultValue = "2000", description = "Rows in all (half per class for the clusters).")
    int rows;

    @Option(names = "--features", paramLabel = "N", defaultValue = "20", description = "Features, for --kind wide.")
    int features;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Same seed, same data.")
    long seed;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Where to write the CSV.")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (rows < 2) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--rows must be at least 2, got " + rows);
        }
        Dataset data = switch (kind) {
            case overlapping -> SyntheticData.overlappingClusters(rows / 2, seed);
            case separable -> SyntheticData.separableClusters(rows / 2, seed);
            case wide -> SyntheticData.logistic(rows, features, seed);
        };
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            SyntheticData.writeCsv(data, w);
        }
        spec.commandLine().getOut().printf("%s: %d rows x %d features written to %s%n", data.source(), data.rows(),
                data.cols(), out);
        return CommandLine.ExitCode.OK; // failures throw; TrainerCli maps them to its exit codes
    }
}
