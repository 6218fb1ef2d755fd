package dev.profilestore;

/**
 * A profile's serialized form is larger than the store's configured maximum. The save was not made; the last saved version is intact.
 */
public class DataTooLargeException extends ProfileStoreException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that names the problem. */
    public DataTooLargeException(String message) {
        super(message);
    }

    /** Creates the exception with a message that names the problem and its cause. */
    public DataTooLargeException(String message, Throwable cause) {
        super(message, cause);
    }
}
