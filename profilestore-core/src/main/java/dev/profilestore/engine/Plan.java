package dev.profilestore.engine;

import dev.profilestore.spi.RecordWrite;

/** What a transform decided to do with the record it was given. */
sealed interface Plan {

    /**
     * Write {@code env}, with {@code dataJson} as its data when not null. {@code checkSize} false lets a
     * release that falls back to the last saved data write it even over {@code maxDataBytes}: it was accepted
     * once, and the lock must not stay held because messages grew the record since.
     */
    record Write(Envelope env, byte[] dataJson, RecordWrite.Versioning versioning, boolean checkSize) implements Plan {
        Write(Envelope env, byte[] dataJson, RecordWrite.Versioning versioning) {
            this(env, dataJson, versioning, true);
        }
    }

    /** Write nothing; {@code why} says what the caller should do instead. */
    record Abort(Object why) implements Plan {}

    /** Why a session's own write was not made. */
    enum Why {
        /** The record no longer names the session as holder. */
        LOST,
        /** The session's release already landed (a retry after a lost reply). */
        ALREADY_RELEASED
    }
}
