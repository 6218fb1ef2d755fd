package dev.profilestore.spi;

import java.util.Objects;
import java.util.Set;

/**
 * The new contents of a record.
 *
 * @param payload the encoded envelope
 * @param userIds user ids to index for {@link Storage#keysByUserId} (GDPR look-ups)
 * @param versioning whether and what to keep as a saved version
 */
public record RecordWrite(byte[] payload, Set<Long> userIds, Versioning versioning) {

    /** Validates and copies the fields. */
    public RecordWrite {
        Objects.requireNonNull(payload, "payload");
        userIds = Set.copyOf(userIds);
        Objects.requireNonNull(versioning, "versioning");
    }

    /** What a write keeps in the key's version history. Ignored by backends without versions. */
    public enum Versioning {
        /** Keep nothing: an ordinary save. */
        NONE,
        /** Keep the written record as a version (session-end saves, periodic snapshots, overwrites). */
        SNAPSHOT,
        /**
         * Keep the record being replaced as a version, so a foreign or corrupt value is never destroyed.
         * A backend without versions must still preserve it somewhere and document where.
         */
        PRESERVE_PREVIOUS
    }
}
