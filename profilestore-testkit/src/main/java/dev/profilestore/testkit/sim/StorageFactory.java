package dev.profilestore.testkit.sim;

import dev.profilestore.memory.InMemoryStorage;
import dev.profilestore.spi.Storage;
import dev.profilestore.time.ManualScheduler;

/**
 * Makes the one shared store of a simulation run. A fresh, empty store per call: every seed starts
 * from nothing. The clock is the run's simulated clock; a backend whose leases run on the database's
 * own clock may ignore it, at the price of determinism.
 */
@FunctionalInterface
public interface StorageFactory {

    /** Opens an empty store. */
    Storage create(ManualScheduler clock);

    /** The in-memory store on the simulated clock (deterministic). */
    static StorageFactory inMemory() {
        return clock -> new InMemoryStorage(clock, 20);
    }
}
