package io.streamscore.common;

/** A model document that is not valid model JSON: malformed, a required field missing, or a newer schema. */
public class ModelFormatException extends InvalidModelException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }
}
