package dev.profilestore.spi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A storage that passes every call on to another: the base of decorators (fault injection, counting,
 * tracing), which override only what they change. Thread-safe if the delegate is.
 *
 * <p>{@link #readAsync} and {@link #writeAsync} are not forwarded: they keep {@link Storage}'s defaults, which call
 * this class's {@link #read} and {@link #write}, so a decorator that overrides only those still sees every read and
 * write. One that should keep its delegate's non-blocking path overrides the two as well.
 */
public abstract class ForwardingStorage implements Storage {

    /** The storage every call goes to. */
    protected final Storage delegate;

    /** Forwards to {@code delegate}. */
    protected ForwardingStorage(Storage delegate) {
        this.delegate = delegate;
    }

    @Override
    public StorageCapabilities capabilities() {
        // A decorator may wait (inject delays, trace to a file, hang on purpose): it declares its delegate's
        // calls non-blocking only by overriding this.
        return delegate.capabilities().blocking();
    }

    @Override
    public Optional<StoredRecord> read(String store, String key) {
        return delegate.read(store, key);
    }

    @Override
    public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
        return delegate.write(store, key, expectedRevision, write);
    }

    @Override
    public List<WriteResult> writeAll(List<KeyedWrite> writes) {
        return delegate.writeAll(writes);
    }

    @Override
    public boolean remove(String store, String key, long expectedRevision) {
        return delegate.remove(store, key, expectedRevision);
    }

    @Override
    public void purge(String store, String key) {
        delegate.purge(store, key);
    }

    @Override
    public List<VersionInfo> versions(String store, String key, VersionRange query) {
        return delegate.versions(store, key, query);
    }

    @Override
    public Optional<StoredRecord> readVersion(String store, String key, String versionId) {
        return delegate.readVersion(store, key, versionId);
    }

    @Override
    public boolean pinVersion(String store, String key, String versionId) {
        return delegate.pinVersion(store, key, versionId);
    }

    @Override
    public VersionInfo writeVersion(String store, String key, VersionWrite version) {
        return delegate.writeVersion(store, key, version);
    }

    @Override
    public Set<String> pinnedVersions(String store, String key) {
        return delegate.pinnedVersions(store, key);
    }

    @Override
    public List<String> keysByUserId(String store, long userId) {
        return delegate.keysByUserId(store, userId);
    }

    @Override
    public List<String> listKeys(String store, String afterKey, int limit) {
        return delegate.listKeys(store, afterKey, limit);
    }

    @Override
    public void renewLease(String serverId, Duration ttl) {
        delegate.renewLease(serverId, ttl);
    }

    @Override
    public boolean isLeaseLive(String serverId) {
        return delegate.isLeaseLive(serverId);
    }

    @Override
    public Duration leaseRemaining(String serverId) {
        return delegate.leaseRemaining(serverId);
    }

    @Override
    public void dropLease(String serverId) {
        delegate.dropLease(serverId);
    }

    @Override
    public void close() {
        // The shared store outlives each wrapper; the run closes it.
    }
}
