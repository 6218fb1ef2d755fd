package dev.profilestore.testkit.sim;

import dev.profilestore.spi.ForwardingStorage;
import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.spi.WriteResult;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A run's own corner of a shared database: every store name and every server id (leases) gets a
 * prefix, so seeds can run one after another, or at once, on one PostgreSQL, Redis, MySQL or SQLite
 * database without seeing each other. Closing it closes the delegate.
 */
public final class NamespacedStorage extends ForwardingStorage {

    private final String prefix;

    /** Prefixes names with {@code prefix} (keep it short: store names are limited to 50 characters). */
    public NamespacedStorage(Storage delegate, String prefix) {
        super(delegate);
        this.prefix = prefix;
    }

    private String s(String name) {
        return prefix + name;
    }

    @Override
    public Optional<StoredRecord> read(String store, String key) {
        return delegate.read(s(store), key);
    }

    @Override
    public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
        return delegate.write(s(store), key, expectedRevision, write);
    }

    @Override
    public List<WriteResult> writeAll(List<KeyedWrite> writes) {
        return delegate.writeAll(writes.stream()
                .map(w -> new KeyedWrite(s(w.store()), w.key(), w.expectedRevision(), w.write())).toList());
    }

    @Override
    public boolean remove(String store, String key, long expectedRevision) {
        return delegate.remove(s(store), key, expectedRevision);
    }

    @Override
    public void purge(String store, String key) {
        delegate.purge(s(store), key);
    }

    @Override
    public List<VersionInfo> versions(String store, String key, VersionRange query) {
        return delegate.versions(s(store), key, query);
    }

    @Override
    public Optional<StoredRecord> readVersion(String store, String key, String versionId) {
        return delegate.readVersion(s(store), key, versionId);
    }

    @Override
    public List<String> keysByUserId(String store, long userId) {
        return delegate.keysByUserId(s(store), userId);
    }

    @Override
    public List<String> listKeys(String store, String afterKey, int limit) {
        return delegate.listKeys(s(store), afterKey, limit);
    }

    @Override
    public void renewLease(String serverId, Duration ttl) {
        delegate.renewLease(s(serverId), ttl);
    }

    @Override
    public boolean isLeaseLive(String serverId) {
        return delegate.isLeaseLive(s(serverId));
    }

    @Override
    public Duration leaseRemaining(String serverId) {
        return delegate.leaseRemaining(s(serverId));
    }

    @Override
    public void dropLease(String serverId) {
        delegate.dropLease(s(serverId));
    }

    /** Closes the delegate: each seed's namespace owns its connection to the shared database. */
    @Override
    public void close() {
        delegate.close();
    }
}
