package dev.profilestore;

/** Why a session ended (the argument of {@link Profile#onSessionEnd()}). */
public enum SessionEndReason {
    /** Ended by {@link Profile#endSessionAsync()}. */
    MANUAL,
    /** Released to another server that asked for it. */
    EXTERNAL,
    /** Released because the store is closing. */
    SHUTDOWN,
    /**
     * The lock was found taken: stolen, taken over after this server's lease ran out, overwritten, or
     * removed. No last save was made; changes since the last successful save are discarded.
     */
    LOST
}
