package dev.profilestore;

import java.util.concurrent.CompletableFuture;

/**
 * A profile whose session this server holds: its data is cached here, auto-saved, and no other server
 * can write it until the session ends.
 *
 * <h2>Threading</h2>
 * Read and change it only on the store's callback executor; signals and message handlers run there
 * too. A save takes its snapshot of {@link #data()} on that executor, so a save never persists a
 * half-made change. From other threads, hop first: {@code store.callbackExecutor().execute(...)}. A session
 * started with {@link SessionOptions#withCallbackExecutor(java.util.concurrent.Executor)} belongs to that
 * executor instead (the player's thread): its data, signals, message handlers and save snapshots live there.
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
     * Saves now, and moves this profile to the back of the auto-save rotation. Completes only when a write
     * holding this data (as of the save's turn, or later) is durable: a save whose turn comes after the
     * session began ending completes when the last save lands, and fails when it does not. Fails with
     * {@link SessionLostException} (the lock was found taken; nothing written), {@link DataTooLargeException},
     * {@link DataSerializationException} or {@link StorageException} (which may come after the write landed).
     * A failed save is not retried (the next auto-save is), and the session goes on unless it was lost.
     */
    CompletableFuture<Void> saveAsync();

    /**
     * Ends the session: fires {@link #onLastSave()} ({@link LastSaveReason#MANUAL}), writes the data and
     * releases the lock, retrying store errors with backoff until it lands or the lock is found lost, then
     * fires {@link #onSessionEnd()}. Completes when the data is saved and the lock released. Fails with
     * {@link SessionLostException} when the session was lost instead (nothing was saved); with
     * {@link DataTooLargeException} or {@link DataSerializationException} when the data could not be
     * written: the lock was still released, keeping the data as stored (its last successful save), and the changes
     * since are lost ({@link SessionEndReason#UNSAVED}). Idempotent.
     */
    CompletableFuture<Void> endSessionAsync();

    /**
     * {@link #endSessionAsync()}, recording the version the last save keeps with {@code cause} instead of
     * {@link SaveCause#SESSION_END}: a tool that restores an old version ends with {@link SaveCause#ROLLBACK}, any
     * other operator action with {@link SaveCause#OPERATOR}, so the profile's history says what happened. The first
     * end asked for decides the cause.
     */
    CompletableFuture<Void> endSessionAsync(SaveCause cause);

    /** Blocking twin of {@link #endSessionAsync(SaveCause)}, for virtual threads; not on the callback executor. */
    void endSession(SaveCause cause);

    /** Blocking twin of {@link #endSessionAsync()}, for virtual threads; must not be called on the callback executor. */
    void endSession();

    /** Fired at the start of every save, before the snapshot is taken: last-moment changes are included. */
    Signal<Void> onSave();

    /** Fired before the session's last save, with why. Not fired when the session is lost. */
    Signal<LastSaveReason> onLastSave();

    /**
     * Fired once when the session has ended, for any reason, once the last save's outcome is known (its
     * reason never claims a save that did not happen; {@link #isActive()} turns false earlier, when the
     * end begins): kick the player here.
     */
    Signal<SessionEndReason> onSessionEnd();

    /** Fired after every successful save, with the data as saved. */
    Signal<T> onAfterSave();
}
