package dev.profilestore.migration;

import dev.profilestore.CorruptProfileException;
import dev.profilestore.SessionInfo;
import dev.profilestore.UnsupportedFormatException;
import dev.profilestore.admin.ProfileRecords;
import dev.profilestore.admin.StoredProfile;
import dev.profilestore.spi.Micros;
import dev.profilestore.spi.Storage;

import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** What the migration reads out of stored records, through the engine's own decoder. */
final class Records {

    private Records() {}

    /** The record decoded, or empty when it is not one of this library's (a foreign value, a newer layout). */
    static Optional<StoredProfile> decode(byte[] payload) {
        try {
            return Optional.of(ProfileRecords.decode(payload));
        } catch (CorruptProfileException | UnsupportedFormatException e) {
            return Optional.empty();
        }
    }

    /** The user ids a record indexes: those in it; none for a value that is not ours. */
    static Set<Long> userIds(byte[] payload) {
        return decode(payload).map(p -> (Set<Long>) new TreeSet<>(p.userIds())).orElse(Set.of());
    }

    /**
     * The session holding the record if its server is alive, decided as the CLI's {@code sessions} and
     * {@code inspect} decide it: a lock in the record, and that lock's lease still running by the store's clock.
     */
    static Optional<SessionInfo> liveHolder(Storage storage, byte[] payload) {
        return decode(payload).flatMap(StoredProfile::lock).filter(l -> storage.isLeaseLive(l.leaseId()));
    }

    /** Two save times as equal as the coarsest backend (microseconds) can keep them. */
    static boolean sameTime(Instant a, Instant b) {
        return Micros.floor(a) == Micros.floor(b);
    }
}
