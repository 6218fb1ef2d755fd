package dev.profilestore.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.profilestore.CorruptProfileException;
import dev.profilestore.engine.RecordAccess;

import java.time.Instant;
import java.util.Set;

/**
 * Reads stored profile records, and makes the edits operators need, with the codec the session engine writes them
 * with. Use it on the payloads of {@link dev.profilestore.spi.Storage#read} and
 * {@link dev.profilestore.spi.Storage#readVersion}; write results back with a compare-and-set on the revision read,
 * so a session that saved meanwhile wins. Thread-safe, and it never touches a store.
 */
public final class ProfileRecords {

    private ProfileRecords() {}

    /**
     * Decodes a stored record.
     *
     * @param payload a record's bytes, as the storage returned them
     * @return the record
     * @throws CorruptProfileException when the bytes are not a record this library wrote (not JSON, no format marker,
     *     a field missing or of the wrong type), with the problem named
     */
    public static StoredProfile decode(byte[] payload) {
        return RecordAccess.decode(payload);
    }

    /**
     * A new profile's record, as a session start would create it, holding data brought from elsewhere: no lock, no
     * session started yet (load count 0), the given first-session time and user ids. A record it replaces keeps its
     * pending messages in the new one, as a session start over a message box does.
     *
     * @param data the profile's data as JSON, in the store's data format version {@code dataVersion}
     * @param dataVersion the data format version (a store's {@code formatVersion}, 1 unless configured)
     * @param userIds user ids tied to the profile, for erasure requests
     * @param firstSession when the player's first session was, kept as the profile's creation time
     * @param now the time of this write, kept as its last update
     * @param replaced the record this one replaces, or null; a value that is not a record of this library is ignored
     * @return the bytes to write
     */
    public static byte[] newProfile(JsonNode data, int dataVersion, Set<Long> userIds, Instant firstSession,
            Instant now, byte[] replaced) {
        return RecordAccess.newProfile(data, dataVersion, userIds, firstSession, now, replaced);
    }

    /**
     * The same record with its session lock and any pending takeover request cleared, everything else kept, so the
     * next session start, from any server, takes the profile without waiting. A session that still believes it holds
     * the profile then fails its next save and ends without writing. A message box, which has no lock, comes back as
     * it was.
     *
     * @param payload a record's bytes, as the storage returned them
     * @return the bytes to write in its place
     * @throws CorruptProfileException when the bytes are not a record this library wrote, as for {@link #decode}
     */
    public static byte[] withoutLock(byte[] payload) {
        return RecordAccess.withoutLock(payload);
    }
}
