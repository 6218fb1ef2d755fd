package dev.profilestore;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What every loaded profile has, whether it holds a session ({@link Profile}) or is a read-only view
 * ({@link ProfileView}).
 *
 * <p>Not thread-safe: touch it only on the store's callback executor (or, for a view, one thread at a
 * time). That is what lets a save serialize a consistent snapshot without locks.
 *
 * @param <T> the profile data type
 */
public sealed interface ProfileContent<T> permits Profile, ProfileView {

    /** The profile key. */
    String key();

    /** The live data document. Change it in place, or replace it with {@link #setData}. */
    T data();

    /** Replaces the data document. */
    void setData(T data);

    /** When the profile was created, by the creating server's wall clock. */
    java.time.Instant firstSessionTime();

    /** How many sessions have been started on this profile, including this one: the epoch counter. */
    long sessionLoadCount();

    /** Store-side facts: created, updated, version. */
    KeyInfo keyInfo();

    /**
     * User-defined metadata saved with the profile (Roblox's key metadata); mutable, values must be
     * JSON-serializable.
     */
    Map<String, Object> metadata();

    /** The user ids tied to this profile for erasure requests; read-only, see {@link #addUserId}. */
    Set<Long> userIds();

    /** Ties a user id to this profile; saved with the next save. */
    void addUserId(long userId);

    /** Unties a user id; saved with the next save. */
    void removeUserId(long userId);

    /** Fills in fields missing from the data with the store's template, recursively; existing values stay. */
    void reconcile();

    /**
     * Registers a message handler and at once offers it every unprocessed message this profile has.
     * For a session profile, later messages arrive after saves; handlers cannot be removed.
     */
    void messageHandler(MessageHandler handler);

    /** For a view: the session holding the profile when it was read. For a session profile: its own session. */
    Optional<SessionInfo> session();
}
