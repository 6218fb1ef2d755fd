package dev.profilestore;

/**
 * The backing store failed: unreachable, timed out, or it rejected an operation. Retryable; nothing already saved is lost.
 */
public class StorageException extends ProfileStoreException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that names the problem. */
    public StorageException(String message) {
        super(message);
    }

    /** Creates the exception with a message that names the problem and its cause. */
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
