package dev.profilestore.spi;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * A saved version carried over from another store, for {@link Storage#writeVersion}: what a migration needs to
 * rebuild a key's history on a new backend with its original times.
 *
 * <p>The version keeps every field of {@code source} except its id and revision, which belong to the store it came
 * from: the target allocates its own, so revisions stay strictly increasing per key there. Taking the whole
 * {@link VersionInfo} rather than its fields one by one means a field added to it later travels without a change
 * to this method's signature.
 *
 * @param source the version as the store it comes from listed it; its save time and cause are kept
 * @param payload the version's record bytes
 * @param createdAt when the captured record's key was first written, by the source store's clock
 * @param updatedAt when the captured record was written, by the source store's clock
 * @param userIds the user ids indexed with the version, found afterwards by {@link Storage#keysByUserId}
 * @param pinned whether the version is preserved (exempt from retention), as {@link Storage#pinVersion} leaves it
 */
public record VersionWrite(VersionInfo source, byte[] payload, Instant createdAt, Instant updatedAt,
                           Set<Long> userIds, boolean pinned) {

    /** Validates and copies the fields. */
    public VersionWrite {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
        userIds = Set.copyOf(userIds);
    }
}
