package dev.profilestore.testkit.sim;

import dev.profilestore.spi.ForwardingStorage;

import dev.profilestore.StorageException;
import dev.profilestore.spi.KeyedWrite;
import dev.profilestore.spi.RecordWrite;
import dev.profilestore.spi.Storage;
import dev.profilestore.spi.StoredRecord;
import dev.profilestore.spi.VersionInfo;
import dev.profilestore.spi.VersionRange;
import dev.profilestore.spi.WriteResult;
import dev.profilestore.time.ManualScheduler;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;

/**
 * One server's connection to the shared store, with faults: errors, timeouts (the write applied
 * before the failure, later, or never), replies lost after the write applied, and the server dying
 * just before or just after a write. A dead server's calls all fail.
 */
final class SimStorage extends ForwardingStorage {

    private final SimServerState server;
    private final ManualScheduler clock;
    private final Random random;
    private final Faults faults;
    private final FaultCounter counter;

    SimStorage(Storage shared, SimServerState server, ManualScheduler clock, Random random, Faults faults,
               FaultCounter counter) {
        super(shared);
        this.server = server;
        this.clock = clock;
        this.random = random;
        this.faults = faults;
        this.counter = counter;
    }

    private void before(String op) {
        if (!server.alive()) {
            throw new StorageException("simulated: server " + server.id + " is dead (" + op + ")");
        }
        boolean error = random.nextDouble() < faults.p(FaultKind.STORAGE_ERROR);
        if (server.callTimesOut) {
            counter.add(FaultKind.STORAGE_TIMEOUT, server.id + " " + op + " timed out");
            throw new StorageException("simulated: " + op + " timed out");
        }
        if (error) {
            counter.add(FaultKind.STORAGE_ERROR, server.id + " " + op + " failed");
            throw new StorageException("simulated: " + op + " failed");
        }
    }

    private <R> R mutate(String op, Supplier<R> apply) {
        if (!server.alive()) {
            throw new StorageException("simulated: server " + server.id + " is dead (" + op + ")");
        }
        boolean error = random.nextDouble() < faults.p(FaultKind.STORAGE_ERROR);
        boolean lostReply = random.nextDouble() < faults.p(FaultKind.LOST_REPLY);
        boolean crashBefore = random.nextDouble() < faults.p(FaultKind.CRASH_BEFORE_WRITE);
        boolean crashAfter = random.nextDouble() < faults.p(FaultKind.CRASH_AFTER_WRITE);
        int timeoutFate = random.nextInt(3);
        long lateApply = 100_000_000L + (long) (random.nextDouble() * 3_000_000_000L);
        if (crashBefore) {
            counter.add(FaultKind.CRASH_BEFORE_WRITE, server.id + " dies before its " + op + " lands");
            server.crash();
            throw new StorageException("simulated: server died");
        }
        if (server.callTimesOut) {
            switch (timeoutFate) {
                case 0 -> {
                    counter.add(FaultKind.STORAGE_TIMEOUT, server.id + " " + op + " timed out, applied before the timeout");
                    apply.get();
                }
                case 1 -> {
                    counter.add(FaultKind.STORAGE_TIMEOUT, server.id + " " + op + " timed out, applied "
                            + lateApply / 1_000_000 + " ms later");
                    clock.schedule(Duration.ofNanos(lateApply), apply::get);
                }
                default -> counter.add(FaultKind.STORAGE_TIMEOUT, server.id + " " + op + " timed out, never applied");
            }
            throw new StorageException("simulated: " + op + " timed out");
        }
        if (error) {
            counter.add(FaultKind.STORAGE_ERROR, server.id + " " + op + " failed");
            throw new StorageException("simulated: " + op + " failed");
        }
        R result = apply.get();
        if (crashAfter) {
            counter.add(FaultKind.CRASH_AFTER_WRITE, server.id + " dies after its " + op + " returned " + describe(result));
            server.crash();
            throw new StorageException("simulated: server died");
        }
        if (lostReply) {
            counter.add(FaultKind.LOST_REPLY, server.id + " " + op + " returned " + describe(result) + ", reply lost");
            throw new StorageException("simulated: connection lost after " + op);
        }
        return result;
    }

    /** A result for the trace, without anything that differs between reruns (array identities). */
    private static String describe(Object result) {
        return switch (result) {
            case WriteResult.Written w -> "written as revision " + w.revision();
            case WriteResult.Conflict c -> "conflict with revision " + c.current().map(StoredRecord::revision).orElse(0L);
            case List<?> list -> list.stream().map(SimStorage::describe).toList().toString();
            default -> String.valueOf(result);
        };
    }

    @Override
    public Optional<StoredRecord> read(String store, String key) {
        before("read " + key);
        return delegate.read(store, key);
    }

    @Override
    public WriteResult write(String store, String key, long expectedRevision, RecordWrite write) {
        return mutate("write " + key, () -> delegate.write(store, key, expectedRevision, write));
    }

    @Override
    public List<WriteResult> writeAll(List<KeyedWrite> writes) {
        return mutate("writeAll " + writes.stream().map(KeyedWrite::key).toList(), () -> delegate.writeAll(writes));
    }

    @Override
    public boolean remove(String store, String key, long expectedRevision) {
        return mutate("remove " + key, () -> delegate.remove(store, key, expectedRevision));
    }

    @Override
    public List<VersionInfo> versions(String store, String key, VersionRange query) {
        before("versions " + key);
        return delegate.versions(store, key, query);
    }

    @Override
    public Optional<StoredRecord> readVersion(String store, String key, String versionId) {
        before("readVersion " + key);
        return delegate.readVersion(store, key, versionId);
    }

    @Override
    public void renewLease(String serverId, Duration ttl) {
        before("renewLease");
        delegate.renewLease(serverId, ttl);
    }

    @Override
    public boolean isLeaseLive(String serverId) {
        before("isLeaseLive " + serverId);
        return delegate.isLeaseLive(serverId);
    }

    @Override
    public java.time.Duration leaseRemaining(String serverId) {
        before("leaseRemaining " + serverId);
        return delegate.leaseRemaining(serverId);
    }

    @Override
    public void dropLease(String serverId) {
        before("dropLease");
        delegate.dropLease(serverId);
    }
}
