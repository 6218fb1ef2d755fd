package dev.profilestore.testkit.sim;

import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.Storage;
import dev.profilestore.time.Scheduler;

/**
 * Makes the one shared store of a simulation run. A fresh, empty store per call: every seed starts
 * from nothing (a backend that cannot give an empty database per seed may give a
 * {@link NamespacedStorage} of a shared one). The clock is the store's clock on the simulated time (it
 * jumps under {@link FaultKind#STORE_CLOCK_JUMP}); a backend whose leases run on the database's own clock
 * may ignore it, at the price of determinism.
 */
@FunctionalInterface
public interface StorageFactory {

    /** Opens an empty store. */
    Storage create(Scheduler storeClock);

    /** The in-memory store on the simulated clock (deterministic). */
    static StorageFactory inMemory() {
        return clock -> new InMemoryStorage(clock, 20);
    }
}
