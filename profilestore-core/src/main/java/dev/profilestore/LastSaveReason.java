package dev.profilestore;

/** Why a session's last save happened (the argument of {@link Profile#onLastSave()}). */
public enum LastSaveReason {
    /** {@link Profile#endSessionAsync()} was called, or a start finished after it was cancelled or the store began closing. */
    MANUAL,
    /** Another server asked for the profile, and this server released it. */
    EXTERNAL,
    /** The store is closing. */
    SHUTDOWN
}
