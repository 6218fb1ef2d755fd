package dev.profilestore.testkit;

import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.Storage;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicReference;


/** Runs the storage specification against the in-memory reference implementation, on a clock the test moves. */
final class InMemoryStorageContractTest extends StorageContract {

    private final AtomicReference<Duration> offset = new AtomicReference<>(Duration.ZERO);

    @Override
    protected Storage createStorage() {
        InstantSource clock = () -> Instant.now().plus(offset.get());
        return new InMemoryStorage(clock, versionsPerKey());
    }

    @Override
    protected Storage createStorageKeepingNoSnapshots() {
        return new InMemoryStorage(InstantSource.system(), 0);
    }

    @Override
    protected int versionsPerKey() {
        return 5;
    }

    @Override
    protected boolean advanceLeaseClock(Duration by) {
        offset.accumulateAndGet(by, Duration::plus);
        return true;
    }
}
