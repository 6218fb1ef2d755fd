package dev.profilestore;

import java.util.concurrent.CompletableFuture;

/**
 * A read of a profile without a session ({@link ProfileStore#getAsync}, {@link VersionQuery}): it never
 * auto-saves and needs no ending. Edit it and call {@link #overwriteAsync()} to replace the stored
 * profile (a rollback, an admin fix).
 *
 * @param <T> the profile data type
 */
public non-sealed interface ProfileView<T> extends ProfileContent<T> {

    /** The saved version this view was read from, or the current record's version. */
    String version();

    /**
     * Replaces the stored profile with this view's data, metadata and user ids, deletes the messages
     * this view marked processed, and clears the session lock and any takeover request. A server still
     * holding a session finds its lock gone at its next write and ends the session with
     * {@link SessionEndReason#LOST}; use the lock protocol instead (the CLI's rollback asks the holder
     * to release first) when that matters.
     */
    CompletableFuture<Void> overwriteAsync();
}
