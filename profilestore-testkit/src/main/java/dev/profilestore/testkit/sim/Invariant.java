package dev.profilestore.testkit.sim;

/** The properties the checker holds a run to; a {@link Violation} names one. */
public enum Invariant {
    /** For a key, each epoch belongs to exactly one session, and the epochs of applied writes never go back. */
    SINGLE_WRITER,
    /** An acknowledged save's content (earnings, receipts, gifts, trades) is missing from the store. */
    ACKED_SAVE_LOST,
    /** A receipt was granted more than once. */
    RECEIPT_DUPLICATED,
    /** A receipt whose message was acknowledged was never granted. */
    RECEIPT_LOST,
    /** Coins do not add up: a record's balance differs from its ledger, or a trade is on one side only. */
    ECONOMY,
    /** A message's effect was applied more than once. */
    MESSAGE_DUPLICATED,
    /** An acknowledged message's effect was never applied. */
    MESSAGE_LOST,
    /** After the faults healed, the cluster did not settle: a close, start or save never finished, or a lock stayed. */
    STUCK,
    /** The engine threw or failed where the workload did not expect it. */
    UNEXPECTED_ERROR,
    /**
     * The fencing epoch repeated (or went back) for a key: a new session's acquiring write carried an
     * epoch at or below one an earlier session of the key already had, across removal, corrupt
     * replacement, import and rollback included; or the storage gave a key a revision at or below one it
     * gave before (epochs derive from revisions, so storages must never repeat one per key).
     */
    EPOCH_REPEATED,
    /**
     * A future the API returned stayed pending past its documented deadline: a start past its timeout
     * plus the handoff it may wait for (steal after, lease, storage timeout), a save, end, commit, save-all,
     * message, overwrite or remove past the storage timeout and its retries. Time a server spent paused
     * does not count, and a crashed server's futures are not checked.
     */
    PENDING_FOREVER,
    /** {@code closeAsync} did not complete within the close timeout (plus one storage timeout and slack). */
    CLOSE_HUNG,
    /**
     * An operation the API acknowledged by completing normally ({@code saveAsync}, {@code endSessionAsync},
     * {@code commitAsync}, {@code saveAllAsync}, {@code overwriteAsync} of a view) left the store without
     * the data it acknowledged, and no later explicit overwrite, rollback, removal, import or record
     * replacement removed it. (Saves acknowledged through {@code onAfterSave} are {@link #ACKED_SAVE_LOST};
     * acknowledged messages are {@link #MESSAGE_LOST} and {@link #RECEIPT_LOST}.)
     */
    ACKED_NOT_DURABLE,
    /**
     * A record written by a newer version of the library ({@code "format":"profilestore/2"}) was replaced
     * by this one instead of being refused with {@code UNSUPPORTED_FORMAT} and left untouched.
     */
    NEWER_FORMAT_REPLACED
}
