package dev.profilestore.spi;

/**
 * Supplies the storage a store uses when its builder was given none, found with
 * {@link java.util.ServiceLoader}. The SQLite module provides one (a {@code profiles.db} file in the
 * working directory), which makes it the embedded default.
 */
public interface DefaultStorageProvider {

    /** Opens the default storage. */
    Storage open();

    /**
     * Opens the messaging that goes with the default storage (for SQLite: over the same file), or returns
     * null when there is none and handoffs must rely on polling.
     */
    default Messaging openMessaging() {
        return null;
    }

    /** For logs: where the default storage lives. */
    String describe();
}
