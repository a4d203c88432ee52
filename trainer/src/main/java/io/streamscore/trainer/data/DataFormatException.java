package io.streamscore.trainer.data;

/** Input data the trainer cannot use; the message names the file, and the line and column where there is one. */
public class DataFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public DataFormatException(String message) {
        super(message);
    }
}
