package dev.profilestore;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * A named collection of profiles, each loaded on at most one server at a time under a fenced session
 * lock kept in the shared store. Build one with {@link #builder}.
 *
 * <p>Every {@code ...Async} method returns at once; its future completes on the callback executor.
 * The blocking twins are for virtual threads and must not be called on the callback executor.
 * Thread-safe.
 *
 * @param <T> the profile data type
 */
public interface ProfileStore<T> extends AutoCloseable {

    /**
     * Starts building a store.
     *
     * @param name the store name, 1 to 50 characters without control characters
     * @param type the data type: a mutable POJO, a record, or a {@code Map}
     * @param template makes the data of a new profile, and the defaults {@link ProfileContent#reconcile()} fills in
     */
    static <T> ProfileStoreBuilder<T> builder(String name, Class<T> type, Supplier<T> template) {
        return new ProfileStoreBuilder<>(name, type, template);
    }

    /** The store name. */
    String name();

    /**
     * The id of this store instance's lease in the storage (its server id, store name and a random part):
     * locks this instance takes name it, and other servers take them over once it runs out. For diagnostics.
     */
    String leaseId();

    /** The executor that runs callbacks and owns profile state. */
    Executor callbackExecutor();

    /** Starts a session with default options. */
    default CompletableFuture<SessionStart<T>> startSessionAsync(String key) {
        return startSessionAsync(key, SessionOptions.defaults());
    }

    /**
     * Starts a session: acquires the profile's lock (asking a live holder to release, taking over from a
     * crashed one after its lease), loads the data, and adds it to auto-save. Completes with the profile,
     * or with the reason it did not start. Fails with {@link ProfileAlreadyLoadedException} when this
     * server already has an active session for the key.
     *
     * @throws InvalidKeyException for an empty, over-long or control-character key
     */
    CompletableFuture<SessionStart<T>> startSessionAsync(String key, SessionOptions options);

    /** Blocking twin of {@link #startSessionAsync(String, SessionOptions)}. */
    SessionStart<T> startSession(String key, SessionOptions options);

    /**
     * Blocking twin of {@link #startSessionAsync(String)}: starts a session with default options. For virtual
     * threads; not on the callback executor.
     *
     * @param key the profile key
     * @return the profile, or the reason it did not start
     */
    default SessionStart<T> startSession(String key) {
        return startSession(key, SessionOptions.defaults());
    }

    /**
     * Appends a durable message to a profile, online or offline, and nudges its holder. Completes when
     * the message is written; retries store errors with backoff until the store closes.
     *
     * @param message any JSON-serializable value
     */
    CompletableFuture<Void> messageAsync(String key, Object message);

    /** Reads a profile without a session; empty when the key holds none. */
    CompletableFuture<Optional<ProfileView<T>>> getAsync(String key);

    /** Reads a saved version; empty when there is no such version. */
    CompletableFuture<Optional<ProfileView<T>>> getAsync(String key, String version);

    /** Walks saved versions between {@code from} and {@code to} (null: unbounded). */
    VersionQuery<T> versionQuery(String key, SortDirection direction, Instant from, Instant to);

    /**
     * Deletes the profile's current record (saved versions stay). A server holding it finds its lock
     * gone at its next write. Completes with whether a record existed. The delete names the revision it
     * read, so a removal that fails with a timeout and lands later cannot delete what was written after it.
     */
    CompletableFuture<Boolean> removeAsync(String key);

    /** Keys of profiles tied to a user id, for erasure requests. */
    CompletableFuture<List<String>> keysByUserIdAsync(long userId);

    /** This server's active session for a key, if any. Call on the callback executor. */
    Optional<Profile<T>> activeProfile(String key);

    /**
     * Saves several active profiles of this server in one atomic write: all or none. It takes its turn
     * in every profile's queue at once, so no save asked for later can run before it, and it snapshots
     * the data when its turn comes.
     *
     * <p><b>Not for trades.</b> It makes the write atomic, not changes already made to the data: a save
     * or a handoff of one of these profiles asked for before this call may take its snapshot after those
     * changes and store one side of a trade alone. Trade with {@link #commitAsync}, which makes the change
     * at its turn and puts the data back when the commit cannot land.
     *
     * <p>Fails with {@link UnsupportedOperationException} when the storage cannot write atomically across
     * keys, and with {@link SessionLostException} (writing nothing) when any session was lost.
     */
    CompletableFuture<Void> saveAllAsync(List<Profile<T>> profiles);

    /**
     * Changes several active profiles of this server together and commits them in one atomic write: a
     * trade. When its turn comes in every profile's queue (no save asked for later can run first), it
     * runs {@code change} on the callback executor, snapshots the profiles and writes them all or none,
     * retrying store errors with backoff. If it cannot commit (a session was lost, the store is closing,
     * the data is too large, or {@code change} threw), it puts back each profile's data as it was before
     * {@code change} (a new data object, so read {@link Profile#data()} again) and fails with the cause:
     * a trade is never left on one side only.
     *
     * <p>Changes made to these profiles by other code while the commit is in flight (a few store round
     * trips) are undone along with a failed commit.
     *
     * @throws UnsupportedOperationException (in the future) when the storage cannot write atomically across keys
     */
    CompletableFuture<Void> commitAsync(List<Profile<T>> profiles, Runnable change);

    /** An isolated in-memory twin of this store, with the same settings: for tests (Roblox's {@code .Mock}). */
    ProfileStore<T> mock();

    /** Fired for every failed store operation. */
    Signal<StoreError> onError();

    /** Fired when a foreign or corrupt value was preserved and replaced. */
    Signal<Overwrite> onOverwrite();

    /** Fired when critical state (many store errors in a short window) begins (true) or ends (false). */
    Signal<Boolean> onCriticalToggle();

    /** Fired when a key's message queue exceeded its cap and the oldest messages were dropped. */
    Signal<DroppedMessages> onMessagesDropped();

    /** Whether the store is closing: no new sessions, messages or reads start. */
    boolean isClosing();

    /** Whether many store errors happened recently. */
    boolean isCriticalState();

    /**
     * The store's health: lease, critical state, reachability and queue depths. Returns at once, from any thread.
     *
     * @return a snapshot of the store's health
     */
    StoreHealth health();

    /**
     * Shuts down: stops new work, ends every session with a last save ({@link LastSaveReason#SHUTDOWN}),
     * waits for them up to the close timeout, and releases this server's lease.
     */
    CompletableFuture<Void> closeAsync();

    /** Blocking twin of {@link #closeAsync()}. */
    @Override
    void close();
}
