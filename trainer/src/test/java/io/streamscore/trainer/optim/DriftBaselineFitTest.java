package io.streamscore.trainer.optim;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.ModelJson;
import io.streamscore.common.drift.Bins;
import io.streamscore.common.drift.DriftBaseline;
import io.streamscore.trainer.data.Dataset;
import io.streamscore.trainer.synthetic.SyntheticData;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Every trained model carries the drift baseline of the rows it was fitted on (raw features, its own probability). */
class DriftBaselineFitTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-23T00:00:00Z"), ZoneOffset.UTC);

    @Test
    void theBaselineIsThatOfTheTrainingRowsNotTheHoldout() {
        Dataset.Split split = SyntheticData.overlappingClusters(600, 4).split(0.25, 4);
        LogisticModel model = new LogisticRegressionTrainer(TrainingOptions.defaults().withIterations(300), CLOCK,
                ProgressListener.NONE).train(split.train(), split.holdout(), "clusters").model();
        DriftBaseline b = model.driftBaseline();
        assertNotNull(b, "a trained model carries a baseline");
        assertEquals(model.featureNames(), b.featureNames());
        assertEquals(DriftBaseline.DEFAULT_BINS, b.bins());
        Dataset train = split.train();
        // Recount the training rows with the baseline's own bins: the proportions are theirs, on raw values.
        for (int j = 0; j < train.cols(); j++) {
            Bins bins = b.feature(j);
            long[] counts = new long[bins.count()];
            double[] column = new double[train.rows()];
            for (int i = 0; i < train.rows(); i++) {
                counts[bins.binOf(train.value(i, j))]++;
                column[i] = train.value(i, j);
            }
            for (int k = 0; k < counts.length; k++) {
                assertEquals(counts[k] / (double) train.rows(), bins.proportions()[k], 0.0, "feature " + j + " bin " + k);
            }
            assertEquals(Bins.fit(column, 10), bins);
        }
        double[] p = new double[train.rows()];
        for (int i = 0; i < p.length; i++) {
            p[i] = model.predictProbability(train.row(i));
        }
        assertEquals(Bins.fit(p, 10), b.score());
        // It goes with the model everywhere the model goes.
        assertEquals(b, ModelJson.fromBytes(ModelJson.toBytes(model)).driftBaseline());
        assertEquals(List.of("x1", "x2"), b.featureNames());
    }
}
