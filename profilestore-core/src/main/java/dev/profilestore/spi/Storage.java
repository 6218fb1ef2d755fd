package dev.profilestore.spi;

import dev.profilestore.StorageException;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Durable storage of profile records, implemented once per backend.
 *
 * <p>A record is an opaque payload (the engine's JSON envelope) under a {@code (store, key)} pair,
 * tagged with a <em>revision</em>. Every change goes through {@link #write}, a compare-and-set on
 * that revision, done in one atomic operation of the backend (a conditional {@code UPDATE}, a Lua
 * script, a transaction). The engine only ever computes a new record from one it has read, so a
 * matching revision proves the record still holds the owner and epoch the engine checked: this is
 * how every data write is fenced.
 *
 * <h2>Revisions</h2>
 * Revisions are positive and <strong>strictly increase for a key</strong>: every successful write of a key,
 * including the first write after {@link #remove} or {@link #purge}, returns a revision greater than every
 * revision that key ever had before, whatever the versioning of the write. Two reasons:
 * <ul>
 *   <li>a holder that was removed and re-created under its feet must not see its old revision match by chance;</li>
 *   <li>the engine derives a session's fencing epoch from the revision its acquiring write expected
 *       ({@code epoch = expectedRevision + 1}), and an epoch must never go back for a key, even across removal
 *       and erasure.</li>
 * </ul>
 * A global sequence handed out in time order, or a per-key counter with a floor that survives {@link #purge}
 * work; random values do not. Revisions of different keys are unrelated. {@link #ABSENT} (zero) as the expected
 * revision means "create only if no record exists".
 *
 * <h2>Versions</h2>
 * A write with {@link RecordWrite.Versioning#SNAPSHOT} keeps the written record as a version, subject to the
 * backend's retention (oldest dropped first). A write with {@link RecordWrite.Versioning#PRESERVE_PREVIOUS}
 * keeps the record it replaces as a <em>preserved</em> version: retention never drops it, on every backend and
 * also when the backend is configured to keep no snapshots; only {@link #purge} erases it. {@link #versions}
 * and {@link #readVersion} return preserved versions beside the retained snapshots.
 *
 * <h2>Clocks</h2>
 * Server leases ({@link #renewLease}, {@link #isLeaseLive}) are measured on the store's own clock
 * (the database's {@code now()}, Redis key expiry), so servers whose wall clocks disagree still agree
 * on whether a lease has run out.
 *
 * <h2>Errors and threads</h2>
 * Methods block and may be called from any thread, concurrently; {@link #readAsync} and {@link #writeAsync} are
 * the two hot-path calls a backend may also offer without blocking. Failures of the backend (unreachable,
 * timed out, rejected) are thrown as {@link StorageException}; the engine retries them where the
 * protocol allows.
 */
public interface Storage extends AutoCloseable {

    /** The expected revision that means "no record may exist yet". */
    long ABSENT = 0L;

    /** What this backend supports beyond the required operations. */
    StorageCapabilities capabilities();

    /** Reads the current record, or empty when the key holds none. */
    Optional<StoredRecord> read(String store, String key);

    /**
     * Replaces the record if its revision is still {@code expectedRevision} ({@link #ABSENT}: if there
     * is no record), atomically.
     *
     * @return {@link WriteResult.Written} with the new revision, or {@link WriteResult.Conflict} with
     *     the record found instead (empty if none), so the caller can retry without another read
     */
    WriteResult write(String store, String key, long expectedRevision, RecordWrite write);

    /**
     * {@link #read}, without holding a thread while the backend answers. A backend whose driver is asynchronous
     * overrides this (Redis does); the default runs {@link #read} on {@code blocking}, the engine's I/O executor.
     *
     * <p>Why: a blocking call costs two thread hand-offs beyond the driver's own (to the I/O thread, and from it
     * to the engine's loop), and those were most of a session cycle on a fast store (docs/benchmarks.md).
     *
     * <p>The future may complete on the driver's I/O thread, so a caller must not block or do heavy work in its
     * continuation there. It fails with {@link StorageException} where {@link #read} would throw one. A call the
     * executor rejects throws {@link java.util.concurrent.RejectedExecutionException}.
     */
    default CompletableFuture<Optional<StoredRecord>> readAsync(String store, String key, Executor blocking) {
        return CompletableFuture.supplyAsync(() -> read(store, key), blocking);
    }

    /**
     * {@link #write}, without holding a thread while the backend answers; as {@link #readAsync}. An override may
     * still run some writes on {@code blocking}: the ones that take more than one round trip.
     */
    default CompletableFuture<WriteResult> writeAsync(String store, String key, long expectedRevision, RecordWrite write,
                                                      Executor blocking) {
        return CompletableFuture.supplyAsync(() -> write(store, key, expectedRevision, write), blocking);
    }

    /**
     * Applies several writes atomically: all of them, or none when any revision does not match.
     * Only called when {@link StorageCapabilities#atomicMultiWrite()} is true.
     *
     * @return one result per write, in order; on a conflict every entry that did not apply is a
     *     {@link WriteResult.Conflict} and nothing was written
     */
    default List<WriteResult> writeAll(List<KeyedWrite> writes) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no atomic multi-key write");
    }

    /**
     * Deletes the current record if its revision is still {@code expectedRevision}: a compare-and-set, like
     * {@link #write}, so a removal that lands late (its caller timed out and went on) cannot delete what was
     * written after it. Saved versions stay (as with Roblox data stores); use {@link #purge} to erase those
     * too. The key's next revision is still greater than every earlier one.
     *
     * @return whether this call deleted the record; {@code false} when there was none or it had another
     *     revision, and then nothing changed
     */
    boolean remove(String store, String key, long expectedRevision);

    /**
     * Deletes the record and every saved version of it (right to erasure). The key's next revision is still
     * greater than every earlier one; what a backend keeps to ensure that must not identify the key.
     */
    void purge(String store, String key);

    /**
     * Lists saved versions of a key, within {@code query}'s time range and order: retained snapshots and
     * preserved versions (see "Versions" above). Empty when the key has none.
     */
    List<VersionInfo> versions(String store, String key, VersionRange query);

    /** Reads one saved version, or empty when there is no such version. */
    Optional<StoredRecord> readVersion(String store, String key, String versionId);

    /**
     * Marks a saved version <em>preserved</em> (an operator's pin), so retention never drops it, like the replaced
     * value of a {@link RecordWrite.Versioning#PRESERVE_PREVIOUS} write; only {@link #purge} erases it. Pinning a
     * version that is preserved already changes nothing. It does not touch the current record or its revision.
     *
     * @return whether the version exists (and is now preserved); {@code false} when there is no such version
     */
    boolean pinVersion(String store, String key, String versionId);

    /**
     * Adds a saved version carried over from another store (a migration), with its original save time: the one way
     * to create a version other than a write's {@link RecordWrite.Versioning}. The version gets a new id and a
     * revision allocated as a write's would be, greater than every revision the key had before, so the key's
     * revisions stay strictly increasing and its next write's revision is greater than the version's. Versions
     * written one after another get ids in the same order. The current record, its revision and its user ids are not
     * touched; the key need not have a record. The version is kept whatever the retention (a pinned one for good);
     * retention trims unpinned snapshots again from the key's next snapshot write on. {@link #purge} erases it.
     *
     * @return the version as stored here: its new id and revision, and the source's save time
     * @throws UnsupportedOperationException when the backend cannot take versions from elsewhere (the default)
     */
    default VersionInfo writeVersion(String store, String key, VersionWrite version) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot take saved versions from"
                + " another store");
    }

    /**
     * The ids of the key's saved versions that are preserved (pinned by {@link #pinVersion}, or kept by a
     * {@link RecordWrite.Versioning#PRESERVE_PREVIOUS} write): what a migration carries over besides the versions
     * themselves. Empty when the key has none.
     *
     * @throws UnsupportedOperationException when the backend cannot tell (the default)
     */
    default Set<String> pinnedVersions(String store, String key) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " cannot list pinned versions");
    }

    /** Keys whose current record or any saved version was written with this user id. */
    List<String> keysByUserId(String store, long userId);

    /** Keys of the store in ascending order, after {@code afterKey} (exclusive; null to start), at most {@code limit}. */
    List<String> listKeys(String store, String afterKey, int limit);

    /**
     * Marks the server alive until the store's clock passes now + {@code ttl}. Called by every server
     * about three times per lease, so idle profiles cost no writes while a crash is still detected fast.
     */
    void renewLease(String serverId, Duration ttl);

    /** Whether the server's lease is still running, by the store's clock. An unknown server is not live. */
    boolean isLeaseLive(String serverId);

    /** What {@link #leaseRemaining} answers for a live lease whose end the backend cannot tell. */
    Duration UNKNOWN_REMAINING = Duration.ofDays(365_000);

    /**
     * How long the server's lease has left by the store's clock: {@link Duration#ZERO} when it has run out
     * or is unknown. A requester waiting for a crashed holder uses it to try again the moment the lease
     * ends, rather than at its next poll. The default can only tell live from not, and answers
     * {@link #UNKNOWN_REMAINING} for a live lease.
     */
    default Duration leaseRemaining(String serverId) {
        return isLeaseLive(serverId) ? UNKNOWN_REMAINING : Duration.ZERO;
    }

    /** Ends the server's lease now (clean shutdown). */
    void dropLease(String serverId);

    /**
     * Opens messaging over this same backend (SQLite: the same file), for a store that is given this storage
     * and no messaging; the store then owns and closes it. Null when the backend has none to offer.
     */
    default Messaging openMessaging() {
        return null;
    }

    /** Releases connections and threads. */
    @Override
    void close();
}
