package dev.profilestore.spi;

import dev.profilestore.StoreConnection;
import dev.profilestore.StoreUri;

import java.util.Set;

/**
 * Opens the stores of some URI schemes for {@link StoreConnection#open(String)}. A backend module lists its
 * implementation in {@code META-INF/services/dev.profilestore.spi.StoreProvider}; it needs a public no-argument
 * constructor.
 */
public interface StoreProvider {

    /**
     * The schemes served, in lower case: {@code sqlite}, or server schemes such as {@code redis} and {@code rediss}.
     *
     * @return the schemes
     */
    Set<String> schemes();

    /**
     * Opens a store. On failure, closes whatever it opened.
     *
     * @param uri a {@link StoreUri.Sqlite} or {@link StoreUri.Server} of one of {@link #schemes()}; a server URI
     *     already carries the password from the environment
     * @param options whether to create a missing store, and lock timeouts
     * @return the storage and its messaging
     * @throws dev.profilestore.StorageException when the store cannot be opened, naming why in one line
     */
    StoreConnection open(StoreUri uri, StoreConnection.Options options);
}
