package dev.profilestore;

/**
 * The codec could not serialize a profile's data (for example a cycle or a type it cannot map). The save was not made; the last saved version is intact.
 */
public class DataSerializationException extends ProfileStoreException {
    private static final long serialVersionUID = 1L;

    /** Creates the exception with a message that names the problem. */
    public DataSerializationException(String message) {
        super(message);
    }

    /** Creates the exception with a message that names the problem and its cause. */
    public DataSerializationException(String message, Throwable cause) {
        super(message, cause);
    }
}
