package dev.profilestore.engine;

import dev.profilestore.SaveCause;
import dev.profilestore.spi.RecordWrite;

/** What a transform decided to do with the record it was given. */
sealed interface Plan {

    /**
     * Write {@code env}, with {@code dataJson} as its data when not null. {@code checkSize} false exempts a
     * write from {@code maxDataBytes} where refusing it would only strand the profile: a change of the lock
     * alone (taking, asking for, clearing it) adds no data, and a release that falls back to the last saved
     * data writes what was accepted once. Otherwise a profile saved just under the limit could never be
     * loaded again.
     */
    record Write(Envelope env, byte[] dataJson, RecordWrite.Versioning versioning, boolean checkSize, SaveCause cause)
            implements Plan {
        Write(Envelope env, byte[] dataJson, RecordWrite.Versioning versioning) {
            this(env, dataJson, versioning, true, SaveCause.UNKNOWN);
        }

        /** A write that keeps the written value as a version recorded with {@code cause}. */
        static Write snapshot(Envelope env, byte[] dataJson, boolean checkSize, SaveCause cause) {
            return new Write(env, dataJson, RecordWrite.Versioning.SNAPSHOT, checkSize, cause);
        }

        /** A write that changes only the lock or the takeover request of {@code env}. */
        static Write lockOnly(Envelope env, RecordWrite.Versioning versioning) {
            return new Write(env, null, versioning, false, SaveCause.UNKNOWN);
        }
    }

    /** Write nothing; {@code why} says what the caller should do instead. */
    record Abort(Why why) implements Plan {}

    /** Why a transform chose not to write. */
    enum Why {
        /** The record no longer names the session as holder. */
        LOST,
        /** The session's release already landed (a retry after a lost reply). */
        ALREADY_RELEASED,
        /** The message's earlier try landed; only its reply was lost. */
        ALREADY_SENT,
        /** The record is not the one the step decided on: decide again on the record found. */
        CHANGED,
        /** The takeover request to withdraw, or the lock to let go of, is no longer this start's. */
        NOT_OURS,
        /** The lock to clear is no longer an orphan of this store. */
        NOT_AN_ORPHAN
    }
}
