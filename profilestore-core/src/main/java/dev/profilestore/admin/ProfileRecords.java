package dev.profilestore.admin;

import dev.profilestore.CorruptProfileException;
import dev.profilestore.engine.RecordAccess;

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
