package dev.profilestore.testkit.faults;

import dev.profilestore.StorageException;
import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StorageCapabilities;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.spi.WriteResult;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One server's view of a shared storage, with faults: {@link #down} makes every call fail as an
 * unreachable store would (also how a crashed server is modelled: nothing it does lands), and
 * {@link #failNext} fails a number of calls. Counts writes, for cost assertions.
 */
public final class FaultyStorage implements Storage {

    private final Storage delegate;
    public volatile boolean down;
    private final AtomicInteger failNext = new AtomicInteger();
    public final AtomicLong writes = new AtomicLong();
    public final AtomicLong reads = new AtomicLong();

    public FaultyStorage(Storage delegate) {
        this.delegate = delegate;
    }

    public void failNext(int calls) {
        failNext.set(calls);
    }

    private final AtomicInteger loseReplies = new AtomicInteger();

    /** Applies the next {@code writes} writes, then throws as if their replies were lost on the way back. */
    public void loseNextReplies(int writes) {
        loseReplies.set(writes);
    }

    private <R> R reply(String op, R result) {
        if (loseReplies.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new StorageException("injected: the reply of " + op + " was lost after it was applied");
        }
        return result;
    }

    private void check(String op) {
        if (down) {
            throw new StorageException("injected: store unreachable during " + op);
        }
        if (failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw new StorageException("injected: " + op + " failed");
        }
    }

    @Override
    public StorageCapabilities capabilities() {
        return delegate.capabilities();
    }

    @Override
    public Optional<StoredRecord> read(String store, String key) {
        check("read");
        reads.incrementAndGet();
        return delegate.read(store, key);
    }

    @Override
    public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
        check("write");
        writes.incrementAndGet();
        return reply("write", delegate.write(store, key, expectedRevision, write));
    }

    @Override
    public List<WriteResult> writeAll(List<KeyedWrite> writes) {
        check("writeAll");
        this.writes.incrementAndGet();
        return reply("writeAll", delegate.writeAll(writes));
    }

    @Override
    public boolean remove(String store, String key, long expectedRevision) {
        check("remove");
        return delegate.remove(store, key, expectedRevision);
    }

    @Override
    public void purge(String store, String key) {
        check("purge");
        delegate.purge(store, key);
    }

    @Override
    public List<VersionInfo> versions(String store, String key, VersionRange query) {
        check("versions");
        return delegate.versions(store, key, query);
    }

    @Override
    public boolean pinVersion(String store, String key, String versionId) {
        check("pinVersion");
        return delegate.pinVersion(store, key, versionId);
    }

    @Override
    public Optional<StoredRecord> readVersion(String store, String key, String versionId) {
        check("readVersion");
        return delegate.readVersion(store, key, versionId);
    }

    @Override
    public List<String> keysByUserId(String store, long userId) {
        check("keysByUserId");
        return delegate.keysByUserId(store, userId);
    }

    @Override
    public List<String> listKeys(String store, String afterKey, int limit) {
        check("listKeys");
        return delegate.listKeys(store, afterKey, limit);
    }

    @Override
    public void renewLease(String serverId, Duration ttl) {
        check("renewLease");
        delegate.renewLease(serverId, ttl);
    }

    @Override
    public boolean isLeaseLive(String serverId) {
        check("isLeaseLive");
        return delegate.isLeaseLive(serverId);
    }

    @Override
    public Duration leaseRemaining(String serverId) {
        check("leaseRemaining");
        return delegate.leaseRemaining(serverId);
    }

    @Override
    public void dropLease(String serverId) {
        check("dropLease");
        delegate.dropLease(serverId);
    }

    @Override
    public void close() {
        // The shared storage outlives each server's view.
    }
}
