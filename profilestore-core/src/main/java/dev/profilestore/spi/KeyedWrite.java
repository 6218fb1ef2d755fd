package dev.profilestore.spi;

import java.util.Objects;

/**
 * One write of an atomic {@link Storage#writeAll} batch.
 *
 * @param store the store name
 * @param key the profile key
 * @param expectedRevision the revision the record must still have ({@link Storage#ABSENT}: none)
 * @param write the new contents
 */
public record KeyedWrite(String store, String key, long expectedRevision, RecordWrite write) {

    /** Validates the fields. */
    public KeyedWrite {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(write, "write");
    }
}
