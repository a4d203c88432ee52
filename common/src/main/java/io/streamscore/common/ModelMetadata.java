package io.streamscore.common;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a model came from: when it was trained, with which parameters, and how well it did.
 *
 * @param trainedAt          when training finished; null when unknown (a hand-written model)
 * @param trainingParameters the options that produced the model, as strings (e.g. "learningRate" → "0.5")
 * @param metrics            metric sets by split name ("train", "holdout"), each metric name → value
 */
public record ModelMetadata(Instant trainedAt, Map<String, String> trainingParameters,
                            Map<String, Map<String, Double>> metrics) {

    public static final ModelMetadata EMPTY = new ModelMetadata(null, Map.of(), Map.of());

    public ModelMetadata {
        trainingParameters = trainingParameters == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(trainingParameters));
        Map<String, Map<String, Double>> copy = new LinkedHashMap<>();
        if (metrics != null) {
            metrics.forEach((split, values) -> copy.put(split, Collections.unmodifiableMap(new LinkedHashMap<>(values))));
        }
        metrics = Collections.unmodifiableMap(copy);
    }
}
