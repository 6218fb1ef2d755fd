package dev.profilestore;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;

/**
 * How {@link ProfileStore#startSessionAsync(String, SessionOptions)} behaves.
 *
 * @param cancel polled while the start waits; once it returns true the start gives up with
 *     {@link SessionStart.Reason#CANCELLED} (for example: the player left). It must be cheap and free
 *     of side effects. While a cancel condition is given, the start never times out on its own.
 * @param steal take the lock at once without asking the holder (debugging and recovery only: the
 *     holder's unsaved changes are lost)
 * @param timeout how long a start may spend failing to reach the store before it gives up with
 *     {@link SessionStart.Reason#TIMED_OUT}; null for the store's default
 * @param callbackExecutor where this session's profile belongs, for platforms where the thread that owns a
 *     player is not one main thread (Minestom's per-instance tick threads, Folia's regions); null for the
 *     store's callback executor. See {@link #withCallbackExecutor(Executor)}.
 */
public record SessionOptions(BooleanSupplier cancel, boolean steal, Duration timeout, Executor callbackExecutor) {

    private static final BooleanSupplier NEVER = () -> false;

    /** Validates the fields. */
    public SessionOptions {
        Objects.requireNonNull(cancel, "cancel");
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout);
        }
    }

    /**
     * Options without a session executor: the profile belongs to the store's callback executor.
     *
     * @param cancel see the record
     * @param steal see the record
     * @param timeout see the record
     */
    public SessionOptions(BooleanSupplier cancel, boolean steal, Duration timeout) {
        this(cancel, steal, timeout, null);
    }

    /** No cancel condition, no steal, the store's default timeout. */
    public static SessionOptions defaults() {
        return new SessionOptions(NEVER, false, null);
    }

    /** Gives up once {@code cancel} returns true. */
    public static SessionOptions cancelWhen(BooleanSupplier cancel) {
        return new SessionOptions(cancel, false, null);
    }

    /** Takes the lock without asking the holder. */
    public static SessionOptions stealing() {
        return new SessionOptions(NEVER, true, null);
    }

    /** These options with a cancel condition. */
    public SessionOptions withCancel(BooleanSupplier cancel) {
        return new SessionOptions(cancel, steal, timeout, callbackExecutor);
    }

    /** These options with a start timeout. */
    public SessionOptions withTimeout(Duration timeout) {
        return new SessionOptions(cancel, steal, timeout, callbackExecutor);
    }

    /**
     * These options with the session's own executor: the thread that owns the player owns the profile.
     *
     * <p>The store then runs this session's signal listeners ({@link Profile#onSave()}, {@link Profile#onLastSave()},
     * {@link Profile#onSessionEnd()}, {@link Profile#onAfterSave()}) and its message handlers as tasks on
     * {@code executor}, and takes every save's snapshot of the data there too, so the game reads and changes the
     * profile on the player's thread without hopping to the store's executor, and a save never sees a half-made
     * change. The store waits for each task (other store work waits with it), so the executor must run it soon
     * and exclusively of the player's own code: on the calling thread while holding the player's lock (Minestom's
     * {@code player.acquirable().sync(...)}), or on the player's thread at its next free moment. Never call a
     * blocking store method from it. A task not started within the store's storage timeout is dropped: a listener
     * is skipped, a message stays for later delivery, and a save fails with {@link StorageException} (a last save
     * then releases the lock keeping the data as last saved, {@link SessionEndReason#UNSAVED}). An executor that runs
     * the task on the calling thread is waited for inside {@code execute}, as long as its lock takes: that wait has
     * no timeout.
     *
     * <p>The start's future still completes on the store's callback executor, and message handlers are best
     * registered there (in the start's continuation).
     *
     * @param executor the player's executor
     * @return these options with the executor
     */
    public SessionOptions withCallbackExecutor(Executor executor) {
        return new SessionOptions(cancel, steal, timeout, Objects.requireNonNull(executor, "executor"));
    }

    /** Whether a cancel condition other than "never" was given. */
    public boolean hasCancel() {
        return cancel != NEVER;
    }
}
