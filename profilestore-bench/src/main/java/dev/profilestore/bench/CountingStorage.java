package dev.profilestore.bench;

import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.ForwardingStorage;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StorageCapabilities;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.spi.WriteResult;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * A {@link Storage} decorator that counts what reaches the store: record writes (each {@link #write}, and each
 * record of a {@link #writeAll}), reads, and lease writes, separately. An optional listener sees every record
 * write, for per-second series. Does not close the delegate.
 */
public final class CountingStorage extends ForwardingStorage {

    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong leaseWrites = new AtomicLong();
    private final AtomicLong leaseReads = new AtomicLong();
    private volatile LongConsumer onWrite = n -> { };

    /** Counts calls into {@code delegate}. */
    public CountingStorage(Storage delegate) {
        super(delegate);
    }

    /** Record writes so far. */
    public long writes() {
        return writes.get();
    }

    /** Record reads so far. */
    public long reads() {
        return reads.get();
    }

    /** Lease renewals and drops so far. */
    public long leaseWrites() {
        return leaseWrites.get();
    }

    /** Lease checks so far. */
    public long leaseReads() {
        return leaseReads.get();
    }

    /** Called with the number of records after every record write. */
    public void onWrite(LongConsumer listener) {
        this.onWrite = listener;
    }

    @Override
    public Optional<StoredRecord> read(String store, String key) {
        reads.incrementAndGet();
        return delegate.read(store, key);
    }

    @Override
    public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
        writes.incrementAndGet();
        onWrite.accept(1);
        return delegate.write(store, key, expectedRevision, write);
    }

    @Override
    public CompletableFuture<Optional<StoredRecord>> readAsync(String store, String key, Executor blocking) {
        reads.incrementAndGet();
        return delegate.readAsync(store, key, blocking);
    }

    @Override
    public CompletableFuture<WriteResult> writeAsync(String store, String key, long expectedRevision, RecordWrite write,
                                                     Executor blocking) {
        writes.incrementAndGet();
        onWrite.accept(1);
        return delegate.writeAsync(store, key, expectedRevision, write, blocking);
    }

    @Override
    public List<WriteResult> writeAll(List<KeyedWrite> batch) {
        writes.addAndGet(batch.size());
        onWrite.accept(batch.size());
        return delegate.writeAll(batch);
    }

    /** Counting adds no waiting: the delegate's calls stay as non-blocking as they were. */
    @Override
    public StorageCapabilities capabilities() {
        return delegate.capabilities();
    }

    @Override
    public boolean remove(String store, String key, long expectedRevision) {
        writes.incrementAndGet();
        return delegate.remove(store, key, expectedRevision);
    }

    @Override
    public void purge(String store, String key) {
        writes.incrementAndGet();
        delegate.purge(store, key);
    }

    @Override
    public List<VersionInfo> versions(String store, String key, VersionRange query) {
        reads.incrementAndGet();
        return delegate.versions(store, key, query);
    }

    @Override
    public Optional<StoredRecord> readVersion(String store, String key, String versionId) {
        reads.incrementAndGet();
        return delegate.readVersion(store, key, versionId);
    }

    @Override
    public List<String> keysByUserId(String store, long userId) {
        reads.incrementAndGet();
        return delegate.keysByUserId(store, userId);
    }

    @Override
    public List<String> listKeys(String store, String afterKey, int limit) {
        reads.incrementAndGet();
        return delegate.listKeys(store, afterKey, limit);
    }

    @Override
    public void renewLease(String serverId, Duration ttl) {
        leaseWrites.incrementAndGet();
        delegate.renewLease(serverId, ttl);
    }

    @Override
    public boolean isLeaseLive(String serverId) {
        leaseReads.incrementAndGet();
        return delegate.isLeaseLive(serverId);
    }

    @Override
    public Duration leaseRemaining(String serverId) {
        leaseReads.incrementAndGet();
        return delegate.leaseRemaining(serverId);
    }

    @Override
    public void dropLease(String serverId) {
        leaseWrites.incrementAndGet();
        delegate.dropLease(serverId);
    }

    @Override
    public void close() {
        // The measured storage is closed by whoever opened it.
    }
}
