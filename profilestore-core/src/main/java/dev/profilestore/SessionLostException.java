package dev.profilestore;

/**
 * The profile's session is no longer held by this server (ended, stolen or taken over), so the write was rejected by the store's fencing.
 */
public class SessionLostException extends ProfileStoreException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that names the problem. */
    public SessionLostException(String message) {
        super(message);
    }

    /** Creates the exception with a message that names the problem and its cause. */
    public SessionLostException(String message, Throwable cause) {
        super(message, cause);
    }
}
