package dev.profilestore;

/**
 * A store configuration that cannot be used as written: a malformed URI, an unknown or invalid option, or a
 * backend module missing from the class path ({@link BackendNotFoundException}). The message names the fault.
 */
public class StoreConfigException extends ProfileStoreException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, naming the URI or option at fault
     */
    public StoreConfigException(String message) {
        super(message);
    }
}
