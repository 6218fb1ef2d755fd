package dev.profilestore.spi;

import java.time.Instant;
import java.util.Optional;

/** The outcome of a compare-and-set {@link Storage#write}. */
public sealed interface WriteResult {

    /**
     * The write was applied.
     *
     * @param revision the record's new revision
     * @param updatedAt when it was written, by the store's clock
     */
    record Written(long revision, Instant updatedAt) implements WriteResult {}

    /**
     * The revision did not match; nothing was written.
     *
     * @param current the record found instead, empty when there was none
     */
    record Conflict(Optional<StoredRecord> current) implements WriteResult {}
}
