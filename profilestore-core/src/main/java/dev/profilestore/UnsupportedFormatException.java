package dev.profilestore;

/**
 * A stored profile has a data format version newer than this server knows, so it must not be loaded or overwritten by this server.
 */
public class UnsupportedFormatException extends ProfileStoreException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that names the problem. */
    public UnsupportedFormatException(String message) {
        super(message);
    }

    /** Creates the exception with a message that names the problem and its cause. */
    public UnsupportedFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
