package dev.profilestore;

/**
 * A key holds a value that is not a profile this library wrote, or one it cannot decode. The value is left in place; a session start preserves it as a version before replacing it.
 */
public class CorruptProfileException extends ProfileStoreException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that names the problem. */
    public CorruptProfileException(String message) {
        super(message);
    }

    /** Creates the exception with a message that names the problem and its cause. */
    public CorruptProfileException(String message, Throwable cause) {
        super(message, cause);
    }
}
