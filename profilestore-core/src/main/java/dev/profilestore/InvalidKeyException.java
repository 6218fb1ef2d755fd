package dev.profilestore;

/**
 * A profile key or store name is empty, too long, or contains control characters. Thrown before any
 * store access, so nothing is changed.
 */
public class InvalidKeyException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that names the problem. */
    public InvalidKeyException(String message) {
        super(message);
    }
}
