package dev.profilestore;

import java.util.concurrent.CompletableFuture;

/**
 * A profile whose session this server holds: its data is cached here, auto-saved, and no other server
 * can write it until the session ends.
 *
 * <h2>Threading</h2>
 * Read and change it only on the store's callback executor; signals and message handlers run there
 * too. A save takes its snapshot of {@link #data()} on that executor, so a save never persists a
 * half-made change. From other threads, hop first: {@code store.callbackExecutor().execute(...)}.
 *
 * @param <T> the profile data type
 */
public non-sealed interface Profile<T> extends ProfileContent<T> {

    /** The data as of the last successful save (for confirming purchases): a private copy, never {@link #data()}. */
    T lastSavedData();

    /** This session. */
    SessionInfo sessionInfo();

    /** The fencing epoch of this session; see {@link SessionInfo#epoch()}. */
    default long epoch() {
        return sessionInfo().epoch();
    }

    /**
     * Whether changes to the data will still be saved. Turns false at once, on the callback executor,
     * when the session starts ending or is found lost. Changes made after that are discarded.
     */
    boolean isActive();

    /**
     * Saves now, and moves this profile to the back of the auto-save rotation. Completes when the write
     * is durable; fails with {@link SessionLostException}, {@link DataTooLargeException},
     * {@link DataSerializationException} or {@link StorageException}. A failed save is not retried (the
     * next auto-save is), and the session goes on.
     */
    CompletableFuture<Void> saveAsync();

    /**
     * Ends the session: fires {@link #onLastSave()} ({@link LastSaveReason#MANUAL}) and
     * {@link #onSessionEnd()}, then writes the data and releases the lock, retrying with backoff until
     * it succeeds or the lock is found lost. Completes when the lock is released; fails with
     * {@link SessionLostException} when the session was lost instead (nothing was saved). Idempotent.
     */
    CompletableFuture<Void> endSessionAsync();

    /** Blocking twin of {@link #endSessionAsync()}, for virtual threads; must not be called on the callback executor. */
    void endSession();

    /** Fired at the start of every save, before the snapshot is taken: last-moment changes are included. */
    Signal<Void> onSave();

    /** Fired before the session's last save, with why. Not fired when the session is lost. */
    Signal<LastSaveReason> onLastSave();

    /** Fired once when the session ends, for any reason: kick the player here. */
    Signal<SessionEndReason> onSessionEnd();

    /** Fired after every successful save, with the data as saved. */
    Signal<T> onAfterSave();
}
