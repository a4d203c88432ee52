package io.streamscore.common.event;

import io.streamscore.common.LogisticModel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One feature event as read from the feature topic: which model should score it and its feature values, either by
 * name (any order) or positionally (in the model's feature order). A positional event also names the feature order it
 * was built for, as a {@link io.streamscore.common.FeatureSchema} fingerprint; the scorer refuses it when that is not
 * the served model's. See {@link FeatureEventJson} for the JSON form.
 *
 * <p>Immutable. The arrays handed in by the parser are owned by the instance (the parser never reuses them), and the
 * accessors copy, so the hot path allocates no defensive copies.
 */
public final class FeatureEvent {
    private static final int MAX_NAMES_IN_MESSAGE = 50;

    private final String eventId;
    private final String modelId;
    private final String[] names;
    private final double[] values;
    private final Integer label;
    private final String featureSchema;

    private FeatureEvent(String eventId, String modelId, String[] names, double[] values, Integer label,
                         String featureSchema) {
        if (modelId == null || modelId.isEmpty()) {
            throw new IllegalArgumentException("modelId must be a non-empty string");
        }
        Objects.requireNonNull(values, "values");
        if (names != null && names.length != values.length) {
            throw new IllegalArgumentException("names has " + names.length + " entries but values has " + values.length);
        }
        if (label != null && label != 0 && label != 1) {
            throw new IllegalArgumentException("label is " + label + "; must be 0 or 1");
        }
        if (names != null && featureSchema != null) {
            throw new IllegalArgumentException("featureSchema is for positional features only");
        }
        this.eventId = eventId;
        this.modelId = modelId;
        this.names = names;
        this.values = values;
        this.label = label;
        this.featureSchema = featureSchema;
    }

    /** Takes ownership of the arrays; for the parser only. */
    static FeatureEvent owning(String eventId, String modelId, String[] names, double[] values, Integer label,
                               String featureSchema) {
        return new FeatureEvent(eventId, modelId, names, values, label, featureSchema);
    }

    /** An event with features by name, in the map's iteration order. */
    public static FeatureEvent named(String eventId, String modelId, Map<String, Double> features, Integer label) {
        String[] n = new String[features.size()];
        double[] v = new double[n.length];
        int i = 0;
        for (Map.Entry<String, Double> e : features.entrySet()) {
            n[i] = Objects.requireNonNull(e.getKey(), "feature name");
            v[i] = Objects.requireNonNull(e.getValue(), "feature value");
            i++;
        }
        return new FeatureEvent(eventId, modelId, n, v, label, null);
    }

    /**
     * An event with features in the order of the feature schema it names.
     *
     * @param featureSchema the {@link LogisticModel#featureSchema()} of the model whose order {@code features} follow;
     *                      null for none (the scorer refuses such an event; the trainer's topic loader accepts it)
     */
    public static FeatureEvent positional(String eventId, String modelId, String featureSchema, double[] features,
                                          Integer label) {
        return new FeatureEvent(eventId, modelId, null, features.clone(), label, featureSchema);
    }

    /**
     * The features arranged in {@code model}'s order. Named features the model does not use are ignored. Positional
     * features must name {@code model}'s feature schema: the array's order is only known through it.
     *
     * @throws FeatureEventException {@link ReasonCode#MISSING_FEATURE} naming every missing feature,
     *                               {@link ReasonCode#FEATURE_SCHEMA_MISMATCH} for a positional event that names
     *                               another feature schema or none, or {@link ReasonCode#WRONG_FEATURE_COUNT} for a
     *                               positional array of the wrong length
     */
    public double[] vectorFor(LogisticModel model) throws FeatureEventException {
        int n = model.featureCount();
        if (names == null) {
            // A string comparison with the model's precomputed fingerprint: no hashing per event.
            if (featureSchema == null || !featureSchema.equalsIgnoreCase(model.featureSchema())) {
                throw schemaMismatch(model);
            }
            if (values.length != n) {
                throw new FeatureEventException(ReasonCode.WRONG_FEATURE_COUNT, "model '" + model.modelId() + "' v"
                        + model.version() + " expects " + n + " features, the event has " + values.length);
            }
            return values.clone();
        }
        double[] x = new double[n];
        int found = 0;
        for (int i = 0; i < names.length; i++) {
            int at = model.indexOf(names[i]);
            if (at >= 0) {
                x[at] = values[i];
                found++;
            }
        }
        // Names are unique (the parser rejects duplicate keys), so n hits mean every feature is present.
        if (found != n) {
            throw new FeatureEventException(ReasonCode.MISSING_FEATURE, "model '" + model.modelId() + "' v"
                    + model.version() + " needs " + String.join(", ", missing(model)));
        }
        return x;
    }

    /** Built only on failure. */
    private FeatureEventException schemaMismatch(LogisticModel model) {
        String order = "(features in order: " + listed(model.featureNames()) + ")";
        if (featureSchema == null) {
            return new FeatureEventException(ReasonCode.FEATURE_SCHEMA_MISMATCH, "positional features must name their"
                    + " feature schema: add \"featureSchema\":\"" + model.featureSchema() + "\" for model '"
                    + model.modelId() + "' v" + model.version() + " " + order + ", or send the features by name");
        }
        String given = featureSchema.length() <= 40 ? featureSchema : featureSchema.substring(0, 40) + "…";
        return new FeatureEventException(ReasonCode.FEATURE_SCHEMA_MISMATCH, "positional features built for feature"
                + " schema '" + given + "', but model '" + model.modelId() + "' v" + model.version()
                + " has feature schema '" + model.featureSchema() + "' " + order);
    }

    /** The names, up to a bound: the message travels in a dead-letter header, and a model may have thousands. */
    private static String listed(List<String> names) {
        if (names.size() <= MAX_NAMES_IN_MESSAGE) {
            return String.join(", ", names);
        }
        return String.join(", ", names.subList(0, MAX_NAMES_IN_MESSAGE)) + ", … (" + names.size() + " in all)";
    }

    private List<String> missing(LogisticModel model) {
        List<String> given = Arrays.asList(names);
        List<String> missing = new ArrayList<>();
        for (String name : model.featureNames()) {
            if (!given.contains(name)) {
                missing.add(name);
            }
        }
        return missing;
    }

    /** Null when the event has none. */
    public String eventId() {
        return eventId;
    }

    public String modelId() {
        return modelId;
    }

    public boolean isPositional() {
        return names == null;
    }

    /** The features by name in event order; empty for a positional event. */
    public Map<String, Double> namedFeatures() {
        Map<String, Double> m = new LinkedHashMap<>();
        if (names != null) {
            for (int i = 0; i < names.length; i++) {
                m.put(names[i], values[i]);
            }
        }
        return m;
    }

    /** The feature values in event order. */
    public double[] values() {
        return values.clone();
    }

    /** 0 or 1, or null when the event carries no label (the scorer ignores it; the trainer learns from it). */
    public Integer label() {
        return label;
    }

    /** The feature schema a positional event names, as given (not validated); null for none and for named features. */
    public String featureSchema() {
        return featureSchema;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureEvent e && Objects.equals(eventId, e.eventId) && modelId.equals(e.modelId)
                && Arrays.equals(names, e.names) && Arrays.equals(values, e.values) && Objects.equals(label, e.label)
                && Objects.equals(featureSchema, e.featureSchema);
    }

    @Override
    public int hashCode() {
        return Objects.hash(eventId, modelId, Arrays.hashCode(names), Arrays.hashCode(values), label, featureSchema);
    }

    @Override
    public String toString() {
        return "FeatureEvent[" + (eventId == null ? "" : eventId + ", ") + "model " + modelId + ", "
                + (names == null ? (featureSchema == null ? "" : "feature schema " + featureSchema + ", ")
                + Arrays.toString(values) : namedFeatures().toString())
                + (label == null ? "" : ", label " + label) + "]";
    }
}
