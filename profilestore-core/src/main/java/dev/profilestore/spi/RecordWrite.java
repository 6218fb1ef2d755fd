package dev.profilestore.spi;

import dev.profilestore.SaveCause;

import java.util.Objects;
import java.util.Set;

/**
 * The new contents of a record.
 *
 * @param payload the encoded envelope
 * @param userIds user ids to index for {@link Storage#keysByUserId} (GDPR look-ups)
 * @param versioning whether and what to keep as a saved version
 * @param cause what a {@link Versioning#SNAPSHOT} version is recorded as; a version kept by
 *     {@link Versioning#PRESERVE_PREVIOUS} is always recorded as {@link SaveCause#REPLACED}
 */
public record RecordWrite(byte[] payload, Set<Long> userIds, Versioning versioning, SaveCause cause) {

    /** Validates and copies the fields. */
    public RecordWrite {
        Objects.requireNonNull(payload, "payload");
        userIds = Set.copyOf(userIds);
        Objects.requireNonNull(versioning, "versioning");
        Objects.requireNonNull(cause, "cause");
    }

    /** A write whose snapshot, if any, is recorded with cause {@link SaveCause#UNKNOWN}. */
    public RecordWrite(byte[] payload, Set<Long> userIds, Versioning versioning) {
        this(payload, userIds, versioning, SaveCause.UNKNOWN);
    }

    /** What a write keeps in the key's version history. */
    public enum Versioning {
        /** Keep nothing: an ordinary save. */
        NONE,
        /** Keep the written record as a version (session-end saves, periodic snapshots, overwrites). */
        SNAPSHOT,
        /**
         * Keep the record being replaced as a <em>preserved</em> version, so a foreign or corrupt value is never
         * destroyed: retention never drops a preserved version (also when a backend keeps no snapshots), only
         * {@link Storage#purge} does. It is listed by {@link Storage#versions} and read by
         * {@link Storage#readVersion} like any version.
         */
        PRESERVE_PREVIOUS
    }
}
