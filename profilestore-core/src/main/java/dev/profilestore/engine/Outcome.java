package dev.profilestore.engine;

import java.time.Instant;

/** How a read-transform-write loop ended. */
sealed interface Outcome {

    /** The write was applied. {@code before} is the record the winning transform saw. */
    record Written(Envelope env, byte[] dataJson, long revision, Instant updatedAt, Current before) implements Outcome {}

    /** The transform chose not to write. */
    record Aborted(Plan.Why why, Current current) implements Outcome {}
}
