package dev.profilestore.engine;

import dev.profilestore.CorruptProfileException;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;

import java.time.Instant;

/**
 * A record as the engine last saw it: missing ({@code record == null}), ours ({@code env}), or
 * foreign/corrupt ({@code corrupt}).
 */
record Current(StoredRecord record, Envelope env, CorruptProfileException corrupt) {

    private static final byte[] NONE = new byte[0];

    static Current missing() {
        return new Current(null, null, null);
    }

    /** The engine's cached view of its own last write, to try a write without reading first. */
    static Current cached(long revision, Envelope env, Instant createdAt, Instant updatedAt) {
        return new Current(new StoredRecord(revision, NONE, createdAt, updatedAt), env.copy(), null);
    }

    long revision() {
        return record == null ? Storage.ABSENT : record.revision();
    }

    boolean isMissing() {
        return record == null;
    }

    /** A profile with a session lock may exist here (not missing, corrupt, or a message box). */
    boolean isProfile() {
        return env != null && !env.isMessageBox();
    }

    Envelope.Lock lock() {
        return isProfile() ? env.meta.lock : null;
    }
}
