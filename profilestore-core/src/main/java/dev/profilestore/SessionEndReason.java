package dev.profilestore;

/**
 * Why a session ended (the argument of {@link Profile#onSessionEnd()}). It is fired once the last save's
 * outcome is known, and never claims a save that did not happen: {@link #MANUAL}, {@link #EXTERNAL} and
 * {@link #SHUTDOWN} mean the last save landed.
 */
public enum SessionEndReason {
    /** Ended by {@link Profile#endSessionAsync()}; the last save landed. */
    MANUAL,
    /** Released to another server that asked for it; the last save landed. */
    EXTERNAL,
    /** Released because the store is closing; the last save landed. */
    SHUTDOWN,
    /**
     * The lock was found taken: stolen, taken over after this server's lease ran out, overwritten, or
     * removed. No last save was made; changes since the last successful save are discarded.
     */
    LOST,
    /**
     * The session ended and its lock was released, but its last changes could not be written: the data
     * could not be serialized, or was over {@code maxDataBytes}. The release cleared only the lock, keeping
     * the data and messages as stored; changes since the last successful save are lost,
     * and {@code onError} said why. Also: the store stayed unreachable until {@code close} gave up, and the
     * lock is left to run out with this server's lease.
     */
    UNSAVED
}
