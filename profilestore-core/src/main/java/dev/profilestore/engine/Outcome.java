package dev.profilestore.engine;

import java.time.Instant;

/** How a read-transform-write loop ended. */
sealed interface Outcome {

    /**
     * The write was applied. {@code before} is the record the winning transform saw; {@code record} the
     * bytes written, when the writer kept them (a handoff sends them on to the next holder).
     */
    record Written(Envelope env, byte[] dataJson, long revision, Instant updatedAt, Current before, byte[] record)
            implements Outcome {
        Written(Envelope env, byte[] dataJson, long revision, Instant updatedAt, Current before) {
            this(env, dataJson, revision, updatedAt, before, null);
        }
    }

    /** The transform chose not to write. */
    record Aborted(Plan.Why why, Current current) implements Outcome {}
}
