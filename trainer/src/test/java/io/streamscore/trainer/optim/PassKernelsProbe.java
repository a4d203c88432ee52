package io.streamscore.trainer.optim;

import io.streamscore.common.ModelJson;
import io.streamscore.trainer.synthetic.SyntheticData;

import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;

/**
 * Prints which pass kernel a JVM picks; {@link PassKernelTest} runs it in JVMs started with and without the module.
 * With the argument {@code model} it also waits for the warm-up (after which passes run the kernel it picked, if that
 * won the race), trains a fixed model and prints whether passes ran warm and the SHA-256 of the model's bytes.
 */
public final class PassKernelsProbe {
    private PassKernelsProbe() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("kernel=" + PassKernels.BEST.description());
        System.out.println("fallback=" + PassKernels.fallbackReason());
        if (args.length > 0 && args[0].equals("model")) {
            WarmUp.await(60_000);
            System.out.println("warm=" + PassKernels.warm());
            TrainingOptions options = TrainingOptions.defaults().withStandardize(true).withSolver(Solver.LBFGS)
                    .withThreads(2);
            byte[] model = ModelJson.toBytes(new LogisticRegressionTrainer(options,
                    Clock.fixed(Instant.parse("2026-11-23T00:00:00Z"), ZoneOffset.UTC), ProgressListener.NONE)
                    .train(SyntheticData.logistic(3 * FusedPass.CHUNK_ROWS + 11, 6, 14), null, "m").model());
            System.out.println("model=" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model)));
        }
    }
}
