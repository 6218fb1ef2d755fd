package dev.profilestore;

/**
 * The profile store is closing or closed, so no new operation is started.
 */
public class StoreClosedException extends ProfileStoreException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that names the problem. */
    public StoreClosedException(String message) {
        super(message);
    }

    /** Creates the exception with a message that names the problem and its cause. */
    public StoreClosedException(String message, Throwable cause) {
        super(message, cause);
    }
}
