package io.streamscore.common;

/** A model whose parameters cannot be used for scoring (non-finite weight, length mismatch, bad threshold, ...). */
public class InvalidModelException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InvalidModelException(String message) {
        super(message);
    }
}
