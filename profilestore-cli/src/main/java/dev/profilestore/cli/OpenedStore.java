package dev.profilestore.cli;

import dev.profilestore.spi.Messaging;
import dev.profilestore.spi.Storage;

import java.util.Objects;

/**
 * A backend opened from a {@link StoreUri}: its storage, its messaging (null when the backend has none, so
 * handoffs fall back to polling), and a description for people. Closing it closes both.
 *
 * @param storage the storage
 * @param messaging the messaging, or null
 * @param description where the data lives, for reports (no passwords)
 */
public record OpenedStore(Storage storage, Messaging messaging, String description) implements AutoCloseable {

    /** Validates the fields. */
    public OpenedStore {
        Objects.requireNonNull(storage, "storage");
        Objects.requireNonNull(description, "description");
    }

    @Override
    public void close() {
        try {
            if (messaging != null && messaging != storage) {
                messaging.close();
            }
        } finally {
            storage.close();
        }
    }
}
