package dev.profilestore;

/**
 * A session for this key is already active on this server. End it (or wait for its end) before
 * starting another one; the original's "already loaded in this session" guard.
 */
public class ProfileAlreadyLoadedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that names the store and key. */
    public ProfileAlreadyLoadedException(String message) {
        super(message);
    }
}
