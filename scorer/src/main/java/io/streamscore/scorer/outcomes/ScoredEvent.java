package io.streamscore.scorer.outcomes;

import io.streamscore.common.LogisticModel;
import io.streamscore.common.event.Score;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * A champion's score as the scoring processor hands it to the outcome join, with the model and the feature vector it
 * scored: what a later label needs to make an outcome. Passed between the two processors of one task as an object, not
 * bytes (no serde runs between processor nodes), so the scoring path pays one allocation for it, and only with labels on.
 *
 * @param x the features in the model's order, as scored; not modified by anyone after scoring
 */
public record ScoredEvent(Score score, LogisticModel model, double[] x) {

    /**
     * Forwards {@code scored} to the outcome join {@code child} with the scored record's key, timestamp and headers.
     * The scoring processor's context is typed for byte values; the join is the one child that takes this type.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static void forward(ProcessorContext<byte[], byte[]> context, Record<byte[], byte[]> record, Score score,
                               LogisticModel model, double[] x, String child) {
        ((ProcessorContext) context).forward(record.withValue(new ScoredEvent(score, model, x)), child);
    }
}
