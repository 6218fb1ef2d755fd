package dev.profilestore.migration;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * One player's data mapped from a foreign row, to be written as a profile by {@link ProfileImport}.
 *
 * @param key the profile key (what game servers will start sessions on)
 * @param data the player's data, in the store's data class
 * @param userIds user ids tied to the player, for erasure requests (often the key's player id)
 * @param firstSessionAt when the player first played, kept as the profile's first-session time; null for the time of
 *     the import
 * @param <T> the store's data class
 */
public record ImportedProfile<T>(String key, T data, Set<Long> userIds, Instant firstSessionAt) {

    /** Validates and copies the fields. */
    public ImportedProfile {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(data, "data");
        userIds = Set.copyOf(userIds);
    }
}
