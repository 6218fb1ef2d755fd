package dev.profilestore.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * One stored record, as read.
 *
 * @param revision positive; greater than every earlier revision of the key, also across
 *     {@link Storage#remove} and {@link Storage#purge} (see {@link Storage})
 * @param payload the engine's encoded envelope; backends must not interpret it
 * @param createdAt when the key was first written, by the store's clock
 * @param updatedAt when this revision was written, by the store's clock
 */
public record StoredRecord(long revision, byte[] payload, Instant createdAt, Instant updatedAt) {

    /** Validates the fields. */
    public StoredRecord {
        if (revision <= 0) {
            throw new IllegalArgumentException("revision must be positive, was " + revision);
        }
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }
}
