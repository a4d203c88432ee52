package io.streamscore.common;

import io.streamscore.common.drift.DriftBaseline;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A trained binary logistic regression model: p = σ(intercept + Σ weights[i]·x'[i]) where x'[i] = (x[i] − mean[i]) /
 * std[i] when the model carries a {@link Standardization}, else x[i].
 *
 * <p>Immutable and always valid: the constructor rejects non-finite parameters, a names/weights length mismatch,
 * duplicate feature names, a feature name that is not valid Unicode (an unpaired surrogate) and a threshold outside
 * (0, 1), each with a message naming the field; an optional {@link DriftBaseline} must name exactly the model's features,
 * in its order. Arrays are copied in and out. This class is the single place both the
 * trainer and the scorer compute a prediction, so a score on the stream equals the trainer's prediction bit for bit.
 */
public final class LogisticModel {
    public static final double DEFAULT_THRESHOLD = 0.5;

    private final String modelId;
    private final long version;
    private final List<String> featureNames;
    private final double[] weights;
    private final double intercept;
    private final Standardization standardization;
    private final double threshold;
    private final ModelMetadata metadata;
    private final DriftBaseline driftBaseline;
    private final Map<String, Integer> indexByName;
    private final String featureSchema;

    /**
     * A model without a drift baseline.
     *
     * @param standardization null for a model on raw features
     * @param metadata        null for none
     */
    public LogisticModel(String modelId, long version, List<String> featureNames, double[] weights, double intercept,
                         Standardization standardization, double threshold, ModelMetadata metadata) {
        this(modelId, version, featureNames, weights, intercept, standardization, threshold, metadata, null);
    }

    /**
     * @param standardization null for a model on raw features
     * @param metadata        null for none
     * @param driftBaseline   the training distribution of the features and the score; null for none (no drift)
     */
    public LogisticModel(String modelId, long version, List<String> featureNames, double[] weights, double intercept,
                         Standardization standardization, double threshold, ModelMetadata metadata,
                         DriftBaseline driftBaseline) {
        if (modelId == null || modelId.isBlank()) {
            throw new InvalidModelException("modelId must be a non-empty string");
        }
        if (version < 0) {
            throw new InvalidModelException("version is " + version + "; must be >= 0");
        }
        if (featureNames == null || featureNames.isEmpty()) {
            throw new InvalidModelException("featureNames must list at least one feature");
        }
        if (weights == null) {
            throw new InvalidModelException("weights must be given");
        }
        if (featureNames.size() != weights.length) {
            throw new InvalidModelException("featureNames has " + featureNames.size() + " entries but weights has "
                    + weights.length);
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < featureNames.size(); i++) {
            String name = featureNames.get(i);
            if (name == null || name.isEmpty()) {
                throw new InvalidModelException("featureNames[" + i + "] is empty");
            }
            if (!FeatureSchema.isValidUnicode(name)) {
                throw new InvalidModelException("featureNames[" + i + "] has an unpaired surrogate; a feature name must"
                        + " be valid Unicode");
            }
            if (index.put(name, i) != null) {
                throw new InvalidModelException("featureNames has '" + name + "' twice");
            }
            if (!Double.isFinite(weights[i])) {
                throw new InvalidModelException("weights[" + i + "] (feature '" + name + "') is " + weights[i]
                        + "; must be finite");
            }
        }
        if (!Double.isFinite(intercept)) {
            throw new InvalidModelException("intercept is " + intercept + "; must be finite");
        }
        if (standardization != null && standardization.size() != weights.length) {
            throw new InvalidModelException("standardization has " + standardization.size() + " entries but weights has "
                    + weights.length);
        }
        if (!(threshold > 0.0 && threshold < 1.0)) {
            throw new InvalidModelException("threshold is " + threshold + "; must be in (0, 1)");
        }
        if (driftBaseline != null && !driftBaseline.featureNames().equals(featureNames)) {
            throw new InvalidModelException("driftBaseline.features names " + driftBaseline.featureNames()
                    + "; must be the model's features " + featureNames + ", in that order");
        }
        this.modelId = modelId;
        this.version = version;
        this.featureNames = List.copyOf(featureNames);
        this.weights = weights.clone();
        this.intercept = intercept;
        this.standardization = standardization;
        this.threshold = threshold;
        this.metadata = metadata == null ? ModelMetadata.EMPTY : metadata;
        this.driftBaseline = driftBaseline;
        this.indexByName = Map.copyOf(index);
        // Computed once here: the scorer compares every positional event's fingerprint with it.
        this.featureSchema = FeatureSchema.fingerprint(this.featureNames);
    }

    /** The same model under another version number (the trainer learns the version only when it publishes). */
    public LogisticModel withVersion(long newVersion) {
        return new LogisticModel(modelId, newVersion, featureNames, weights, intercept, standardization, threshold, metadata,
                driftBaseline);
    }

    /** The same model under another id. */
    public LogisticModel withModelId(String newModelId) {
        return new LogisticModel(newModelId, version, featureNames, weights, intercept, standardization, threshold, metadata,
                driftBaseline);
    }

    /** The same model with {@code baseline} as its drift baseline (null: none). */
    public LogisticModel withDriftBaseline(DriftBaseline baseline) {
        return new LogisticModel(modelId, version, featureNames, weights, intercept, standardization, threshold, metadata,
                baseline);
    }

    /** z = intercept + Σ weights[i]·x'[i] for features given in {@link #featureNames()} order. */
    public double logit(double[] features) {
        if (features.length != weights.length) {
            throw new IllegalArgumentException("model '" + modelId + "' expects " + weights.length + " features, got "
                    + features.length);
        }
        double sum = 0.0;
        if (standardization == null) {
            for (int i = 0; i < weights.length; i++) {
                sum += weights[i] * features[i];
            }
        } else {
            for (int i = 0; i < weights.length; i++) {
                sum += weights[i] * ((features[i] - standardization.meanAt(i)) / standardization.stdAt(i));
            }
        }
        return intercept + sum;
    }

    /**
     * The logit split into one term per feature, w_i·x'_i, for features in {@link #featureNames()} order.
     *
     * <p>Each term is the very expression {@link #logit(double[])} adds, and the terms are summed the way it sums them
     * (from 0 in feature order, then the intercept), because floating-point addition is not associative: summed in
     * another order, the same terms can give a logit a few ulps away, and so a probability that differs from
     * {@link #predictProbability(double[])} in its last bits. So {@link Contributions#logit()} equals
     * {@code logit(features)} bit for bit (a property test holds both to it).
     */
    public Contributions contributions(double[] features) {
        if (features.length != weights.length) {
            throw new IllegalArgumentException("model '" + modelId + "' expects " + weights.length + " features, got "
                    + features.length);
        }
        double[] terms = new double[weights.length];
        double sum = 0.0;
        if (standardization == null) {
            for (int i = 0; i < weights.length; i++) {
                terms[i] = weights[i] * features[i];
                sum += terms[i];
            }
        } else {
            for (int i = 0; i < weights.length; i++) {
                terms[i] = weights[i] * ((features[i] - standardization.meanAt(i)) / standardization.stdAt(i));
                sum += terms[i];
            }
        }
        return Contributions.owning(featureNames, terms, intercept, intercept + sum);
    }

    /** P(y = 1 | x) for features given in {@link #featureNames()} order. */
    public double predictProbability(double[] features) {
        return LogisticMath.sigmoid(logit(features));
    }

    /** P(y = 1 | x) for features given by name; extra names are ignored. */
    public double predictProbability(Map<String, ? extends Number> features) {
        return predictProbability(toVector(features));
    }

    /** 1 when the probability reaches the threshold, else 0. */
    public int label(double probability) {
        return probability >= threshold ? 1 : 0;
    }

    /** The class label for features in {@link #featureNames()} order. */
    public int predictLabel(double[] features) {
        return label(predictProbability(features));
    }

    /**
     * Arranges named features in this model's order.
     *
     * @throws MissingFeatureException naming every feature the map lacks
     */
    public double[] toVector(Map<String, ? extends Number> features) {
        double[] x = new double[weights.length];
        List<String> missing = null;
        for (int i = 0; i < x.length; i++) {
            Number value = features.get(featureNames.get(i));
            if (value == null) {
                if (missing == null) {
                    missing = new ArrayList<>();
                }
                missing.add(featureNames.get(i));
            } else {
                x[i] = value.doubleValue();
            }
        }
        if (missing != null) {
            throw new MissingFeatureException(missing);
        }
        return x;
    }

    /** The position of a feature in this model's order, or −1 when the model does not use it. */
    public int indexOf(String featureName) {
        Integer i = indexByName.get(featureName);
        return i == null ? -1 : i;
    }

    public String modelId() {
        return modelId;
    }

    public long version() {
        return version;
    }

    public List<String> featureNames() {
        return featureNames;
    }

    public int featureCount() {
        return weights.length;
    }

    /**
     * The {@link FeatureSchema} fingerprint of {@link #featureNames()} in their order (16 lowercase hex digits): what a
     * positional feature event names in its {@code featureSchema} field. Derived, so not part of the model JSON.
     */
    public String featureSchema() {
        return featureSchema;
    }

    public double[] weights() {
        return weights.clone();
    }

    public double intercept() {
        return intercept;
    }

    /** Null when the model takes raw features. */
    public Standardization standardization() {
        return standardization;
    }

    public double threshold() {
        return threshold;
    }

    public ModelMetadata metadata() {
        return metadata;
    }

    /**
     * The distribution of the features and the score on the training rows, for drift detection; null for a model
     * without one (trained before drift existed, or written by hand without it), which has no drift.
     */
    public DriftBaseline driftBaseline() {
        return driftBaseline;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof LogisticModel m)) {
            return false;
        }
        return version == m.version && Double.compare(intercept, m.intercept) == 0
                && Double.compare(threshold, m.threshold) == 0 && modelId.equals(m.modelId)
                && featureNames.equals(m.featureNames) && Arrays.equals(weights, m.weights)
                && Objects.equals(standardization, m.standardization) && metadata.equals(m.metadata)
                && Objects.equals(driftBaseline, m.driftBaseline);
    }

    @Override
    public int hashCode() {
        return Objects.hash(modelId, version, featureNames, Arrays.hashCode(weights), intercept, standardization, threshold);
    }

    @Override
    public String toString() {
        return "LogisticModel[" + modelId + " v" + version + ", " + weights.length + " features"
                + (standardization == null ? "" : ", standardized") + ", threshold " + threshold + "]";
    }
}
