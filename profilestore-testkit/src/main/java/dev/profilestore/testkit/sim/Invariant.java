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
    UNEXPECTED_ERROR
}
