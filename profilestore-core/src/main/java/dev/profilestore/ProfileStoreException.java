package dev.profilestore;

/**
 * Base of every exception the library throws for a problem of its own; argument errors use {@link InvalidKeyException} and plain {@link IllegalArgumentException}s.
 */
public class ProfileStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that names the problem. */
    public ProfileStoreException(String message) {
        super(message);
    }

    /** Creates the exception with a message that names the problem and its cause. */
    public ProfileStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
