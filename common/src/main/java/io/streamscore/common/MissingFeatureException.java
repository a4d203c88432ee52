package io.streamscore.common;

import java.util.List;

/** A feature map that lacks one or more of the features a model needs. */
public class MissingFeatureException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;
    private final List<String> missing;

    public MissingFeatureException(List<String> missing) {
        super("missing feature" + (missing.size() == 1 ? " " : "s ") + String.join(", ", missing));
        this.missing = List.copyOf(missing);
    }

    /** The names of the missing features, in the model's feature order. */
    public List<String> missing() {
        return missing;
    }
}
